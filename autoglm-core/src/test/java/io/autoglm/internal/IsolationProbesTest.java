package io.autoglm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.IsolationProbe;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.backend.ModelSpec;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The isolation probe: a real child JVM per probe, verdicts cached by SHA-256, a dying child turned into an exception. */
class IsolationProbesTest {
    @TempDir
    Path cache;

    private static ModelSpec spec(Path model, Backend backend) {
        return ModelSpec.builder(model).backend(backend).threads(1).contextSize(128).batchSize(128).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
    }

    @Test
    void healthyModel_isProbedInAChildOnce_thenServedFromTheCache() {
        ModelSpec s = spec(TestModels.stories260K(), Backend.FFM);
        IsolationProbes.Verdict first = IsolationProbes.check(s, IsolationProbe.UNSEEN_FILES, ProbeMain.class.getName(), cache);
        assertThat(first.healthy()).isTrue();
        assertThat(first.cached()).isFalse();
        assertThat(first.verdictFile()).exists();
        assertThat(first.verdictFile().getFileName().toString())
                .startsWith("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d-"); // PROVENANCE.md's sha256

        IsolationProbes.Verdict second = IsolationProbes.check(s, IsolationProbe.UNSEEN_FILES, ProbeMain.class.getName(), cache);
        assertThat(second.healthy()).isTrue();
        assertThat(second.cached()).isTrue();
        assertThat(second.seconds()).isLessThan(first.seconds());

        IsolationProbes.Verdict again = IsolationProbes.check(s, IsolationProbe.ALWAYS, ProbeMain.class.getName(), cache);
        assertThat(again.cached()).isFalse();
        assertThat(again.healthy()).isTrue();
    }

    @Test
    void verdicts_areKeptApartPerBackendAndLibrary() {
        Path m = TestModels.stories260K();
        assertThat(IsolationProbes.variant(spec(m, Backend.FFM))).isNotEqualTo(IsolationProbes.variant(spec(m, Backend.JNI)));
        ModelSpec current = ModelSpec.builder(m).backend(Backend.FFM).threads(1).contextSize(128).batchSize(128).nativeLibrary(Path.of("/opt/llama")).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
        assertThat(IsolationProbes.variant(current)).isNotEqualTo(IsolationProbes.variant(spec(m, Backend.FFM)));
    }

    @Test
    void childThatAborts_givesModelLoadException_withItsLastLogLine_andTheVerdictIsCached() throws Exception {
        ModelSpec s = spec(TestModels.stories260K(), Backend.FFM);
        assertThatThrownBy(() -> IsolationProbes.check(s, IsolationProbe.UNSEEN_FILES, CrashingProbeMain.class.getName(), cache))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("exit code 134")
                .hasMessageContaining("SIGABRT")
                .hasMessageContaining("would have ended the JVM")
                .hasMessageContaining(CrashingProbeMain.LINE);
        // the crash is remembered: even the real probe is not started again
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> IsolationProbes.check(s, IsolationProbe.ALWAYS, ProbeMain.class.getName(), cache))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(CrashingProbeMain.LINE)
                .hasMessageContaining("cached verdict");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(0.5);
        try (Stream<Path> v = Files.list(cache.resolve("verdicts"))) {
            assertThat(v.toList()).hasSize(1);
        }
    }

    @Test
    void cleanRefusalInTheChild_isNotCached_andLeavesTheRefusalToTheRealLoad(@TempDir Path dir) throws Exception {
        // qwen3 passes validation but the bundled b4916 does not know the architecture: a clean error, not a crash
        Path qwen3 = SyntheticModels.qwen3(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(64).layers(1).heads(2)
                .headsKv(1).ff(64).write(dir.resolve("qwen3.gguf"));
        IsolationProbes.Verdict v = IsolationProbes.check(spec(qwen3, Backend.FFM), IsolationProbe.UNSEEN_FILES,
                ProbeMain.class.getName(), cache);
        assertThat(v.healthy()).isFalse();
        assertThat(v.verdictFile()).doesNotExist();
    }

    @Test
    void childThatCannotStart_isReportedAsSuch_notAsACrashOfTheModel() {
        ModelSpec s = spec(TestModels.stories260K(), Backend.FFM);
        assertThatThrownBy(() -> IsolationProbes.check(s, IsolationProbe.UNSEEN_FILES, "io.autoglm.NoSuchMain", cache))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("could not start the isolation probe");
        assertThat(cache.resolve("verdicts")).doesNotExist();
    }

    @Test
    void childCommand_passesTheOptionsAndTheClassPath() {
        ModelSpec s = ModelSpec.builder(TestModels.stories260K()).backend(Backend.JNI).threads(3).contextSize(256).batchSize(64).maxQueuedRequests(4).embeddings(true).parallel(1).prefixCache(false).build();
        List<String> cmd = IsolationProbes.command(s, s.path(), ProbeMain.class.getName());
        assertThat(cmd).contains("-cp", System.getProperty("java.class.path"), ProbeMain.class.getName(), "backend=JNI",
                "threads=3", "context=256", "batch=64", "embeddings=true", "quantization=NONE");
        assertThat(cmd).anyMatch(a -> a.startsWith("--enable-native-access"));
        assertThat(cmd).noneMatch(a -> a.startsWith("-agentlib") || a.startsWith("-javaagent"));
    }

    @Test
    void builder_withProbe_loadsAndGenerates() {
        // the JNI backend, an optional module, has the same test in its module (JniIsolationProbeTest)
        for (Backend b : List.of(Backend.FFM)) {
            try (LanguageModel m = AutoGLM.builder().model(TestModels.stories260K()).backend(b).threads(1).contextSize(128)
                    .embeddings(false).isolationProbe(IsolationProbe.ALWAYS).build()) {
                Completion c = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(8).build());
                assertThat(c.text()).as(b.name()).startsWith(", there was a little girl");
            }
        }
    }

    @Test
    void builder_withProbe_onTheCurrentLibrary_probesWithThatLibrary(@TempDir Path dir) throws Exception {
        Path qwen3 = SyntheticModels.qwen3(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(64).layers(1).heads(2)
                .headsKv(1).ff(64).seed(5).write(dir.resolve("qwen3.gguf"));
        try (LanguageModel m = AutoGLM.builder().model(qwen3).nativeLibrary(CurrentLlama.folder()).threads(1).contextSize(64)
                .embeddings(false).isolationProbe(IsolationProbe.ALWAYS).build()) {
            assertThat(m.complete(CompletionRequest.builder().prompt("Hi").maxTokens(2).ignoreEos(true).build()).tokens())
                    .hasSize(2);
        }
    }

    @Test
    void modeNames_parse_andBadNamesAreRefusedNamingTheChoices() {
        assertThat(IsolationProbe.parse("unseen-files")).isEqualTo(IsolationProbe.UNSEEN_FILES);
        assertThat(IsolationProbe.parse("UNSEEN")).isEqualTo(IsolationProbe.UNSEEN_FILES);
        assertThat(IsolationProbe.parse("always")).isEqualTo(IsolationProbe.ALWAYS);
        assertThat(IsolationProbe.parse("off")).isEqualTo(IsolationProbe.OFF);
        assertThatThrownBy(() -> IsolationProbe.parse("sometimes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("off, unseen-files or always").hasMessageContaining("sometimes");
        assertThatThrownBy(() -> AutoGLM.builder().isolationProbe(null)).isInstanceOf(NullPointerException.class);
    }
}
