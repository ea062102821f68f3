package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.Backend;
import io.autoglm.ChatMessage;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
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
    private final List<BackendModel> open = new ArrayList<>();
    private BackendModel jniStories;
    private BackendModel ffmStories;
    private BackendModel jniTiny;
    private BackendModel ffmTiny;

    private BackendModel load(Backend b, Path p) {
        ModelSpec s = new ModelSpec(p, b, 1, 512, 512, 0, null, Quantization.NONE, -1, null, null, 16, false);
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
    void close() {
        open.forEach(BackendModel::close);
    }

    private record Run(List<Integer> ids, GenerationResult result) {
    }

    private static Run run(BackendModel m, int[] prompt, SamplingParams s, int max) {
        List<Integer> ids = new ArrayList<>();
        GenerationResult r = m.generate(new GenerationSpec(prompt, s, max, false, null), ids::add);
        return new Run(ids, r);
    }

    private List<BackendModel[]> pairs() {
        return List.of(new BackendModel[] {jniStories, ffmStories}, new BackendModel[] {jniTiny, ffmTiny});
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time", "The cat sat on the", "Lily and Tom went to the park.", "\"Hello,\" said the",
        "1 2 3 4", "Ünïcödé ✓ 日本語"})
    void greedy_sameTokenIds_onBothModels(String text) {
        for (BackendModel[] pair : pairs()) {
            int[] prompt = pair[1].tokenize(text, true, false);
            assertThat(pair[0].tokenize(text, true, false)).as("tokenization of %s", text).containsExactly(prompt);
            Run jni = run(pair[0], prompt, SamplingParams.greedy(), 96);
            Run ffm = run(pair[1], prompt, SamplingParams.greedy(), 96);
            assertThat(jni.ids()).as("greedy ids for %s", text).isEqualTo(ffm.ids());
            assertThat(jni.result().end()).isEqualTo(ffm.result().end());
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
        BackendModel jni = load(Backend.JNI, model);
        BackendModel ffm = load(Backend.FFM, model);
        assertThat(jni.isEndOfGeneration(13)).isTrue();
        assertThat(ffm.isEndOfGeneration(13)).isTrue();
        for (String text : List.of("Once upon a time", "Tom was sad.", "The sun was hot.")) {
            int[] prompt = ffm.tokenize(text, true, false);
            List<Integer> j = new ArrayList<>();
            List<Integer> f = new ArrayList<>();
            GenerationResult rj = jni.generate(new GenerationSpec(prompt, SamplingParams.greedy(), 160, ignoreEos, null), j::add);
            GenerationResult rf = ffm.generate(new GenerationSpec(prompt, SamplingParams.greedy(), 160, ignoreEos, null), f::add);
            assertThat(j).as("%s ignoreEos=%s", text, ignoreEos).isEqualTo(f);
            assertThat(rj.end()).isEqualTo(rf.end());
            if (ignoreEos) {
                assertThat(rj.end()).isEqualTo(GenerationResult.End.LENGTH);
                assertThat(j).hasSize(160).contains(13);
            } else {
                assertThat(rj.end()).isEqualTo(GenerationResult.End.END_OF_GENERATION);
                assertThat(j).doesNotContain(13).hasSizeLessThan(160);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 32, 40})
    void fullContext_sameTokensAndEnd(int ctx) {
        ModelSpec sj = new ModelSpec(TestModels.stories260K(), Backend.JNI, 1, ctx, ctx, 0, null, Quantization.NONE, -1,
                null, null, 4, false);
        BackendModel jni = new JniBackend().load(sj);
        open.add(jni);
        BackendModel ffm = new FfmBackend().load(new ModelSpec(TestModels.stories260K(), Backend.FFM, 1, ctx, ctx, 0, null,
                Quantization.NONE, -1, null, null, 4, false));
        open.add(ffm);
        assertThat(jni.contextSize()).isEqualTo(ffm.contextSize());
        int[] prompt = ffm.tokenize("Once upon a time", true, false);
        Run j = run(jni, prompt, SamplingParams.greedy(), 100);
        Run f = run(ffm, prompt, SamplingParams.greedy(), 100);
        assertThat(j.ids()).isEqualTo(f.ids());
        assertThat(j.result().end()).isEqualTo(f.result().end()).isEqualTo(GenerationResult.End.CONTEXT_FULL);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 42, 4242})
    void seededSampling_withoutPenalties_sameTokenIds(int seed) {
        SamplingParams s = SamplingParams.builder().temperature(0.9f).topK(40).topP(0.95f).minP(0.05f).seed(seed).build();
        for (BackendModel[] pair : pairs()) {
            int[] prompt = pair[1].tokenize("Once upon a time", true, false);
            assertThat(run(pair[0], prompt, s, 64).ids()).isEqualTo(run(pair[1], prompt, s, 64).ids());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 13, 29871, 30226, 31999})
    void tokenBytesAndEndOfGeneration_agree(int token) {
        assertThat(jniTiny.tokenBytes(token)).containsExactly(ffmTiny.tokenBytes(token));
        assertThat(jniTiny.isEndOfGeneration(token)).isEqualTo(ffmTiny.isEndOfGeneration(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chatml"})
    void chatTemplate_sameRendering(String template) {
        List<ChatMessage> msgs = List.of(ChatMessage.system("You are terse."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello."), ChatMessage.user("Tell a story"));
        assertThat(jniStories.applyChatTemplate(template, msgs, true))
                .isEqualTo(ffmStories.applyChatTemplate(template, msgs, true));
    }
}
