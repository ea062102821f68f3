package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.ChatMessage;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.ModelSpec;
import io.autoglm.backend.ffm.FfmBackend;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JNI backend must give the FFM backend's token ids for the same model and prompt. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JniFfmComparisonTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private LanguageModel jniStories;
    private LanguageModel ffmStories;
    private LanguageModel jniTiny;
    private LanguageModel ffmTiny;

    private LanguageModel load(Backend b, Path p) {
        return load(b, p, 512);
    }

    private LanguageModel load(Backend b, Path p, int ctx) {
        LanguageModel m = AutoGLM.builder().model(p).backend(b).threads(1).contextSize(ctx).batchSize(Math.min(512, ctx))
                .parallel(1).prefixCache(false).maxQueuedRequests(16).embeddings(false).build();
        open.add(m);
        return m;
    }

    /** Backend models for the vocabulary comparisons (no generation: any thread may use them). */
    private BackendModel backend(Backend b, Path p) {
        ModelSpec s = ModelSpec.builder(p).backend(b).threads(1).contextSize(64).batchSize(64).parallel(1).prefixCache(false)
                .embeddings(false).build();
        BackendModel m = b == Backend.JNI ? new JniBackend().load(s) : new FfmBackend().load(s);
        open.add(m);
        return m;
    }

    @BeforeAll
    void load() {
        jniStories = load(Backend.JNI, TestModels.stories260K());
        ffmStories = load(Backend.FFM, TestModels.stories260K());
        jniTiny = load(Backend.JNI, TestModels.tinyRandom());
        ffmTiny = load(Backend.FFM, TestModels.tinyRandom());
    }

    @AfterAll
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private record Run(List<Integer> ids, FinishReason end) {
    }

    private static Run run(LanguageModel m, int[] prompt, SamplingParams s, int max) {
        return run(m, prompt, s, max, false);
    }

    private static Run run(LanguageModel m, int[] prompt, SamplingParams s, int max, boolean ignoreEos) {
        Completion c = m.complete(CompletionRequest.builder().promptTokens(prompt).sampling(s).maxTokens(max).ignoreEos(ignoreEos)
                .build());
        return new Run(Arrays.stream(c.tokens()).boxed().toList(), c.finishReason());
    }

    private List<LanguageModel[]> pairs() {
        return List.of(new LanguageModel[] {jniStories, ffmStories}, new LanguageModel[] {jniTiny, ffmTiny});
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time", "The cat sat on the", "Lily and Tom went to the park.", "\"Hello,\" said the",
        "1 2 3 4", "Ünïcödé ✓ 日本語"})
    void greedy_sameTokenIds_onBothModels(String text) {
        for (LanguageModel[] pair : pairs()) {
            int[] prompt = pair[1].tokenize(text, true, false);
            assertThat(pair[0].tokenize(text, true, false)).as("tokenization of %s", text).containsExactly(prompt);
            Run jni = run(pair[0], prompt, SamplingParams.greedy(), 96);
            Run ffm = run(pair[1], prompt, SamplingParams.greedy(), 96);
            assertThat(jni.ids()).as("greedy ids for %s", text).isEqualTo(ffm.ids());
            assertThat(jni.end()).isEqualTo(ffm.end());
        }
    }

    /**
     * Prompts after which tiny-random's greedy output contains byte-fallback tokens: 92 is {@code <0x59>},
     * which renders "Y" exactly like the normal token "Y" (only probes can tell them apart), and 184 is
     * {@code <0xB5>}, a lone continuation byte that reaches Java as U+FFFD.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 779, 3107, 2913})
    void greedy_sameTokenIds_whenByteFallbackTokensAreGenerated(int second) {
        int[] prompt = {1, second};
        Run jni = run(jniTiny, prompt, SamplingParams.greedy(), 48);
        Run ffm = run(ffmTiny, prompt, SamplingParams.greedy(), 48);
        assertThat(ffm.ids()).as("the case this test is about").anyMatch(id -> id == 92 || id == 184);
        assertThat(jni.ids()).isEqualTo(ffm.ids());
    }

    /**
     * stories260K never samples its EOS (TinyStories separates stories with BOS), so a copy whose
     * {@code tokenizer.ggml.eos_token_id} is patched to 13 (the byte token for a newline, which it
     * writes often) exercises end-of-generation on both backends.
     */
    static Path storiesWithNewlineEos(Path dir) throws IOException {
        byte[] b = Files.readAllBytes(TestModels.stories260K());
        byte[] key = "tokenizer.ggml.eos_token_id".getBytes(StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 8; i + key.length + 8 <= b.length && at < 0; i++) {
            if (Arrays.equals(b, i, i + key.length, key, 0, key.length)) {
                at = i + key.length;
            }
        }
        assertThat(at).as("eos key found").isPositive();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.getInt(at)).as("uint32 type").isEqualTo(4);
        assertThat(buf.getInt(at + 4)).isEqualTo(2);
        buf.putInt(at + 4, 13);
        Path out = dir.resolve("stories260K-eos13.gguf");
        Files.write(out, b);
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void greedy_endOfGeneration_andIgnoreEos_sameAsFfm(boolean ignoreEos, @TempDir Path dir) throws IOException {
        Path model = storiesWithNewlineEos(dir);
        LanguageModel jni = load(Backend.JNI, model);
        LanguageModel ffm = load(Backend.FFM, model);
        assertThat(backend(Backend.JNI, model).isEndOfGeneration(13)).isTrue();
        assertThat(backend(Backend.FFM, model).isEndOfGeneration(13)).isTrue();
        for (String text : List.of("Once upon a time", "Tom was sad.", "The sun was hot.")) {
            int[] prompt = ffm.tokenize(text, true, false);
            Run rj = run(jni, prompt, SamplingParams.greedy(), 160, ignoreEos);
            Run rf = run(ffm, prompt, SamplingParams.greedy(), 160, ignoreEos);
            List<Integer> j = rj.ids();
            assertThat(j).as("%s ignoreEos=%s", text, ignoreEos).isEqualTo(rf.ids());
            assertThat(rj.end()).isEqualTo(rf.end());
            if (ignoreEos) {
                assertThat(rj.end()).isEqualTo(FinishReason.LENGTH);
                assertThat(j).hasSize(160).contains(13);
            } else {
                assertThat(rj.end()).isEqualTo(FinishReason.END_OF_GENERATION);
                assertThat(j).doesNotContain(13).hasSizeLessThan(160);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 32, 40})
    void fullContext_sameTokensAndEnd(int ctx) {
        LanguageModel jni = load(Backend.JNI, TestModels.stories260K(), ctx);
        LanguageModel ffm = load(Backend.FFM, TestModels.stories260K(), ctx);
        assertThat(jni.info().contextSize()).isEqualTo(ffm.info().contextSize());
        int[] prompt = ffm.tokenize("Once upon a time", true, false);
        Run j = run(jni, prompt, SamplingParams.greedy(), 100);
        Run f = run(ffm, prompt, SamplingParams.greedy(), 100);
        assertThat(j.ids()).isEqualTo(f.ids()).hasSizeLessThan(100);
        assertThat(j.end()).isEqualTo(f.end()).isEqualTo(FinishReason.LENGTH);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 42, 4242})
    void seededSampling_withoutPenalties_sameTokenIds(int seed) {
        SamplingParams s = SamplingParams.builder().temperature(0.9f).topK(40).topP(0.95f).minP(0.05f).seed(seed).build();
        for (LanguageModel[] pair : pairs()) {
            int[] prompt = pair[1].tokenize("Once upon a time", true, false);
            assertThat(run(pair[0], prompt, s, 64).ids()).isEqualTo(run(pair[1], prompt, s, 64).ids());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 13, 29871, 30226, 31999})
    void tokenBytesAndEndOfGeneration_agree(int token) {
        BackendModel jni = backend(Backend.JNI, TestModels.tinyRandom());
        BackendModel ffm = backend(Backend.FFM, TestModels.tinyRandom());
        assertThat(jni.tokenBytes(token)).containsExactly(ffm.tokenBytes(token));
        assertThat(jni.isEndOfGeneration(token)).isEqualTo(ffm.isEndOfGeneration(token));
        assertThat(jni.isControl(token)).isEqualTo(ffm.isControl(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chatml"})
    void chatTemplate_sameRendering(String template) {
        List<ChatMessage> msgs = List.of(ChatMessage.system("You are terse."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello."), ChatMessage.user("Tell a story"));
        assertThat(jniStories.applyChatTemplate(msgs, template, true))
                .isEqualTo(ffmStories.applyChatTemplate(msgs, template, true));
    }
}
