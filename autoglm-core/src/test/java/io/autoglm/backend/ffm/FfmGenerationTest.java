package io.autoglm.backend.ffm;

import static io.autoglm.backend.ffm.FfmTestSupport.generate;
import static io.autoglm.backend.ffm.FfmTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ChatMessage;
import io.autoglm.ContextOverflowException;
import io.autoglm.SamplingParams;
import io.autoglm.backend.GenerationResult;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FfmGenerationTest {
    private static FfmModel model;
    private static int[] prompt;

    @BeforeAll
    static void load() {
        model = FfmTestSupport.load(TestModels.stories260K(), 1, 256);
        prompt = model.tokenize("Once upon a time", true, false);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void tokenize_storiesPrompt_givesBosAndKnownIds() {
        assertThat(prompt).containsExactly(1, 403, 407, 261, 378);
        assertThat(model.tokenize("Once upon a time", false, false)).containsExactly(403, 407, 261, 378);
        assertThat(new String(model.tokenBytes(378))).isEqualTo(" time");
    }

    @Test
    void metadata_matchesStories260K() {
        assertThat(model.vocabSize()).isEqualTo(512);
        assertThat(model.embeddingLength()).isEqualTo(64);
        assertThat(model.contextSize()).isEqualTo(256);
        assertThat(model.backendName()).isEqualTo("ffm");
        assertThat(model.nativeLibrary()).contains("b4916");
        assertThat(model.abiGeneration()).isEqualTo("b4916");
        assertThat(model.isEndOfGeneration(2)).isTrue();
        assertThat(model.isEndOfGeneration(378)).isFalse();
    }

    @Test
    void greedy_onceUponATime_givesTheModelsKnownStory() {
        FfmTestSupport.Run r = generate(model, prompt, SamplingParams.greedy(), 32, false, null);
        String text = text(model, r.ids());
        assertThat(text).startsWith(", there was a little girl named Lily. She loved to play");
        assertThat(r.result().end()).isEqualTo(GenerationResult.End.LENGTH);
        assertThat(r.result().generatedTokens()).isEqualTo(32);
        assertThat(r.result().promptTokens()).isEqualTo(5);
    }

    @Test
    void greedy_isDeterministicAcrossRunsAndThreadCounts() {
        int[] first = generate(model, prompt, SamplingParams.greedy(), 100, true, null).ids();
        int[] second = generate(model, prompt, SamplingParams.greedy(), 100, true, null).ids();
        assertThat(second).containsExactly(first);
        try (FfmModel two = FfmTestSupport.load(TestModels.stories260K(), 2, 256)) {
            assertThat(generate(two, prompt, SamplingParams.greedy(), 100, true, null).ids()).containsExactly(first);
        }
    }

    @Test
    void endOfGeneration_endsGenerationUnlessIgnored_andIsNotHandedToTheSink() {
        String yes = "root ::= \"yes\"";
        FfmTestSupport.Run r = generate(model, prompt, SamplingParams.greedy(), 20, false, yes);
        assertThat(r.result().end()).isEqualTo(GenerationResult.End.END_OF_GENERATION);
        assertThat(text(model, r.ids())).isEqualTo("yes");
        assertThat(r.tokens()).noneMatch(t -> model.isEndOfGeneration(t));

        FfmTestSupport.Run ignored = generate(model, prompt, SamplingParams.greedy(), 6, true, yes);
        assertThat(ignored.result().end()).isEqualTo(GenerationResult.End.LENGTH);
        assertThat(ignored.tokens()).hasSize(6).anyMatch(t -> model.isEndOfGeneration(t));
    }

    @Test
    void generation_stopsWhenSinkReturnsFalse_andWhenContextIsFull() {
        List<Integer> got = new ArrayList<>();
        GenerationResult r = FfmTestSupport.generate(model, prompt, SamplingParams.greedy(), 50, true, null, t -> {
            got.add(t);
            return got.size() < 3;
        }).result();
        assertThat(r.end()).isEqualTo(GenerationResult.End.SINK_STOPPED);
        assertThat(got).hasSize(3);

        FfmTestSupport.Run full = generate(model, prompt, SamplingParams.greedy(), 1000, true, null);
        assertThat(full.result().end()).isEqualTo(GenerationResult.End.CONTEXT_FULL);
        // 5 prompt positions + 251 decoded = 256; the last sampled token is handed over but not decoded
        assertThat(full.tokens()).hasSize(256 - 5 + 1);
    }

    @Test
    void sampling_sameSeedSameTokens_otherSeedDiffers() {
        SamplingParams a = SamplingParams.builder().temperature(1.0f).topK(40).topP(0.95f).minP(0.05f)
                .repeatPenalty(1.1f).seed(42).build();
        int[] x = generate(model, prompt, a, 60, true, null).ids();
        int[] y = generate(model, prompt, a, 60, true, null).ids();
        assertThat(y).containsExactly(x);
        boolean differs = false;
        for (long seed = 1; seed <= 5 && !differs; seed++) {
            int[] z = generate(model, prompt, a.toBuilder().seed(seed).build(), 60, true, null).ids();
            differs = !java.util.Arrays.equals(x, z);
        }
        assertThat(differs).as("some other seed changes the sample").isTrue();
    }

    @Test
    void grammar_constrainsOutputToYesOrNo() {
        FfmTestSupport.Run r = generate(model, prompt, SamplingParams.greedy(), 20, false, "root ::= \"yes\" | \"no\"");
        assertThat(text(model, r.ids())).isIn("yes", "no");
        assertThat(r.result().end()).isEqualTo(GenerationResult.End.END_OF_GENERATION);
        SamplingParams hot = SamplingParams.builder().temperature(1.5f).seed(7).build();
        FfmTestSupport.Run s = generate(model, prompt, hot, 20, false, "root ::= [0-9] [0-9]? \"!\"");
        assertThat(text(model, s.ids())).matches("[0-9]{1,2}!");
        assertThat(s.result().end()).isEqualTo(GenerationResult.End.END_OF_GENERATION);
    }

    @Test
    void badGrammar_givesIllegalArgumentException_andModelStaysUsable() {
        assertThatThrownBy(() -> generate(model, prompt, SamplingParams.greedy(), 5, false, "root ::= \"unterminated"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grammar");
        assertThatThrownBy(() -> generate(model, prompt, SamplingParams.greedy(), 5, false, "start ::= \"x\""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(generate(model, prompt, SamplingParams.greedy(), 5, false, null).tokens()).hasSize(5);
    }

    @Test
    void evaluate_givesLogitsForEveryPosition_whoseArgmaxIsTheGreedyToken() {
        int[] greedy = generate(model, prompt, SamplingParams.greedy(), 8, true, null).ids();
        int[] seq = new int[prompt.length + greedy.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(greedy, 0, seq, prompt.length, greedy.length);
        List<Integer> positions = new ArrayList<>();
        List<Integer> argmax = new ArrayList<>();
        FfmTestSupport.evaluate(model, seq, (pos, logits) -> {
            assertThat(logits).hasSize(512);
            positions.add(pos);
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            argmax.add(best);
        });
        assertThat(positions).hasSize(seq.length);
        assertThat(positions.get(0)).isZero();
        for (int i = 0; i < greedy.length; i++) {
            assertThat(argmax.get(prompt.length - 1 + i)).as("position %d", prompt.length - 1 + i).isEqualTo(greedy[i]);
        }
    }

    @Test
    void chatTemplate_builtInChatmlWorksWithoutModelTemplate() {
        assertThat(model.chatTemplate()).isEmpty();
        String s = model.applyChatTemplate("chatml", List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
        assertThat(s).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        String big = "x".repeat(5000);
        assertThat(model.applyChatTemplate("chatml", List.of(ChatMessage.user(big)), false)).contains(big);
        assertThatThrownBy(() -> model.applyChatTemplate("no-such-template", List.of(ChatMessage.user("Hi")), true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badInputs_areRejectedBeforeNativeCode() {
        assertThatThrownBy(() -> model.tokenBytes(512)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.isEndOfGeneration(100000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generate(model, new int[] {1, 9999}, SamplingParams.greedy(), 5, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generate(model, new int[0], SamplingParams.greedy(), 5, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generate(model, new int[300], SamplingParams.greedy(), 5, false, null))
                .isInstanceOf(ContextOverflowException.class);
        assertThatThrownBy(() -> FfmTestSupport.embed(model, new int[] {700}, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decoder_isConfinedToTheLoadingThread() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                model.decoder();
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(seen.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined");
        assertThat(model.tokenize("Once", true, false)).startsWith(1);
    }

    @Test
    void progressListener_seesLoadProgressUpToOne() {
        List<Float> seen = new ArrayList<>();
        try (FfmModel m = (FfmModel) new FfmBackend().load(
                FfmTestSupport.spec(TestModels.stories260K(), 1, 64, seen::add, false))) {
            assertThat(m.vocabSize()).isEqualTo(512);
        }
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(seen.size() - 1)).isEqualTo(1.0f);
    }

    @Test
    void progressListenerThatThrows_abortsLoadWithModelLoadException() {
        Path stories = TestModels.stories260K();
        assertThatThrownBy(() -> new FfmBackend().load(FfmTestSupport.spec(stories, 1, 64, f -> {
            throw new IllegalStateException("stop");
        }, false))).isInstanceOf(io.autoglm.ModelLoadException.class).hasMessageContaining("progress listener");
    }

    @Test
    void close_isIdempotent_andEveryCallAfterwardsThrowsIllegalState() {
        FfmModel m = FfmTestSupport.load(TestModels.stories260K(), 1, 64);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.tokenize("x", true, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("closed: ");
        assertThatThrownBy(() -> m.tokenBytes(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.isEndOfGeneration(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> generate(m, new int[] {1}, SamplingParams.greedy(), 2, false, null))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FfmTestSupport.embed(m, new int[] {1}, false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FfmTestSupport.evaluate(m, new int[] {1}, (p, l) -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.applyChatTemplate("chatml", List.of(), true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingModelFile_givesModelLoadException() {
        Path nope = TestModels.dir().resolve("nope.gguf");
        assertThatThrownBy(() -> new FfmBackend().load(FfmTestSupport.spec(nope, 1, 64)))
                .isInstanceOf(io.autoglm.ModelLoadException.class).hasMessageContaining("does not exist");
    }
}
