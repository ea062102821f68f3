package io.autoglm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.ModelFormatException;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.testing.FakeHub;
import io.autoglm.testing.fixtures.TestModels;
import java.lang.foreign.ValueLayout;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** References loaded end to end: a split model from the fake hub, and catalog names through {@code AutoGLM.builder()}. */
class HubModelLoadTest {
    @TempDir
    Path tmp;
    FakeHub server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeHub();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    ModelHub.Builder hub() {
        return ModelHub.builder(Map.of()).cacheDir(tmp.resolve("cache")).endpoint(server.endpoint())
                .proxy(HttpClient.Builder.NO_PROXY).retryBackoff(Duration.ofMillis(5));
    }

    static String greedy(LanguageModel m) {
        return m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(24).build()).text();
    }

    /**
     * Splits a model the way llama.cpp's gguf-split does: all metadata in the first part, {@code split.no} (u16),
     * {@code split.count} (u16) and {@code split.tensors.count} (i32) in every part, the tensors shared out in order.
     */
    static List<Path> split(Path model, Path dir, String prefix, int parts, boolean wrongNumbering) throws Exception {
        try (GgufFile f = GgufFile.open(model)) {
            List<TensorInfo> tensors = f.tensors();
            int per = (tensors.size() + parts - 1) / parts;
            List<Path> out = new java.util.ArrayList<>();
            for (int p = 0; p < parts; p++) {
                GgufWriter w = new GgufWriter();
                if (p == 0) {
                    f.metadata().forEach(w::put);
                }
                w.put("split.no", new GgufValue(GgufValueType.UINT16, (long) (wrongNumbering ? 0 : p)));
                w.put("split.count", new GgufValue(GgufValueType.UINT16, (long) parts));
                w.put("split.tensors.count", GgufValue.int32(tensors.size()));
                for (TensorInfo t : tensors.subList(p * per, Math.min(tensors.size(), (p + 1) * per))) {
                    w.addTensor(t.name(), t.type(), t.shape(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE));
                }
                Path target = dir.resolve(String.format("%s-%05d-of-%05d.gguf", prefix, p + 1, parts));
                w.write(target);
                out.add(target);
            }
            return out;
        }
    }

    @Test
    void splitModelFromTheHub_isPulledSideBySide_andGeneratesWhatTheWholeFileDoes() throws Exception {
        Path stories = TestModels.stories260K();
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        List<Path> parts = split(stories, dir, "stories", 3, false);
        for (Path p : parts) {
            server.file("org/split", "main", p.getFileName().toString(), Files.readAllBytes(p));
        }
        ModelHub hub = hub().build();
        ResolvedModel r = hub.resolve("hf://org/split/stories-00002-of-00003.gguf"); // any part names the whole model
        assertThat(r.files()).hasSize(3);
        assertThat(r.path().getFileName().toString()).isEqualTo("stories-00001-of-00003.gguf");
        assertThat(r.files()).allSatisfy(f -> assertThat(f.path().getParent()).isEqualTo(r.path().getParent()));
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readAllBytes(r.files().get(i).path())).isEqualTo(Files.readAllBytes(parts.get(i)));
        }

        String whole;
        try (LanguageModel m = AutoGLM.builder().model(stories).contextSize(256).threads(1).build()) {
            whole = greedy(m);
        }
        try (LanguageModel m = AutoGLM.builder().model("hf://org/split/stories-00001-of-00003.gguf").modelHub(hub)
                .contextSize(256).threads(1).build()) {
            assertThat(greedy(m)).isEqualTo(whole).isNotBlank();
            assertThat(m.info().path()).isEqualTo(r.path());
        }
        assertThat(server.requests("GET", "/cdn/")).hasSize(3); // the second resolve came from the cache
    }

    @Test
    void validator_checksTheTensorsOfEveryPart_andNamesAMissingOne() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("validate"));
        List<Path> parts = split(TestModels.stories260K(), dir, "v", 3, false);
        io.autoglm.validate.ModelValidator.Report r = io.autoglm.validate.ModelValidator.validate(parts.get(0));
        assertThat(r.tensors()).isEqualTo(48);
        assertThat(r.coverage()).isEqualTo(io.autoglm.validate.ModelValidator.Coverage.ARCHITECTURE);
        Files.delete(parts.get(2));
        assertThatThrownBy(() -> io.autoglm.validate.ModelValidator.validate(parts.get(0))).isInstanceOf(ModelFormatException.class)
                .hasMessage("part 3 of 3 of the split model is missing: " + parts.get(2));
    }

    @Test
    void splitPartsThatDoNotBelongTogether_areRefusedBeforeNativeCodeSeesThem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        List<Path> parts = split(TestModels.stories260K(), dir, "bad", 2, true);
        assertThatThrownBy(() -> hub().build().resolve(parts.get(0).toString()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(parts.get(1) + " is not part 2 of 2 of a split model (its split.no is 0, split.count 2)");
        Files.delete(parts.get(1));
        assertThatThrownBy(() -> hub().build().resolve(parts.get(0).toString()))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("part bad-00002-of-00002.gguf of the split model not found: " + parts.get(1).toAbsolutePath());

        Path whole = Files.copy(TestModels.stories260K(), dir.resolve("whole-00001-of-00002.gguf")); // named like a part
        ResolvedModel r = hub().build().resolve(whole.toString());
        assertThat(r.files()).hasSize(1);
        assertThat(r.path()).isEqualTo(whole);
    }

    @Test
    void builderCatalogName_isFoundOnTheSearchPath_andLoads() {
        Path stories = TestModels.stories260K();
        ModelHub hub = hub().searchPath(List.of(stories.getParent())).offline(true).build();
        try (LanguageModel m = AutoGLM.builder().model("stories260k").modelHub(hub).contextSize(256).threads(1).build()) {
            assertThat(m.info().path()).isEqualTo(stories);
            assertThat(greedy(m)).startsWith(", there was a little girl named Lily");
        }
        assertThat(server.seen).isEmpty();
    }

    @Test
    void builderReferenceThatNamesNothing_failsBeforeLoading_andMalformedOnesAtOnce() {
        ModelHub hub = hub().offline(true).build();
        assertThatThrownBy(() -> AutoGLM.builder().model("no-such-model").modelHub(hub).build())
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("'no-such-model' is neither a model file nor a catalog name");
        assertThatThrownBy(() -> AutoGLM.builder().model("hf://just-owner"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hf://owner/repo/path/file.gguf");
        assertThatThrownBy(() -> AutoGLM.builder().model("stories260k").modelHub(hub).build())
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("stories260k is not in the model cache").hasMessageContaining("autoglm pull stories260k");
    }
}
