package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.testing.ChildJvm;
import io.autoglm.testing.fixtures.TestModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the {@code autoglm} commands in-process and checks their output and exit codes. */
class AutoGlmCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + " / stderr: " + err, e);
            }
        }
    }

    static Run run(String... args) {
        CommandLine cl = AutoGlmCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String[] args(String... a) {
        return a;
    }

    static String stories() {
        return TestModels.stories260K().toString();
    }

    @Test
    void generate_json_hasTheDocumentedFields() {
        Run r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-tokens", "16", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = r.json();
        assertThat(o.get("text").asText()).isNotBlank();
        assertThat(o.get("tokens").isArray()).isTrue();
        assertThat(o.get("finish_reason").asText()).isIn("length", "end_of_generation");
        assertThat(o.at("/usage/prompt_tokens").asInt()).isGreaterThan(1);
        assertThat(o.at("/usage/completion_tokens").asInt()).isEqualTo(o.get("tokens").size()).isBetween(1, 16);
        for (String f : List.of("load_ms", "prompt_ms", "decode_ms", "decode_tokens_per_second")) {
            assertThat(o.get("timings").has(f)).as(f).isTrue();
        }
        assertThat(o.at("/timings/load_ms").asDouble()).isGreaterThan(0);
        assertThat(o.get("backend").asText()).isEqualTo("ffm");
    }

    @Test
    void generate_ignoreEos_producesExactlyMaxTokens_andBothBackendsAgree() {
        Run ffm = run("generate", "--model", stories(), "--prompt", "Lily", "--max-tokens", "40", "--ignore-eos", "--json");
        Run jni = run("generate", "--model", stories(), "--prompt", "Lily", "--max-tokens", "40", "--ignore-eos", "--json",
                "--backend", "jni");
        assertThat(ffm.exit()).as(ffm.err()).isZero();
        assertThat(jni.exit()).as(jni.err()).isZero();
        assertThat(ffm.json().get("tokens").size()).isEqualTo(40);
        assertThat(ffm.json().get("finish_reason").asText()).isEqualTo("length");
        assertThat(jni.json().get("backend").asText()).isEqualTo("jni");
        assertThat(jni.json().get("tokens")).isEqualTo(ffm.json().get("tokens"));
    }

    @Test
    void generate_text_streamsTheCompletion_andStopCutsIt() {
        Run full = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-tokens", "32", "--json");
        String text = full.json().get("text").asText();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        Run cut = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-tokens", "32",
                "--stop", stop, "--stop", "NEVER-SEEN");
        assertThat(cut.exit()).as(cut.err()).isZero();
        assertThat(cut.out().stripTrailing()).isEqualTo(text.substring(0, text.indexOf(stop)).stripTrailing());
    }

    @Test
    void generate_grammarFile_constrainsTheOutput_andEndsWithEndOfGeneration(@TempDir Path dir) throws Exception {
        Path g = Files.writeString(dir.resolve("yes.gbnf"), "root ::= \"yes\"\n");
        Run r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--grammar-file", g.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().get("text").asText()).isEqualTo("yes");
        assertThat(r.json().get("finish_reason").asText()).isEqualTo("end_of_generation");
        Run missing = run("generate", "--model", stories(), "--prompt", "x", "--grammar-file", dir.resolve("none.gbnf").toString());
        assertThat(missing.exit()).isEqualTo(3);
    }

    @Test
    void tokenize_json_withAndWithoutBos() {
        Run with = run("tokenize", "--model", stories(), "--text", "Hello world", "--json");
        Run without = run("tokenize", "--model", stories(), "--text", "Hello world", "--json", "--no-special");
        assertThat(with.exit()).as(with.err()).isZero();
        JsonNode a = with.json().get("tokens");
        JsonNode b = without.json().get("tokens");
        assertThat(a.size()).isEqualTo(b.size() + 1);
        assertThat(a.get(0).asInt()).isEqualTo(1); // llama SPM BOS
        assertThat(a.get(1)).isEqualTo(b.get(0));
    }

    /** In a child JVM: llama.cpp b4916 aborts the process when it builds a mean-pooling context (see the core contract test). */
    @Test
    void embed_json_hasTheModelsDimension() {
        ChildJvm.Result c = ChildJvm.run(AutoGlmCli.class, "embed", "--model", stories(), "--text", "a cat", "--json");
        Run r = new Run(c.exit(), c.out(), c.err());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = r.json();
        assertThat(o.get("dimension").asInt()).isEqualTo(64); // stories260K: embedding_length 64
        assertThat(o.get("embedding").size()).isEqualTo(64);
        double norm = 0;
        for (JsonNode v : o.get("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void inspect_json_describesTheFile() {
        Run r = run("inspect", "--model", TestModels.tinyRandom().toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = r.json();
        assertThat(o.get("architecture").asText()).isEqualTo("llama");
        assertThat(o.get("vocab_size").asInt()).isEqualTo(32000);
        for (String f : List.of("name", "parameters", "file_type", "context_length", "embedding_length", "block_count",
                "tensor_count", "tensors", "metadata")) {
            assertThat(o.has(f)).as(f).isTrue();
        }
        assertThat(o.get("tensors").size()).isEqualTo(o.get("tensor_count").asInt()).isPositive();
        JsonNode t0 = o.get("tensors").get(0);
        assertThat(t0.has("name") && t0.has("type") && t0.get("shape").isArray() && t0.has("offset")).isTrue();
        long params = 0;
        for (JsonNode t : o.get("tensors")) {
            long n = 1;
            for (JsonNode d : t.get("shape")) {
                n *= d.asLong();
            }
            params += n;
        }
        assertThat(o.get("parameters").asLong()).isEqualTo(params);
        // arrays are summarised, not dumped: the 32,000 tokens do not appear one by one
        assertThat(o.at("/metadata/tokenizer.ggml.tokens").isTextual() || o.at("/metadata/tokenizer.ggml.tokens").isObject()).isTrue();
    }

    @Test
    void chat_readsLinesUntilExit_andStreamsReplies() {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream("Hello there\nTell me a story\n/exit\nnot read\n".getBytes(StandardCharsets.UTF_8)));
        try {
            Run r = run("chat", "--model", stories(), "--chat-template", "chatml", "--max-tokens", "8", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            List<JsonNode> replies = new ArrayList<>();
            for (String line : r.out().strip().split("\n")) {
                replies.add(new AutoGlmCliTest.Run(0, line, "").json());
            }
            assertThat(replies).hasSize(2);
            // the second turn's prompt contains the first exchange, so it is longer
            assertThat(replies.get(1).at("/usage/prompt_tokens").asInt()).isGreaterThan(replies.get(0).at("/usage/prompt_tokens").asInt());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void chat_modelWithoutTemplate_andNoFlag_exits3SuggestingTheFlag() {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream("Hello\n".getBytes(StandardCharsets.UTF_8)));
        try {
            Run r = run("chat", "--model", stories(), "--max-tokens", "4");
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("has no chat template").contains("--chat-template chatml")
                    .doesNotContain("builder()").doesNotContain("ChatRequest");
            assertThat(r.out()).isEmpty();
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void missingModel_exits3WithOneLine(@TempDir Path dir) {
        Run r = run("generate", "--model", dir.resolve("nope.gguf").toString(), "--prompt", "x");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("nope.gguf").contains("not found");
    }

    @Test
    void directoryAsModel_exits3(@TempDir Path dir) {
        Run r = run("tokenize", "--model", dir.toString(), "--text", "x");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("directory");
    }

    @Test
    void hostileModel_exits3_stackTraceOnlyWithVerbose(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.gguf");
        byte[] b = new byte[64];
        b[0] = 'G';
        b[1] = 'G';
        b[2] = 'U';
        b[3] = 'F';
        b[4] = 3; // version 3
        b[15] = 0x10; // tensor count 2^60
        Files.write(bad, b);
        Run quiet = run("generate", "--model", bad.toString(), "--prompt", "x");
        assertThat(quiet.exit()).isEqualTo(3);
        assertThat(quiet.err().strip().lines()).hasSize(1);
        Run verbose = run("generate", "--model", bad.toString(), "--prompt", "x", "--verbose");
        assertThat(verbose.exit()).isEqualTo(3);
        assertThat(verbose.err()).contains("ModelFormatException").contains("\tat ");
        Run inspect = run("inspect", "--model", bad.toString());
        assertThat(inspect.exit()).isEqualTo(3);
    }

    @Test
    void badFlag_exits2() {
        assertThat(run("generate", "--model", "x.gguf", "--prompt", "x", "--no-such-flag").exit()).isEqualTo(2);
        assertThat(run("generate", "--prompt", "x").exit()).isEqualTo(2); // --model missing
        assertThat(run("generate", "--model", "x.gguf", "--prompt", "x", "--max-tokens", "many").exit()).isEqualTo(2);
    }

    @Test
    void unknownCommand_exits2_andPrintsTheUsageWithTheCommandList() {
        Run r = run("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("autoglm: unknown command 'frobnicate'").contains("Usage: autoglm")
                .contains("Commands:").contains("generate").contains("quantize");
        Run none = run();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("missing command").contains("Commands:");
        Run nested = run("hpo", "frobnicate");
        assertThat(nested.exit()).isEqualTo(2);
        assertThat(nested.err()).startsWith("autoglm hpo: unknown command 'frobnicate'").contains("Usage: autoglm hpo")
                .contains("bench");
    }

    /**
     * Every command of the tree, the hub's, the server's and the examples' included, answers {@code --help} with exit 0
     * and a bad flag with exit 2, one line naming the command and the flag, and one pointing at its {@code --help}.
     */
    @Test
    void everyCommand_helpExits0_andAnUnknownFlagExits2WithTheCommandsHint() {
        List<String> paths = new ArrayList<>();
        collect(AutoGlmCli.commandLine(), "", paths);
        assertThat(paths).contains("generate", "pull", "models", "rm", "serve", "risk demo", "risk score", "hpo bench", "train",
                "quantize", "eval");
        for (String path : paths) {
            String[] cmd = path.split(" ");
            // picocli reports a help text it cannot format (a lone '%') on System.err
            java.io.PrintStream oldErr = System.err;
            java.io.ByteArrayOutputStream picocliWarnings = new java.io.ByteArrayOutputStream();
            Run help;
            System.setErr(new java.io.PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
            try {
                help = run(concat(cmd, "--help"));
            } finally {
                System.setErr(oldErr);
            }
            assertThat(help.exit()).as(path).isZero();
            assertThat(help.out()).as(path).startsWith("Usage: autoglm " + path);
            assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).as(path).doesNotContain("picocli WARN");
            Run bad = run(concat(cmd, "--no-such-flag"));
            assertThat(bad.exit()).as(path + ": " + bad.err()).isEqualTo(2);
            assertThat(bad.out()).as(path).isEmpty();
            assertThat(bad.err()).as(path).startsWith("autoglm " + path + ": ")
                    .contains("Try 'autoglm " + path + " --help' for the options.");
        }
    }

    private static void collect(CommandLine cl, String prefix, List<String> paths) {
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            String path = prefix.isEmpty() ? name : prefix + " " + name;
            if (sub.getSubcommands().isEmpty()) {
                paths.add(path);
            } else {
                collect(sub, path, paths);
            }
        });
    }

    /** bin/autoglm builds only the named subcommand ({@link AutoGlmCli#commandLineFor}): the same messages and codes. */
    @Test
    void theOneCommandTree_ofMain_reportsLikeTheWholeTree() {
        for (String[] args : List.of(args("generate", "--model", "x.gguf", "--prompt", "x", "--max-tokens", "-1"),
                args("pull"), args("frobnicate"), args("risk", "frobnicate"), args("serve", "--model", "x=/none.gguf"))) {
            CommandLine one = AutoGlmCli.commandLineFor(args);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            one.setOut(new PrintWriter(out, true));
            one.setErr(new PrintWriter(err, true));
            int exit = one.execute(args);
            Run whole = run(args);
            assertThat(exit).as(String.join(" ", args)).isEqualTo(whole.exit()).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", args)).isEqualTo(whole.err());
        }
    }

    /** Checked before the model is loaded: the model path does not even exist. */
    @Test
    void flagValueOutOfRange_exits2NamingTheFlagAndTheLimit_beforeAnythingIsLoaded(@TempDir Path dir) {
        String none = dir.resolve("none.gguf").toString();
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--max-tokens", "-1"),
                "autoglm generate: --max-tokens must be >= 1, was -1", "maxTokens");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--temperature", "-1"),
                "autoglm generate: --temperature must be >= 0 and finite, was -1.0", "temperature must");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--top-p", "1.5"),
                "autoglm generate: --top-p must be in (0, 1], was 1.5", "topP");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--repeat-penalty", "0"),
                "--repeat-penalty must be > 0 and finite, was 0.0", "repeatPenalty");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--seed", "-5"),
                "--seed must be in [0, 4294967294], was -5", "seed must");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--ctx", "3"),
                "autoglm generate: --ctx must be 0 (model default) or in [16, 1048576], was 3", "contextSize");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--threads", "0"),
                "--threads must be in [1, 512], was 0", "threads must");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--stop", ""),
                "--stop must not be empty", "stop string");
        assertFlagError(run("generate", "--model", none, "--prompt", "x", "--backend", "cuda"),
                "--backend must be ffm or jni, was cuda", "backend must");
        assertFlagError(run("tokenize", "--model", none, "--text", "x", "--threads", "600"),
                "autoglm tokenize: --threads must be in [1, 512], was 600", "threads must");
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream("Hello\n".getBytes(StandardCharsets.UTF_8)));
        try {
            assertFlagError(run("chat", "--model", none, "--min-p", "2"), "autoglm chat: --min-p must be in [0, 1], was 2.0",
                    "minP");
        } finally {
            System.setIn(old);
        }
    }

    static void assertFlagError(Run r, String message, String javaName) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContainPattern("(^|[^-])\\b" + javaName).doesNotContain("not found");
        assertThat(r.err().lines().filter(l -> !l.isBlank()).toList()).as(r.err()).hasSize(2);
        assertThat(r.err()).containsPattern("Try 'autoglm [a-z ]+ --help' for the options");
    }

    @Test
    void unknownQuantization_exits2ListingWhatGenerateAccepts(@TempDir Path dir) {
        Run r = run("generate", "--model", dir.resolve("none.gguf").toString(), "--prompt", "x", "--quantize", "q9_z");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--quantize must be auto, none or a preset (F16, BF16, Q8_0").contains("int4")
                .contains("was 'q9_z'");
    }

    /** stories260K, continuing "Lily" past its end of generation, starts a new story with its start token {@code <s>}. */
    @Test
    void generate_controlTokens_areLeftOutOfTheText_unlessSpecial() {
        String[] args = {"generate", "--model", stories(), "--prompt", "Lily", "--max-tokens", "230", "--ignore-eos"};
        Run json = run(concat(args, "--json"));
        assertThat(json.exit()).as(json.err()).isZero();
        List<Integer> tokens = new ArrayList<>();
        json.json().get("tokens").forEach(t -> tokens.add(t.asInt()));
        assertThat(tokens).as("the model emits its start token").contains(1);
        assertThat(json.json().get("text").asText()).doesNotContain("<s>").contains("Once upon a time");
        Run streamed = run(args);
        assertThat(streamed.exit()).as(streamed.err()).isZero();
        assertThat(streamed.out()).doesNotContain("<s>").contains("Once upon a time");

        Run special = run(concat(args, "--json", "--special"));
        assertThat(special.json().get("text").asText()).contains("<s> Once upon a time");
        assertThat(special.json().get("tokens")).isEqualTo(json.json().get("tokens"));
        assertThat(run(concat(args, "--special")).out()).contains("<s>");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void generate_printsNothingOnStderr() {
        Run r = run("generate", "--model", stories(), "--prompt", "Once upon a time", "--max-tokens", "8");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isNotBlank();
    }
}
