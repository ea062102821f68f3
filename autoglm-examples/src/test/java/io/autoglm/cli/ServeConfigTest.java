package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code autoglm serve --config}, {@code autoglm config check} and the seed's {@code serve --device} flag. */
class ServeConfigTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String yaml(String aliases) {
        return """
                # stories260K served under its own name; the key comes from the environment or the default
                server:
                  port: 0
                  api-keys: ["${AUTOGLM_TEST_ONLY_KEY:-sk-config-0123456789}"]
                models:
                  - name: stories
                    model: %s
                    parallel: 2
                    context: 256
                    threads: 1
                    chat-template: chatml
                    aliases: [%s]
                """.formatted(TestModels.stories260K(), aliases);
    }

    private static HttpResponse<String> chat(String url, String model) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Authorization", "Bearer sk-config-0123456789").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":6,\"temperature\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(Supplier<Boolean> done, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!done.get()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void sighup() throws Exception {
        Process p = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void serveConfig_answersChat_andSighupReloads_keepingTheOldConfigWhenTheNewOneIsBad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autoglm.yaml");
        Files.writeString(file, yaml("tiny-story"));
        CommandLine cl = AutoGlmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread t = Thread.ofPlatform().start(() -> exit.set(cl.execute("serve", "--config", file.toString())));
        try {
            Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)/v1").matcher("");
            await(() -> m.reset(out.toString()).find() || !t.isAlive(), "the server to start");
            assertThat(out.toString()).as(err.toString()).contains("autoglm: serving stories at http://127.0.0.1:")
                    .contains("with 1 API key(s) from " + file);
            String url = m.group(1);
            HttpResponse<String> r = chat(url, "tiny-story");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"model\":\"stories\"").contains("\"completion_tokens\":");

            // a real SIGHUP: the new alias is served, the old one is gone
            Files.writeString(file, yaml("fresh-story"));
            sighup();
            await(() -> err.toString().contains("autoglm: reloaded"), "the reload");
            assertThat(err.toString()).contains("kept [stories]");
            assertThat(chat(url, "fresh-story").statusCode()).isEqualTo(200);
            assertThat(chat(url, "tiny-story").statusCode()).isEqualTo(404);

            // a bad file: one line says why, the server goes on as it was
            Files.writeString(file, yaml("fresh-story").replace("parallel: 2", "paralel: 2"));
            sighup();
            await(() -> err.toString().contains("reload failed"), "the failed reload");
            assertThat(err.toString()).contains("autoglm: reload failed, still serving the previous configuration: " + file
                    + ":8:5: models[0].paralel: unknown field; did you mean 'parallel'?");
            assertThat(chat(url, "fresh-story").statusCode()).isEqualTo(200);
        } finally {
            t.interrupt();
            t.join(30_000);
        }
        assertThat(t.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isZero();
    }

    @Test
    void configCheck_exitCodes(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, yaml("tiny-story"));
        AutoGlmCliTest.Run ok = AutoGlmCliTest.run("config", "check", good.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith(good + ": ok").contains("server  127.0.0.1:0, 1 API key(s)")
                .contains("model   stories = " + TestModels.stories260K() + " (parallel 2, context 256, aliases tiny-story)");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, yaml("tiny-story").replace("model: ", "modle: "));
        AutoGlmCliTest.Run unknown = AutoGlmCliTest.run("config", "check", bad.toString());
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err().strip()).isEqualTo("autoglm: " + bad + ":7:5: models[0].modle: unknown field; did you mean "
                + "'model'? (models[0] has name, model, quantize, memory-budget, parallel, context, threads, batch, ubatch, "
                + "flash-attention, device, gpu-layers, chat-template, aliases, profile, backend, native-library)");

        Files.writeString(bad, yaml("tiny-story").replace("chat-template: chatml", "chat-template: [chatml"));
        AutoGlmCliTest.Run syntax = AutoGlmCliTest.run("config", "check", bad.toString());
        assertThat(syntax.exit()).isEqualTo(3);
        assertThat(syntax.err()).startsWith("autoglm: " + bad + ":").contains("invalid YAML");

        Files.writeString(bad, yaml("tiny-story").replace(TestModels.stories260K().toString(), dir.resolve("gone.gguf").toString()));
        AutoGlmCliTest.Run missingModel = AutoGlmCliTest.run("config", "check", bad.toString());
        assertThat(missingModel.exit()).isEqualTo(3);
        assertThat(missingModel.err()).contains(bad + ":6: models[0].model: no such file " + dir.resolve("gone.gguf"));

        AutoGlmCliTest.Run noFile = AutoGlmCliTest.run("config", "check", dir.resolve("none.yaml").toString());
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("no such file");
    }

    @Test
    void serveFlags_deviceAndConfigConflicts_areOneLineErrors(@TempDir Path dir) throws Exception {
        AutoGlmCliTest.Run cuda = AutoGlmCliTest.run("serve", "--model", TestModels.stories260K().toString(), "--device", "cuda",
                "--port", "0");
        assertThat(cuda.exit()).isEqualTo(3);
        assertThat(cuda.err().strip()).startsWith("autoglm: ").contains("device cuda is not available")
                .contains("-DGGML_CUDA=ON").contains("native/GPU.md").doesNotContain("\n");

        AutoGlmCliTest.Run unknown = AutoGlmCliTest.run("serve", "--model", TestModels.stories260K().toString(), "--device", "tpu");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--device: unknown device 'tpu'; expected one of cpu, cuda, metal, vulkan");

        Path file = dir.resolve("autoglm.yaml");
        Files.writeString(file, yaml("tiny-story"));
        AutoGlmCliTest.Run both = AutoGlmCliTest.run("serve", "--config", file.toString(), "--port", "9000");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--port cannot be combined with --config; set it in " + file);

        AutoGlmCliTest.Run none = AutoGlmCliTest.run("serve");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("give --model REF (repeatable) or --config FILE");
    }
}
