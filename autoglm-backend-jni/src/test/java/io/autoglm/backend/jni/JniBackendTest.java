package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.Backend;
import io.autoglm.ChatMessage;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.SerialBackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.InferenceBackend;
import io.autoglm.backend.ModelSpec;
import io.autoglm.testing.fixtures.TestModels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The JNI backend on the two shared test models. Models are loaded once: de.kherud never frees them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JniBackendTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "The cat sat on the", "Lily and Tom went to the park.",
            "\"Hello,\" said the", "1 2 3 4");

    private SerialBackendModel stories;
    private SerialBackendModel tiny;

    static ModelSpec spec(Path p, int ctx, boolean embeddings) {
        return ModelSpec.builder(p).backend(Backend.JNI).threads(1).contextSize(ctx).batchSize(512).maxQueuedRequests(16).embeddings(embeddings).parallel(1).prefixCache(false).build();
    }

    @BeforeAll
    void load() {
        stories = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 512, false));
        tiny = (SerialBackendModel) new JniBackend().load(spec(TestModels.tinyRandom(), 512, false));
    }

    @AfterAll
    void close() {
        if (stories != null) {
            stories.close();
        }
        if (tiny != null) {
            tiny.close();
        }
    }

    static List<Integer> greedy(SerialBackendModel m, int[] prompt, int max) {
        List<Integer> ids = new ArrayList<>();
        m.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(max).ignoreEos(false).build(), ids::add);
        return ids;
    }

    static String text(SerialBackendModel m, List<Integer> ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(m.tokenBytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void serviceLoader_findsJniBackend() {
        assertThat(ServiceLoader.load(InferenceBackend.class).stream().map(ServiceLoader.Provider::get)
                .map(InferenceBackend::name)).contains("jni");
    }

    @Test
    void load_reportsModelSizes() {
        assertThat(stories.backendName()).isEqualTo("jni");
        assertThat(stories.vocabSize()).isEqualTo(512);
        assertThat(stories.embeddingLength()).isEqualTo(64);
        assertThat(stories.contextSize()).isEqualTo(512);
        assertThat(tiny.vocabSize()).isEqualTo(32000);
        assertThat(tiny.embeddingLength()).isEqualTo(8);
        assertThat(stories.nativeLibrary()).contains("libjllama").contains("b4916");
    }

    @Test
    void greedy_isDeterministic_onBothModels() {
        for (SerialBackendModel m : List.of(stories, tiny)) {
            for (String p : PROMPTS.subList(0, 2)) {
                int[] prompt = m.tokenize(p, true, false);
                List<Integer> a = greedy(m, prompt, 40);
                List<Integer> b = greedy(m, prompt, 40);
                assertThat(a).hasSize(40).isEqualTo(b);
            }
        }
    }

    @Test
    void greedy_tokenIdsDetokenizeToTheTextTheBindingGenerates() {
        for (SerialBackendModel m : List.of(stories, tiny)) {
            for (String p : PROMPTS) {
                int[] prompt = m.tokenize(p, true, false);
                List<Integer> ids = greedy(m, prompt, 48);
                String reference = ((JniModel) m).referenceText(prompt, 48);
                assertThat(ids).as("prompt %s", p).hasSize(48).allSatisfy(id -> assertThat(id).isBetween(0, m.vocabSize() - 1));
                assertThat(text(m, ids)).as("prompt %s", p).isEqualTo(reference);
            }
        }
    }

    @Test
    void greedy_onStories_writesAStory() {
        List<Integer> ids = greedy(stories, stories.tokenize("Once upon a time", true, false), 30);
        assertThat(text(stories, ids)).startsWith(", there was a little girl named Lily.");
    }

    @Test
    void sink_returningFalse_stopsAtOnce() {
        List<Integer> seen = new ArrayList<>();
        GenerationResult r = stories.generate(GenerationSpec.builder(stories.tokenize("Once upon a time", true, false)).sampling(SamplingParams.greedy()).maxTokens(50).ignoreEos(false).build(), t -> {
                    seen.add(t);
                    return seen.size() < 7;
                });
        assertThat(r.end()).isEqualTo(GenerationResult.End.SINK_STOPPED);
        assertThat(seen).hasSize(7);
        assertThat(r.generatedTokens()).isEqualTo(7);
        // the model is usable afterwards and still deterministic
        assertThat(greedy(stories, stories.tokenize("Once upon a time", true, false), 7)).isEqualTo(seen);
    }

    @Test
    void maxTokens_endsWithLengthAndTimings() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        long t0 = System.nanoTime();
        GenerationResult r = stories.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(12).build(),
                t -> true);
        double wallMillis = (System.nanoTime() - t0) / 1e6;
        assertThat(r.end()).isEqualTo(GenerationResult.End.LENGTH);
        assertThat(r.generatedTokens()).isEqualTo(12);
        assertThat(r.promptTokens()).isEqualTo(prompt.length);
        // both phases took time, and together no more than the call (a unit mix-up would break this)
        assertThat(r.promptMillis()).isPositive();
        assertThat(r.decodeMillis()).isPositive();
        assertThat(r.promptMillis() + r.decodeMillis()).isLessThanOrEqualTo(wallMillis);
    }

    @Test
    void fullContext_endsWithContextFull() {
        try (SerialBackendModel small = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 32, false))) {
            int[] prompt = small.tokenize("Once upon a time", true, false);
            List<Integer> ids = new ArrayList<>();
            GenerationResult r = small.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(100).ignoreEos(true).build(), ids::add);
            assertThat(r.end()).isEqualTo(GenerationResult.End.CONTEXT_FULL);
            assertThat(small.contextSize()).isEqualTo(32);
            assertThat(ids).hasSize(32 - prompt.length + 1); // the token sampled with the context full counts
        }
    }

    @Test
    void grammar_constrainsOutput_thenEndOfGeneration() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        List<Integer> ids = new ArrayList<>();
        GenerationResult r = stories.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(40).ignoreEos(false).grammar("root ::= \" the end\"").build(), ids::add);
        assertThat(text(stories, ids)).isEqualTo(" the end");
        assertThat(r.end()).isEqualTo(GenerationResult.End.END_OF_GENERATION);
        assertThat(ids).noneMatch(stories::isEndOfGeneration);
    }

    @Test
    void invalidGrammar_isRejected() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        assertThatThrownBy(() -> stories.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(5)
                .grammar("root ::= ( \"unclosed\"").build(), t -> true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(greedy(stories, prompt, 3)).hasSize(3);
    }

    @Test
    void seededSampling_isReproducible() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        SamplingParams s = SamplingParams.builder().temperature(1.0f).topK(40).topP(0.95f).seed(1234).build();
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        stories.generate(GenerationSpec.builder(prompt).sampling(s).maxTokens(40).ignoreEos(true).build(), a::add);
        stories.generate(GenerationSpec.builder(prompt).sampling(s).maxTokens(40).ignoreEos(true).build(), b::add);
        stories.generate(GenerationSpec.builder(prompt).sampling(s.toBuilder().seed(99).build()).maxTokens(40).ignoreEos(true).build(), c::add);
        assertThat(a).hasSize(40).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
        assertThat(a).isNotEqualTo(greedy(stories, prompt, 40));
    }

    @Test
    void endOfGeneration_isEos() {
        assertThat(stories.isEndOfGeneration(2)).isTrue();
        assertThat(stories.isEndOfGeneration(1)).isFalse();
        assertThat(stories.isEndOfGeneration(300)).isFalse();
        assertThat(tiny.isEndOfGeneration(2)).isTrue();
        assertThat(tiny.isEndOfGeneration(29871)).isFalse();
    }

    @Test
    void tokenize_addSpecialAddsBos_only() {
        int[] with = stories.tokenize("Once upon a time", true, false);
        int[] without = stories.tokenize("Once upon a time", false, false);
        assertThat(with[0]).isEqualTo(1);
        assertThat(without).isEqualTo(java.util.Arrays.copyOfRange(with, 1, with.length));
        assertThat(stories.tokenize("", false, false)).isEmpty();
        assertThat(stories.tokenize("", true, false)).containsExactly(1);
        assertThat(stories.tokenize("a</s>", false, true)).endsWith(2);
        assertThatThrownBy(() -> stories.tokenize("a</s>", false, false)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void tokenBytes_areRawPieces() {
        assertThat(tiny.tokenBytes(3 + 0x41)).containsExactly(0x41); // byte token <0x41>
        assertThat(tiny.tokenBytes(3 + 0xE2)).containsExactly((byte) 0xE2); // a lone lead byte, not valid UTF-8
        assertThat(new String(tiny.tokenBytes(15043), StandardCharsets.UTF_8)).isEqualTo(" Hello");
        assertThat(new String(tiny.tokenBytes(2), StandardCharsets.UTF_8)).isEqualTo("</s>");
        assertThatThrownBy(() -> tiny.tokenBytes(32000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tiny.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chatTemplate_builtinChatml_whenModelHasNone() {
        assertThat(stories.chatTemplate()).isEmpty();
        String p = stories.applyChatTemplate("chatml", List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
        assertThat(p).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        String q = stories.applyChatTemplate("chatml", List.of(ChatMessage.user("Hi")), false);
        assertThat(q).isEqualTo("<|im_start|>user\nHi<|im_end|>\n");
        assertThatThrownBy(() -> stories.applyChatTemplate("llama2", List.of(ChatMessage.user("Hi")), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chatml");
    }

    @Test
    void chatTemplate_fixedAtLoad_isApplied() {
        ModelSpec s = ModelSpec.builder(TestModels.stories260K()).backend(Backend.JNI).threads(1).contextSize(128).batchSize(128).chatTemplate("llama2").maxQueuedRequests(16).embeddings(false).parallel(1).prefixCache(false).build();
        try (SerialBackendModel m = (SerialBackendModel) new JniBackend().load(s)) {
            String p = m.applyChatTemplate("llama2", List.of(ChatMessage.user("Hi")), true);
            assertThat(p).contains("[INST]").contains("Hi").contains("[/INST]");
        }
    }

    @Test
    void badInputs_areRejectedWithoutCrashing() {
        int ctx = stories.contextSize();
        assertThatThrownBy(() -> stories.generate(GenerationSpec.builder(new int[0]).sampling(SamplingParams.greedy()).maxTokens(5).ignoreEos(false).build(), t -> true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stories.generate(GenerationSpec.builder(new int[] {1, 512}).sampling(SamplingParams.greedy()).maxTokens(5).ignoreEos(false).build(), t -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
        assertThatThrownBy(() -> stories.generate(GenerationSpec.builder(new int[ctx + 1]).sampling(SamplingParams.greedy()).maxTokens(5).ignoreEos(false).build(), t -> true))
                .isInstanceOf(io.autoglm.ContextOverflowException.class);
        assertThatThrownBy(() -> stories.generate(GenerationSpec.builder(new int[] {1}).sampling(SamplingParams.greedy()).maxTokens(-1).ignoreEos(false).build(), t -> true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stories.evaluate(new int[] {1}, (i, l) -> { }))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> stories.embed(new int[] {1, 2}, true)).isInstanceOf(IllegalStateException.class);
        assertThat(greedy(stories, new int[] {1}, 2)).hasSize(2);
    }

    @Test
    void load_rejectsMissingFilesAndForeignLibraries(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> new JniBackend().load(spec(dir.resolve("missing.gguf"), 64, false)))
                .isInstanceOf(io.autoglm.ModelLoadException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new JniBackend().load(spec(dir, 64, false)))
                .isInstanceOf(io.autoglm.ModelLoadException.class).hasMessageContaining("not a regular file");
        ModelSpec foreign = ModelSpec.builder(TestModels.stories260K()).backend(Backend.JNI).threads(1).contextSize(64).batchSize(64).nativeLibrary(dir.resolve("libllama.so")).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
        assertThatThrownBy(() -> new JniBackend().load(foreign)).isInstanceOf(io.autoglm.ModelLoadException.class)
                .hasMessageContaining("ffm");
    }

    @Test
    void close_whileGenerating_stopsTheGenerationAndWaitsForIt() throws Exception {
        SerialBackendModel m = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 512, false));
        int[] prompt = m.tokenize("Once upon a time", true, false);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<GenerationResult> f = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                m.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(450).ignoreEos(true).build(), t -> {
                    started.countDown();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }));
        assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        m.close();
        GenerationResult r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.end()).isEqualTo(GenerationResult.End.SINK_STOPPED);
        assertThat(r.generatedTokens()).isBetween(1, 449);
        assertThatThrownBy(() -> m.tokenize("x", true, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentCallers_getTheAnswerTheyGetAlone() throws Exception {
        int[] prompt = tiny.tokenize("The cat sat on the", true, false);
        List<Integer> alone = greedy(tiny, prompt, 32);
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<Integer>>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(ex.submit(() -> greedy(tiny, prompt, 32)));
            }
            for (var fu : fs) {
                assertThat(fu.get(120, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(alone);
            }
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void promptFillingTheContext_generatesOneToken() {
        try (SerialBackendModel small = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 32, false))) {
            int[] prompt = new int[32];
            java.util.Arrays.fill(prompt, 1, 32, 300);
            prompt[0] = 1;
            List<Integer> ids = new ArrayList<>();
            GenerationResult r = small.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(10).ignoreEos(false).build(), ids::add);
            assertThat(r.end()).isEqualTo(GenerationResult.End.CONTEXT_FULL);
            assertThat(ids).hasSize(1);
        }
    }

    @Test
    void close_isIdempotent_andUseAfterCloseThrows() {
        SerialBackendModel m = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 64, false));
        int[] prompt = m.tokenize("Once", true, false);
        assertThat(greedy(m, prompt, 3)).hasSize(3);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.tokenize("x", true, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("closed: ");
        assertThatThrownBy(() -> greedy(m, prompt, 3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::vocabSize).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.tokenBytes(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void embeddings_haveModelDimension_areNormalised_andDeterministic() {
        try (SerialBackendModel m = (SerialBackendModel) new JniBackend().load(spec(TestModels.stories260K(), 128, true))) {
            int[] a = m.tokenize("Once upon a time", true, false);
            int[] b = m.tokenize("The dog barked loudly at the mailman", true, false);
            float[] ea = m.embed(a, true);
            float[] ea2 = m.embed(a, true);
            float[] eb = m.embed(b, true);
            assertThat(ea).hasSize(64).containsExactly(ea2);
            assertThat(eb).hasSize(64).isNotEqualTo(ea);
            double norm = 0;
            for (float v : ea) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThatThrownBy(() -> m.embed(a, false)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
