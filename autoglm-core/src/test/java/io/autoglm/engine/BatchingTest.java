package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.GrammarException;
import io.autoglm.LanguageModel;
import io.autoglm.ModelStats;
import io.autoglm.SamplingParams;
import io.autoglm.TokenChunk;
import io.autoglm.TokenLogprob;
import io.autoglm.TokenStream;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Continuous batching on stories260K: many requests decoded together give what they give alone,
 * prompt prefixes are reused across requests, memory pressure pauses and recomputes sequences
 * without changing answers, and one request's failure or cancellation leaves the others alone.
 * Runs on the bundled b4916; {@link BatchingCurrentTest} runs it on the current ABI generation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily was", "One day, a boy",
            "The sun was hot", "Tom and Sue", "In the park there", "A big red ball");

    LanguageModel batched;
    LanguageModel alone;
    ExecutorService callers;

    /** @return the llama.cpp build to run on, or null for the bundled one */
    Path nativeLibrary() {
        return null;
    }

    AutoGLM.Builder builder() {
        AutoGLM.Builder b = AutoGLM.builder().model(TestModels.stories260K()).threads(2).contextSize(256);
        return nativeLibrary() == null ? b : b.nativeLibrary(nativeLibrary());
    }

    @BeforeAll
    void open() {
        batched = builder().parallel(8).build();
        alone = builder().parallel(1).prefixCache(false).embeddings(false).build();
        callers = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    void close() {
        if (callers != null) { // null when open() was aborted (an optional native build that is not there)
            callers.shutdownNow();
        }
        if (batched != null) {
            batched.close();
        }
        if (alone != null) {
            alone.close();
        }
    }

    static CompletionRequest greedy(String prompt, int max) {
        return CompletionRequest.builder().prompt(prompt).maxTokens(max).ignoreEos(true).build();
    }

    private List<Completion> concurrently(LanguageModel m, List<CompletionRequest> requests) throws Exception {
        List<Future<Completion>> fs = new ArrayList<>();
        for (CompletionRequest r : requests) {
            fs.add(callers.submit(() -> m.complete(r)));
        }
        List<Completion> out = new ArrayList<>();
        for (Future<Completion> f : fs) {
            out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void eightConcurrentGreedyRequests_eachGiveTheTokensTheyGiveAlone() throws Exception {
        List<CompletionRequest> rs = PROMPTS.stream().map(p -> greedy(p, 48)).toList();
        List<Completion> together = concurrently(batched, rs);
        for (int i = 0; i < rs.size(); i++) {
            Completion a = alone.complete(rs.get(i));
            assertThat(together.get(i).tokens()).as("prompt '%s'", PROMPTS.get(i)).containsExactly(a.tokens());
            assertThat(together.get(i).text()).isEqualTo(a.text());
        }
        assertThat(batched.info().parallel()).isEqualTo(8);
    }

    @Test
    void aBurstOfRequests_isPrefilledInOneDecode_andDecodesInLockStep() {
        try (LanguageModel m = builder().parallel(8).prefixCache(false).embeddings(false).build()) {
            List<CompletionRequest> rs = new ArrayList<>();
            for (String p : PROMPTS) {
                rs.add(CompletionRequest.builder().promptTokens(m.tokenize(p)).maxTokens(24).ignoreEos(true).build());
            }
            burst(m, rs); // warm-up of the submitting path
            // one decode for the eight prompts (and everyone's first token), then one per further token; the
            // best of five, as this thread (or a GC pause) may hold up the arrivals longer than the gathering waits
            long fewest = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 5 && fewest > 24; attempt++) {
                long calls0 = m.stats().decodeCalls();
                burst(m, rs);
                fewest = Math.min(fewest, m.stats().decodeCalls() - calls0);
            }
            assertThat(fewest).isEqualTo(24);
        }
    }

    /**
     * Submits the requests 0.1 ms apart, as callers released by one event arrive; the engine, woken by the first,
     * gathers the rest instead of starting it alone.
     */
    private static void burst(LanguageModel m, List<CompletionRequest> rs) {
        List<TokenStream> streams = new ArrayList<>();
        for (CompletionRequest r : rs) {
            streams.add(m.stream(r));
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        for (TokenStream s : streams) {
            assertThat(s.result().tokens()).hasSize(24);
            s.close();
        }
    }

    @Test
    void seededSampledRequest_givesTheSameTextWhateverRunsBesideIt() throws Exception {
        CompletionRequest sampled = CompletionRequest.builder().prompt("Once upon a time").maxTokens(40).ignoreEos(true)
                .sampling(SamplingParams.builder().temperature(0.9f).topK(40).topP(0.95f).seed(1234).build()).build();
        Completion reference = alone.complete(sampled);
        List<CompletionRequest> mix = new ArrayList<>();
        mix.add(sampled);
        PROMPTS.subList(1, 6).forEach(p -> mix.add(greedy(p, 30)));
        mix.add(sampled);
        List<Completion> out = concurrently(batched, mix);
        assertThat(out.get(0).tokens()).containsExactly(reference.tokens());
        assertThat(out.get(mix.size() - 1).tokens()).containsExactly(reference.tokens());
        assertThat(alone.complete(sampled).tokens()).containsExactly(reference.tokens());
    }

    @Test
    void samePromptAgain_reusesItsCells_andAnswersTheSame() {
        CompletionRequest r = greedy("The little dog ran to the big tree and", 24);
        Completion first = batched.complete(r);
        Completion second = batched.complete(r);
        assertThat(second.tokens()).containsExactly(first.tokens());
        assertThat(second.usage().cachedPromptTokens()).isEqualTo(second.usage().promptTokens() - 1);
        assertThat(second.usage().evaluatedPromptTokens()).isEqualTo(1);
        Completion off = alone.complete(r);
        assertThat(off.usage().cachedPromptTokens()).isZero();
        assertThat(off.tokens()).containsExactly(first.tokens());
    }

    @Test
    void samePromptTwiceAtOnce_isReadOnce() throws Exception {
        String prompt = "The little girl and her brother went to the big park to see the ducks swim in the pond";
        CompletionRequest r = CompletionRequest.builder().prompt(prompt).maxTokens(10).ignoreEos(true)
                .sampling(SamplingParams.builder().temperature(0.8f).seed(7).build()).build();
        try (LanguageModel m = builder().parallel(4).embeddings(false).build()) {
            List<Completion> both = concurrently(m, List.of(r, r));
            int length = both.get(0).usage().promptTokens();
            assertThat(length).isGreaterThan(20);
            // one of them read the prompt, the other waited for it and reused all but the last token
            assertThat(both.stream().mapToInt(c -> c.usage().cachedPromptTokens()).max().orElseThrow()).isEqualTo(length - 1);
            assertThat(both.get(0).tokens()).containsExactly(both.get(1).tokens());
        }
    }

    @Test
    void chat_laterTurnsDecodeOnlyTheirNewTokens() {
        List<ChatMessage> history = new ArrayList<>();
        history.add(ChatMessage.system("You tell short stories."));
        String[] turns = {"Tell me about a cat.", "What did the cat eat?", "Where did it sleep?", "How did the story end?"};
        int[] held = new int[0]; // what the previous turn left in the cache: its prompt and the reply tokens decoded
        LanguageModel batched = builder().parallel(2).contextSize(512).embeddings(false).build();
        try (batched) {
        for (int t = 0; t < turns.length; t++) {
            history.add(ChatMessage.user(turns[t]));
            ChatRequest req = ChatRequest.builder().messages(history).chatTemplate("chatml").maxTokens(20).build();
            int[] prompt = batched.tokenize(batched.applyChatTemplate(history, "chatml", true));
            ChatResponse r = batched.chat(req);
            assertThat(r.usage().promptTokens()).isEqualTo(prompt.length);
            if (t > 0) {
                int reusable = Math.min(KvCache.commonPrefix(prompt, held), prompt.length - 1);
                assertThat(reusable).as("turn %d starts with the previous prompt and reply", t + 1).isGreaterThan(held.length - 2);
                assertThat(r.usage().cachedPromptTokens()).as("turn %d reuses all of it", t + 1).isEqualTo(reusable);
                assertThat(r.usage().evaluatedPromptTokens()).as("turn %d evaluates only its new tokens", t + 1)
                        .isEqualTo(prompt.length - reusable);
            }
            // a reply cut by maxTokens ends with a token that was sampled but never decoded
            int[] reply = r.completion().tokens();
            int decoded = r.finishReason() == FinishReason.LENGTH ? reply.length - 1 : reply.length;
            held = java.util.Arrays.copyOf(prompt, prompt.length + decoded);
            System.arraycopy(reply, 0, held, prompt.length, decoded);
            history.add(ChatMessage.assistant(r.text()));
        }
        }
    }

    @Test
    void smallCache_preemptsAndRecomputes_withoutChangingAnyAnswer() throws Exception {
        // 4 sequences of up to 10 + 120 tokens share 192 cells: they cannot all stay resident
        try (LanguageModel tight = builder().parallel(4).contextSize(160).kvCacheTokens(192).embeddings(false).build()) {
            List<CompletionRequest> rs = PROMPTS.subList(0, 4).stream().map(p -> greedy(p, 120)).toList();
            List<Completion> out = concurrently(tight, rs);
            for (int i = 0; i < rs.size(); i++) {
                Completion a = alone.complete(rs.get(i));
                assertThat(out.get(i).tokens()).as("prompt '%s'", PROMPTS.get(i)).hasSize(120).containsExactly(a.tokens());
                assertThat(out.get(i).finishReason()).isEqualTo(FinishReason.LENGTH);
            }
            ModelStats s = tight.stats();
            assertThat(s.preemptions()).as("the cache was too small for all four").isPositive();
            assertThat(s.kvCellsTotal()).isEqualTo(192);
            assertThat(s.requests(ModelStats.Outcome.COMPLETED)).isEqualTo(4);
        }
    }

    @Test
    void cachedPrefixes_stayWithinTheirBudget_andTheCacheKeepsRoomForRunningSequences() throws Exception {
        try (LanguageModel m = builder().parallel(4).prefixCacheTokens(64).embeddings(false).build()) {
            for (int round = 0; round < 3; round++) {
                int r = round;
                concurrently(m, PROMPTS.stream().map(p -> greedy(p + " " + r, 30)).toList());
                ModelStats s = m.stats();
                assertThat(s.prefixCacheCells()).as("round %d", round).isLessThanOrEqualTo(64);
                assertThat(s.kvCellsUsed()).isEqualTo(s.prefixCacheCells()); // nothing runs now
            }
            // a repeated prompt still finds its recent prefix
            Completion again = m.complete(greedy(PROMPTS.get(7) + " 2", 30));
            assertThat(again.usage().cachedPromptTokens()).isPositive();
        }
    }

    @Test
    void sequencesGeneratedInLockStep_areCachedUpToTheirPrompt_andOneGeneratedAloneWhole() throws Exception {
        // 8 prompts generated together: their generated cells are one in every 8, so only the prompts stay cached
        try (LanguageModel m = builder().parallel(8).prefixCacheTokens(4096).embeddings(false).build()) {
            List<Completion> out = concurrently(m, PROMPTS.stream().map(p -> greedy(p, 40)).toList());
            int prompts = out.stream().mapToInt(c -> c.usage().promptTokens()).sum();
            ModelStats s = m.stats();
            assertThat(s.prefixCacheCells()).as("no generated cell of a lock-step sequence is kept")
                    .isLessThanOrEqualTo(prompts).isPositive();
            // the prompts themselves are still found
            Completion again = m.complete(greedy(PROMPTS.get(3), 40));
            assertThat(again.usage().cachedPromptTokens()).isEqualTo(again.usage().promptTokens() - 1);
            assertThat(again.tokens()).containsExactly(out.get(3).tokens());
            // a request that ran alone keeps its reply too: continuing its text reads only the new tokens
            int[] prompt = m.tokenize(PROMPTS.get(3));
            int[] held = java.util.Arrays.copyOf(prompt, prompt.length + again.tokens().length - 1);
            System.arraycopy(again.tokens(), 0, held, prompt.length, again.tokens().length - 1);
            Completion next = m.complete(CompletionRequest.builder().promptTokens(held).maxTokens(4).ignoreEos(true).build());
            assertThat(next.usage().cachedPromptTokens()).isEqualTo(held.length - 1);
        }
    }

    @Test
    void cancel_freesTheSequencesCells_andOthersGoOn() throws Exception {
        try (LanguageModel m = builder().parallel(2).prefixCache(false).embeddings(false).build()) {
            long idle = m.stats().kvCellsUsed();
            Future<Completion> other = callers.submit(() -> m.complete(greedy("Tom and Sue", 60)));
            try (TokenStream s = m.stream(greedy("Once upon a time", 200))) {
                for (int i = 0; i < 5; i++) {
                    assertThat(s.hasNext()).isTrue();
                    s.next();
                }
                s.cancel();
                assertThat(s.result().finishReason()).isEqualTo(FinishReason.CANCELLED);
                assertThat(s.result().tokens().length).isLessThan(200);
            }
            assertThat(other.get(60, TimeUnit.SECONDS).tokens()).containsExactly(alone.complete(greedy("Tom and Sue", 60)).tokens());
            assertThat(m.stats().kvCellsUsed()).isEqualTo(idle);
            assertThat(m.stats().busySequences()).isZero();
            assertThat(m.stats().requests(ModelStats.Outcome.CANCELLED)).isEqualTo(1);
        }
    }

    @Test
    void grammarThatCannotGoOn_failsOnlyItsRequest() throws Exception {
        // the grammar allows only the text "a", and the logit bias bans every token that writes exactly "a"
        SamplingParams.Builder ban = SamplingParams.builder().temperature(0f);
        int banned = 0;
        for (int t = 0; t < batched.info().vocabSize(); t++) {
            if (batched.detokenize(new int[] {t}).equals("a")) {
                ban.logitBias(t, Float.NEGATIVE_INFINITY);
                banned++;
            }
        }
        assertThat(banned).as("stories260K writes 'a' with a word token and its byte-fallback token").isGreaterThanOrEqualTo(2);
        CompletionRequest dead = CompletionRequest.builder().prompt("Once upon a time").maxTokens(5).grammar("root ::= \"a\"")
                .sampling(ban.build()).build();
        Future<Completion> neighbour = callers.submit(() -> batched.complete(greedy("The sun was hot", 40)));
        assertThatThrownBy(() -> batched.complete(dead)).isInstanceOf(GrammarException.class).hasMessageContaining("grammar");
        assertThat(neighbour.get(60, TimeUnit.SECONDS).tokens()).containsExactly(alone.complete(greedy("The sun was hot", 40)).tokens());
        assertThatThrownBy(() -> batched.complete(CompletionRequest.builder().prompt("x").grammar("root ::= (").build()))
                .isInstanceOf(GrammarException.class).hasMessageContaining("GBNF");
        assertThat(batched.complete(greedy("Once upon a time", 4)).tokens()).hasSize(4);
    }

    @Test
    void logprobs_areTheLogSoftmaxOfTheModel_andGreedyPicksTheTopOne() {
        Completion c = batched.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(8).ignoreEos(true)
                .topLogprobs(3).build());
        assertThat(c.logprobs()).hasSize(8);
        for (int i = 0; i < 8; i++) {
            TokenLogprob lp = c.logprobs().get(i);
            assertThat(lp.token()).isEqualTo(c.tokens()[i]);
            assertThat(lp.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(lp.topLogprobs()).hasSize(3);
            assertThat(lp.topLogprobs().get(0).token()).as("greedy takes the most likely token").isEqualTo(lp.token());
            assertThat(lp.topLogprobs().get(0).logprob()).isEqualTo(lp.logprob());
            assertThat(lp.topLogprobs().get(1).logprob()).isLessThanOrEqualTo(lp.topLogprobs().get(0).logprob());
        }
        // the same numbers as a log-softmax of the raw logits of evaluate()
        int[] seq = batched.tokenize("Once upon a time");
        double[] expected = new double[1];
        batched.evaluate(seq, (pos, logits) -> {
            if (pos == seq.length - 1) {
                double max = Double.NEGATIVE_INFINITY;
                for (float v : logits) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (float v : logits) {
                    sum += Math.exp(v - max);
                }
                expected[0] = logits[c.tokens()[0]] - max - Math.log(sum);
            }
        });
        assertThat(c.logprobs().get(0).logprob()).isCloseTo(expected[0], org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void logitBias_bansTheGreedyToken() {
        Completion plain = batched.complete(greedy("Once upon a time", 1));
        int banned = plain.tokens()[0];
        Completion biased = batched.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(1)
                .sampling(SamplingParams.builder().temperature(0f).logitBias(banned, Float.NEGATIVE_INFINITY).build()).build());
        assertThat(biased.tokens()[0]).isNotEqualTo(banned);
        assertThatThrownBy(() -> batched.complete(CompletionRequest.builder().prompt("x")
                .sampling(SamplingParams.builder().logitBias(512, 1f).build()).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logitBias token id must be in [0, 512)");
    }

    @Test
    void embedAll_givesTheVectorsOfOneAtATime() {
        List<String> texts = List.of("a cat", "The little dog ran to the park.", "Lily", "One day, a boy found a red ball.",
                "a cat");
        List<float[]> all = batched.embedAll(texts);
        assertThat(all).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            float[] one = batched.embed(texts.get(i));
            assertThat(cosine(all.get(i), one)).as("text %d", i).isGreaterThan(1 - 1e-4);
        }
        assertThat(cosine(all.get(0), all.get(4))).isGreaterThan(1 - 1e-6);
        assertThat(cosine(all.get(0), all.get(1))).isLessThan(0.9999);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void listenersRunOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> seen = new AtomicReference<>();
        batched.complete(greedy("Once upon a time", 5), ch -> {
            seen.set(Thread.currentThread());
            return true;
        });
        assertThat(seen.get()).isSameAs(caller);
    }

    @Test
    void longPromptArrivingWhileOthersStream_isPrefilledInChunks_andEveryoneFinishes() throws Exception {
        String longPrompt = "Once upon a time there was a little girl who liked to play. ".repeat(8);
        List<CompletableFuture<Completion>> streams = new ArrayList<>();
        for (String p : PROMPTS.subList(0, 4)) {
            streams.add(CompletableFuture.supplyAsync(() -> batched.complete(greedy(p, 60)), callers));
        }
        long callsBefore = batched.stats().decodeCalls();
        Completion big = batched.complete(greedy(longPrompt, 20));
        assertThat(big.usage().promptTokens()).isGreaterThan(150);
        assertThat(big.tokens()).hasSize(20);
        // steps that carry a prompt chunk beside decoding rows may round differently (docs/batching.md,
        // Determinism), so the streams are checked for completeness, not token by token
        for (int i = 0; i < 4; i++) {
            Completion c = streams.get(i).get(60, TimeUnit.SECONDS);
            assertThat(c.tokens()).hasSize(60);
            assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
        assertThat(batched.stats().decodeCalls() - callsBefore).as("the prompt took several steps").isGreaterThan(2);
    }

    @Test
    void evaluate_runsBesideGenerations_andItsArgmaxIsTheGreedyToken() throws Exception {
        Future<Completion> other = callers.submit(() -> batched.complete(greedy("Tom and Sue", 50)));
        int[] prompt = batched.tokenize("Once upon a time");
        int[] next = alone.complete(greedy("Once upon a time", 6)).tokens();
        int[] seq = new int[prompt.length + next.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(next, 0, seq, prompt.length, next.length);
        List<Integer> argmax = new ArrayList<>();
        batched.evaluate(seq, (pos, logits) -> {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            argmax.add(best);
        });
        assertThat(argmax).hasSize(seq.length);
        for (int i = 0; i < next.length; i++) {
            assertThat(argmax.get(prompt.length - 1 + i)).isEqualTo(next[i]);
        }
        assertThat(other.get(60, TimeUnit.SECONDS).tokens()).hasSize(50);
    }

    @Test
    void stats_countRequestsTokensAndCells() {
        ModelStats before = batched.stats();
        Completion c = batched.complete(greedy("In the park there", 10));
        ModelStats after = batched.stats();
        assertThat(after.generatedTokens() - before.generatedTokens()).isEqualTo(10);
        assertThat(after.promptTokens() - before.promptTokens() + after.cachedPromptTokens() - before.cachedPromptTokens())
                .isEqualTo(c.usage().promptTokens());
        assertThat(after.requests(ModelStats.Outcome.COMPLETED) - before.requests(ModelStats.Outcome.COMPLETED)).isEqualTo(1);
        assertThat(after.kvCellsTotal()).isEqualTo(8L * 256 + 256);
        assertThat(after.kvCellsUsed()).isPositive().isLessThanOrEqualTo(after.kvCellsTotal());
        assertThat(after.busySequences()).isZero();
        assertThat(after.queuedRequests()).isZero();
        assertThat(after.parallel()).isEqualTo(8);
        assertThat(after.decodeCalls()).isGreaterThan(before.decodeCalls());
        assertThat(after.prefixCacheLookups()).isGreaterThan(before.prefixCacheLookups());
    }

    @Test
    void close_withRunningAndWaitingRequests_answersEveryoneWithAClearException() throws Exception {
        LanguageModel m = builder().parallel(1).embeddings(false).build();
        TokenStream running = m.stream(greedy("Once upon a time", 200));
        assertThat(running.hasNext()).isTrue();
        Future<Completion> waiting = callers.submit(() -> m.complete(greedy("The little dog", 10)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (m.stats().queuedRequests() == 0 && !waiting.isDone()) {
            assertThat(System.nanoTime()).as("the second request queues within 10 s").isLessThan(deadline);
            Thread.sleep(2);
        }
        m.close();
        assertThatThrownBy(running::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> m.complete("x")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
    }

    @Test
    void badRequests_failAtOnce_withoutTouchingTheModel() {
        assertThatThrownBy(() -> CompletionRequest.builder().promptTokens(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batched.complete(CompletionRequest.builder().promptTokens(new int[] {1, 600}).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("600");
        assertThatThrownBy(() -> batched.complete(CompletionRequest.builder().promptTokens(new int[300]).build()))
                .isInstanceOf(io.autoglm.ContextOverflowException.class);
        assertThat(batched.complete(greedy("Once", 2)).tokens()).hasSize(2);
    }

    @Test
    void streamChunks_carryLogprobsWhenAsked() {
        try (TokenStream s = batched.stream(CompletionRequest.builder().prompt("The cat").maxTokens(5).logprobs(true).build())) {
            List<TokenChunk> chunks = s.stream().toList();
            assertThat(chunks.stream().filter(c -> c.token() >= 0)).allMatch(c -> c.logprobs().isPresent()
                    && c.logprobs().get().topLogprobs().isEmpty());
        }
    }
}
