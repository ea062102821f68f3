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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code autoglm serve} in-process: prints its URL, answers OpenAI requests with keys from a file, stops on interrupt. */
class ServeCommandTest {
    @Test
    void serve_printsTheUrl_answersWithKeysFromAFile_andStops(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, "# keys\nsk-file-0123456789 name=ci models=stories\n");
        CommandLine cl = AutoGlmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread t = Thread.ofPlatform().start(() -> exit.set(cl.execute("serve", "--model",
                "stories=" + TestModels.stories260K(), "--alias", "stories=tiny-story", "--chat-template", "chatml",
                "--ctx", "256", "--port", "0", "--api-key-file", keys.toString(), "--cache-size", "1M")));
        Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)/v1").matcher("");
        long end = System.currentTimeMillis() + 60_000;
        while (!m.reset(out.toString()).find() && System.currentTimeMillis() < end && t.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(out.toString()).as(err.toString()).contains("autoglm: serving stories at http://127.0.0.1:")
                .contains("with 1 API key(s)");
        String url = m.group(1);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Authorization", "Bearer sk-file-0123456789").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"tiny-story\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":6,\"temperature\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"model\":\"stories\"").contains("\"completion_tokens\":");
        assertThat(r.headers().firstValue("x-autoglm-cache")).hasValue("miss");
        HttpResponse<String> unauth = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unauth.statusCode()).isEqualTo(401);
        t.interrupt();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isZero();
    }

    @Test
    void badFlags_exitWithOneLine() {
        assertThat(AutoGlmCliTest.run("serve", "--model", "x=/no/such/file.gguf").exit()).isEqualTo(2);
        AutoGlmCliTest.Run alias = AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--alias", "nope=x");
        assertThat(alias.exit()).isEqualTo(2);
        assertThat(alias.err()).contains("no model named 'nope'");
        AutoGlmCliTest.Run key = AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--api-key", "short");
        assertThat(key.exit()).isEqualTo(2);
        assertThat(key.err().strip().lines().toList()).hasSize(2).first().asString()
                .startsWith("autoglm serve: --api-key: ").contains("at least 8 characters");
        // a limit the server's builder checks is reported with the flag's name, as a usage error
        AutoGlmCliTest.assertFlagError(AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--port", "70000"),
                "autoglm serve: --port must be in [0, 65535], was 70000", "port must");
        AutoGlmCliTest.assertFlagError(AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--max-body", "lots"),
                "autoglm serve: --max-body must be a positive size such as 512M, 4G or 1073741824, was 'lots'", "maxBody");
        AutoGlmCliTest.assertFlagError(AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--parallel", "65"),
                "autoglm serve: --parallel must be in [1, 64], was 65", "parallel must");
        AutoGlmCliTest.assertFlagError(AutoGlmCliTest.run("serve", "--model", "s=" + TestModels.stories260K(), "--quantize", "q9_z"),
                "autoglm serve: --quantize must be auto, none or a preset (F16", "quantization");
    }
}
