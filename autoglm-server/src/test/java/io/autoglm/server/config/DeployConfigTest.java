package io.autoglm.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.Device;
import io.autoglm.Quantization;
import io.autoglm.routing.TaskExamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and checking {@code autoglm.yaml}: the agreed schema, defaults, interpolation and errors with line numbers. */
class DeployConfigTest {
    private static final Path DIR = Path.of("/srv/autoglm");

    private static DeployConfig parse(String yaml, Map<String, String> env) {
        return DeployConfig.parse(yaml, "autoglm.yaml", DIR, env::get);
    }

    private static DeployConfig parse(String yaml) {
        return parse(yaml, Map.of());
    }

    private static ConfigException error(String yaml, Map<String, String> env) {
        try {
            parse(yaml, env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("no error for:\n" + yaml);
    }

    private static ConfigException error(String yaml) {
        return error(yaml, Map.of());
    }

    static final String FULL = """
            server:
              host: 0.0.0.0
              port: 9090
              api-keys: ["${AUTOGLM_API_KEY}", "sk-second-0123456789 name=ops models=stories rpm=60"]
              limits: {max-body-bytes: 2M, max-prompt-tokens: 512, request-timeout: 2m, shutdown-timeout: 5s, stream-buffer: 64}
              response-cache: {max-bytes: 16M, ttl: 1h}
              metrics-open: true
            models:
              - name: stories            # unique
                model: stories260k
                quantize: auto
                memory-budget: 2G
                parallel: 4
                context: 2048
                threads: 2
                batch: 512
                ubatch: 256
                flash-attention: false
                device: cpu
                chat-template: chatml
                aliases: [default]
                profile: {tasks: [chat, summarisation], quality: 0.6, latency: 0.9, memory: 0.9}
              - name: coder
                model: models/coder.gguf
                quantize: Q4_K_M
                profile: {tasks: [code, maths], quality: 0.8, latency: 0.3, memory: 0.2}
            routing: {model-name: auto, embedding: "model:stories", k: 5}
            """;

    @Test
    void parse_agreedSchema_readsEveryField() {
        DeployConfig c = parse(FULL, Map.of("AUTOGLM_API_KEY", "sk-env-key-0123456789"));
        DeployConfig.Server s = c.server();
        assertThat(s.host()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isEqualTo(9090);
        assertThat(s.apiKeys()).hasSize(2);
        assertThat(s.apiKeys().get(1).name()).isEqualTo("ops");
        assertThat(s.apiKeys().get(1).models()).containsExactly("stories");
        assertThat(s.maxBodyBytes()).isEqualTo(2L << 20);
        assertThat(s.maxPromptTokens()).isEqualTo(512);
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.streamBuffer()).isEqualTo(64);
        assertThat(s.responseCacheBytes()).isEqualTo(16L << 20);
        assertThat(s.responseCacheTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(s.metricsOpen()).isTrue();

        assertThat(c.models()).extracting(DeployConfig.Model::name).containsExactly("stories", "coder");
        DeployConfig.Model m = c.models().get(0);
        assertThat(m.reference()).isEqualTo("stories260k"); // a catalog name stays a name
        assertThat(m.quantize()).isEqualTo(Quantization.AUTO);
        assertThat(m.memoryBudget()).isEqualTo(2L << 30);
        assertThat(m.parallel()).isEqualTo(4);
        assertThat(m.context()).isEqualTo(2048);
        assertThat(m.threads()).isEqualTo(2);
        assertThat(m.batch()).isEqualTo(512);
        assertThat(m.ubatch()).isEqualTo(256);
        assertThat(m.flashAttention()).isFalse();
        assertThat(m.device()).isEqualTo(Device.CPU);
        assertThat(m.chatTemplate()).isEqualTo("chatml");
        assertThat(m.aliases()).containsExactly("default");
        assertThat(m.profile().orElseThrow().tasks()).containsExactlyInAnyOrder(TaskExamples.CHAT, TaskExamples.SUMMARIZATION);
        assertThat(m.profile().orElseThrow().latency()).isEqualTo(0.9);
        assertThat(m.line()).isEqualTo(9);

        DeployConfig.Model coder = c.models().get(1);
        assertThat(coder.reference()).isEqualTo(DIR.resolve("models/coder.gguf").toString()); // relative to the file
        assertThat(coder.quantize()).isEqualTo(Quantization.Q4_K_M);
        assertThat(coder.parallel()).isNull(); // left to the engine
        assertThat(coder.profile().orElseThrow().tasks()).containsExactlyInAnyOrder(TaskExamples.CODE, TaskExamples.MATH);

        DeployConfig.Routing r = c.routing().orElseThrow();
        assertThat(r.modelName()).isEqualTo("auto");
        assertThat(r.embeddingModel()).contains("stories");
        assertThat(r.k()).isEqualTo(5);
        assertThat(c.summary()).contains("stories = stories260k").contains("routing auto -> [stories, coder]");
    }

    @Test
    void parse_minimal_takesTheServersDefaults() {
        DeployConfig c = parse("models:\n  - {name: s, model: /m/stories260K.gguf}\n");
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().apiKeys()).isEmpty();
        assertThat(c.server().maxBodyBytes()).isEqualTo(8L << 20);
        assertThat(c.server().requestTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.server().responseCacheBytes()).isEqualTo(64L << 20);
        assertThat(c.routing()).isEmpty();
        assertThat(c.models().get(0).reference()).isEqualTo("/m/stories260K.gguf");
    }

    @Test
    void interpolation_defaultsEmptyValuesAndEscapes() {
        String yaml = """
                server:
                  port: ${PORT:-8181}
                  api-keys: ["${AUTOGLM_API_KEY:-}"]
                models:
                  - name: ${NAME}
                    model: ${MODELS}/stories260K.gguf
                    chat-template: "$${not a variable}"
                """;
        DeployConfig c = parse(yaml, Map.of("NAME", "tiny", "MODELS", "/data/models"));
        assertThat(c.server().port()).isEqualTo(8181);
        assertThat(c.server().apiKeys()).isEmpty(); // unset with an empty default: no key
        assertThat(c.models().get(0).name()).isEqualTo("tiny");
        assertThat(c.models().get(0).reference()).isEqualTo("/data/models/stories260K.gguf");
        assertThat(c.models().get(0).chatTemplate()).isEqualTo("${not a variable}");

        DeployConfig set = parse(yaml, Map.of("NAME", "tiny", "MODELS", "/m", "PORT", "7000", "AUTOGLM_API_KEY", "sk-x-0123456789"));
        assertThat(set.server().port()).isEqualTo(7000);
        assertThat(set.server().apiKeys()).hasSize(1);
    }

    @Test
    void missingEnvironmentVariable_namesItWithLineAndField() {
        ConfigException e = error("""
                server:
                  api-keys: ["${AUTOGLM_API_KEY}"]
                models:
                  - {name: s, model: stories260k}
                """, Map.of());
        assertThat(e.getMessage()).isEqualTo("autoglm.yaml:2:14: server.api-keys[0]: environment variable AUTOGLM_API_KEY is "
                + "not set (set it, or give a default: ${AUTOGLM_API_KEY:-value})");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.field()).isEqualTo("server.api-keys[0]");
    }

    @Test
    void invalidYaml_isOneLineWithLineAndColumn() {
        ConfigException e = error("server:\n  port: 8080\n models: [\n");
        assertThat(e.getMessage()).startsWith("autoglm.yaml:3:").contains("invalid YAML").doesNotContain("\n");
        assertThat(e.line()).isEqualTo(3);
    }

    @Test
    void unknownField_isNamedWithTheNearestKnownOne() {
        ConfigException e = error("""
                models:
                  - name: s
                    model: stories260k
                    paralel: 4
                """);
        assertThat(e.getMessage()).startsWith("autoglm.yaml:4:5: models[0].paralel: unknown field; did you mean 'parallel'?");
        ConfigException top = error("modles:\n  - {name: s, model: x}\n");
        assertThat(top.getMessage()).startsWith("autoglm.yaml:1:1: modles: unknown field; did you mean 'models'?");
        ConfigException far = error("server: {colour: blue}\nmodels: [{name: s, model: x}]\n");
        assertThat(far.getMessage()).startsWith("autoglm.yaml:1:10: server.colour: unknown field (server has host, port,");
    }

    @Test
    void badValues_nameFieldValueAndLimit() {
        assertThat(error("models:\n  - {name: s, model: x, quantize: Q9_K_M}\n").getMessage())
                .startsWith("autoglm.yaml:2:35: models[0].quantize: unknown preset 'Q9_K_M'; expected auto, none or a preset")
                .contains("; did you mean 'q");
        assertThat(error("models:\n  - {name: s, model: x, device: cuda2}\n").getMessage())
                .isEqualTo("autoglm.yaml:2:33: models[0].device: unknown device 'cuda2'; expected one of cpu, cuda, metal, "
                        + "vulkan; did you mean 'cuda'?");
        assertThat(error("models:\n  - {name: s, model: x, parallel: 65}\n").getMessage())
                .isEqualTo("autoglm.yaml:2:35: models[0].parallel: must be in [1, 64], was 65");
        assertThat(error("server: {port: 70000}\nmodels: [{name: s, model: x}]\n").getMessage())
                .isEqualTo("autoglm.yaml:1:16: server.port: must be in [0, 65535], was 70000");
        assertThat(error("models:\n  - {name: s, model: x, memory-budget: lots}\n").getMessage())
                .startsWith("autoglm.yaml:2:40: models[0].memory-budget: must be a size such as 512M");
        assertThat(error("models:\n  - {name: s, model: x, flash-attention: maybe}\n").getMessage())
                .contains("models[0].flash-attention: must be true or false, was 'maybe'");
        assertThat(error("server: {limits: {request-timeout: soon}}\nmodels: [{name: s, model: x}]\n").getMessage())
                .contains("server.limits.request-timeout: must be a duration");
        assertThat(error("models:\n  - {name: s, model: x, batch: 64, ubatch: 128}\n").getMessage())
                .contains("models[0].ubatch: must be <= batch (64), was 128");
        assertThat(error("models:\n  - {name: s, model: \"ftp://host/m.gguf\"}\n").getMessage())
                .contains("models[0].model: model reference 'ftp://host/m.gguf' has an unsupported scheme");
    }

    @Test
    void twoModelsOfOneName_areRefusedWithBothLines() {
        ConfigException e = error("""
                models:
                  - name: stories
                    model: stories260k
                  - name: stories
                    model: /m/other.gguf
                """);
        assertThat(e.getMessage()).isEqualTo("autoglm.yaml:4:5: models[1].name: two models are named 'stories' (also "
                + "models[0].name on line 2); names and aliases must differ");
        assertThat(error("models:\n  - {name: a, model: x, aliases: [b]}\n  - {name: b, model: y}\n").getMessage())
                .contains("models[1].name: two models are named 'b' (also models[0].aliases[0] on line 2)");
    }

    @Test
    void missingAndEmptyParts_areRequired() {
        assertThat(error("").getMessage()).isEqualTo("autoglm.yaml:1:1: the file is empty; it needs at least a models list");
        assertThat(error("server: {port: 1}\n").getMessage()).startsWith("autoglm.yaml:1:1: models: is required");
        assertThat(error("models:\n  - {name: s}\n").getMessage()).isEqualTo("autoglm.yaml:2:5: models[0].model: is required");
        assertThat(error("models:\n  - {model: x}\n").getMessage()).isEqualTo("autoglm.yaml:2:5: models[0].name: is required");
        assertThat(error("models: {name: s}\n").getMessage()).isEqualTo("autoglm.yaml:1:9: models: must be a list, was a map");
        assertThat(error("server:\n  port: 1\n  port: 2\nmodels: [{name: s, model: x}]\n").getMessage())
                .isEqualTo("autoglm.yaml:3:3: server.port: given twice (first on line 2)");
    }

    @Test
    void routing_checksItsReferences() {
        String models = "models:\n  - {name: a, model: x, profile: {tasks: [chat]}}\n  - {name: b, model: y}\n";
        assertThat(error(models + "routing: {embedding: \"model:c\"}\n").getMessage())
                .startsWith("autoglm.yaml:4:22: routing.embedding: no model named 'c'");
        assertThat(error(models + "routing: {model-name: a, embedding: \"model:a\"}\n").getMessage())
                .contains("routing.model-name: 'a' is also a model's name");
        assertThat(error(models + "routing: {k: 3}\n").getMessage()).contains("routing.embedding: is required");
        // the server module alone has no embedding provider (autoglm-routing-minilm adds minilm)
        assertThat(error(models + "routing: {embedding: minilm}\n").getMessage()).startsWith("autoglm.yaml:4:22: "
                + "routing.embedding: no embedding provider named 'minilm' on the class path (none is; add "
                + "io.autoglm:autoglm-routing-minilm for minilm), or embed with a served model: model:NAME");
        assertThat(error("models:\n  - {name: a, model: x, profile: {tasks: [poetry]}}\nrouting: {embedding: \"model:a\"}\n")
                .getMessage()).startsWith("autoglm.yaml:2:42: models[0].profile.tasks: unknown task 'poetry'");
        assertThat(error("models:\n  - {name: a, model: x}\nrouting: {embedding: \"model:a\"}\n").getMessage())
                .contains("routing: no model has a profile");
        assertThat(error("models:\n  - {name: a, model: x, profile: {quality: 2}}\n").getMessage())
                .contains("models[0].profile.quality: must be in [0.0, 1.0], was 2");
    }

    @Test
    void docsExample_parses() {
        Path example = io.autoglm.testing.fixtures.TestModels.projectRoot().resolve("docs/examples/autoglm.yaml");
        DeployConfig c = DeployConfig.load(example, Map.of("AUTOGLM_API_KEY", "sk-local-0123456789")::get);
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.models()).extracting(DeployConfig.Model::name).containsExactly("stories", "stories-long");
        assertThat(c.routing().orElseThrow().embeddingModel()).contains("stories");
        assertThatThrownBy(() -> DeployConfig.load(example, Map.<String, String>of()::get))
                .hasMessageContaining("environment variable AUTOGLM_API_KEY is not set");
    }

    @Test
    void load_missingFile_namesIt() {
        assertThatThrownBy(() -> DeployConfig.load(Path.of("/nonexistent/autoglm.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/nonexistent/autoglm.yaml: cannot read the file");
    }
}
