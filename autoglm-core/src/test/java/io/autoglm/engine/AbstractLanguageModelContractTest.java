package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.ContextOverflowException;
import io.autoglm.FinishReason;
import io.autoglm.LanguageModel;
import io.autoglm.ModelFormatException;
import io.autoglm.ModelInfo;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.Timings;
import io.autoglm.TokenChunk;
import io.autoglm.TokenStream;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.testing.ChildJvm;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every backend must show through {@link LanguageModel}, on the two shipped test
 * models: {@code stories260K.gguf} (a real trained model, 512-token vocab) and
 * {@code llama-2-tiny-random.gguf} (random weights, full 32,000-token Llama-2 vocab). Written
 * once, run per backend by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractLanguageModelContractTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "Lily and Tom went to the park.", "The little dog",
            "One day, a girl named");

    LanguageModel stories;
    LanguageModel tiny;
    /** wall time of the {@code build()} that loaded {@link #stories} */
    double storiesBuildMillis;

    /** @return the backend under test */
    abstract Backend backend();

    /** @return whether the backend exposes raw logits ({@link LanguageModel#evaluate}) */
    abstract boolean exposesLogits();

    /** @return whether {@code embed(text, false)} (not normalised) is supported */
    abstract boolean rawEmbeddings();

    /** @return whether a request may name a chat template other than the one fixed at load time */
    abstract boolean perRequestTemplates();

    /** @return the llama.cpp build to run on, or null for the default (bundled) one */
    Path nativeLibrary() {
        return null;
    }

    AutoGLM.Builder builder(Path model) {
        // embeddings(false): embeddings are tested in a child JVM, see embed_hasTheModelsDimension_isDeterministic_andNormalised
        AutoGLM.Builder b = AutoGLM.builder().model(model).backend(backend()).threads(2).contextSize(512).embeddings(false);
        return nativeLibrary() == null ? b : b.nativeLibrary(nativeLibrary());
    }

    @BeforeAll
    void openModels() {
        long t0 = System.nanoTime();
        stories = builder(TestModels.stories260K()).build();
        storiesBuildMillis = (System.nanoTime() - t0) / 1e6;
        tiny = builder(TestModels.tinyRandom()).build();
    }

    @AfterAll
    void closeModels() {
        if (stories != null) {
            stories.close();
        }
        if (tiny != null) {
            tiny.close();
        }
    }

    static CompletionRequest greedy(String prompt, int maxTokens) {
        return CompletionRequest.builder().prompt(prompt).maxTokens(maxTokens).build();
    }

    // ---- info, tokenization ----------------------------------------------------------------

    @Test
    void info_describesTheModelAndBackend() {
        ModelInfo i = stories.info();
        assertThat(i.architecture()).isEqualTo("llama");
        assertThat(i.vocabSize()).isEqualTo(512);
        assertThat(i.embeddingLength()).isEqualTo(64);
        assertThat(i.blockCount()).isEqualTo(5);
        assertThat(i.parameterCount()).isEqualTo(292_800);
        assertThat(i.trainedContextLength()).isEqualTo(2048);
        assertThat(i.contextSize()).isEqualTo(512);
        assertThat(i.backend()).isEqualTo(backend().name().toLowerCase());
        assertThat(i.chatTemplate()).isEmpty();
        assertThat(i.loadMillis()).isPositive().isLessThanOrEqualTo(storiesBuildMillis);
        assertThat(tiny.info().vocabSize()).isEqualTo(32_000);
        assertThat(tiny.info().name()).isEqualTo("LLaMA v2");
    }

    @Test
    void tokenize_addsBosPerTheVocab_andDetokenizeRoundTrips() {
        for (LanguageModel m : List.of(stories, tiny)) {
            int[] with = m.tokenize("Hello world", true, true);
            int[] without = m.tokenize("Hello world", false, true);
            assertThat(with[0]).isEqualTo(1);
            assertThat(with).hasSize(without.length + 1);
            assertThat(m.detokenize(without).strip()).isEqualTo("Hello world");
        }
    }

    // ---- generation ------------------------------------------------------------------------

    @Test
    void greedy_isDeterministic_andCountsUsage() {
        for (LanguageModel m : List.of(stories, tiny)) {
            long t0 = System.nanoTime();
            Completion a = m.complete(greedy("Once upon a time", 24));
            double wallMillis = (System.nanoTime() - t0) / 1e6;
            Completion b = m.complete(greedy("Once upon a time", 24));
            assertThat(a.tokens()).isNotEmpty().containsExactly(b.tokens());
            assertThat(a.text()).isEqualTo(b.text());
            assertThat(a.usage().promptTokens()).isEqualTo(m.tokenize("Once upon a time").length);
            assertThat(a.usage().completionTokens()).isEqualTo(a.tokens().length);
            assertThat(a.text()).isEqualTo(m.detokenize(a.tokens()));
            assertThat(a.timings().decodeTokens()).isEqualTo(a.tokens().length - 1); // the tokens after the first
            // every phase is measured, and together they fit inside the call (a unit mix-up would break this)
            Timings t = a.timings();
            assertThat(t.queueMillis()).isGreaterThanOrEqualTo(0);
            assertThat(t.promptMillis()).isPositive();
            assertThat(t.decodeMillis()).isPositive();
            assertThat(t.queueMillis() + t.promptMillis() + t.decodeMillis()).isLessThanOrEqualTo(wallMillis);
        }
    }

    @Test
    void storiesModel_continuesWithEnglish() {
        String text = stories.complete(greedy("Once upon a time", 32)).text();
        assertThat(text.split("\\s+")).hasSizeGreaterThan(5);
        assertThat(text).matches("(?s)[\\x20-\\x7E\\n]+"); // plain English text from a real model
    }

    @Test
    void maxTokens_endsWithLength() {
        for (LanguageModel m : List.of(stories, tiny)) {
            Completion c = m.complete(CompletionRequest.builder().prompt("The little dog").maxTokens(7).ignoreEos(true).build());
            assertThat(c.tokens()).hasSize(7);
            assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void endOfGeneration_endsTheCompletion_withoutTheEogToken() {
        // a grammar that accepts exactly "yes" leaves end-of-generation as the only choice after it
        for (LanguageModel m : List.of(stories, tiny)) {
            Completion c = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(20)
                    .grammar("root ::= \"yes\"").build());
            assertThat(c.finishReason()).isEqualTo(FinishReason.END_OF_GENERATION);
            assertThat(c.text()).isEqualTo("yes");
            assertThat(c.tokens()).isNotEmpty().doesNotContain(2);
            assertThat(c.usage().completionTokens()).isEqualTo(c.tokens().length);
        }
    }

    @Test
    void stopString_cutsTheTextBeforeIt() {
        Completion full = stories.complete(greedy("Once upon a time", 48));
        String text = full.text();
        int at = text.indexOf(' ', text.length() / 2);
        String stop = text.substring(at, at + 4);
        Completion cut = stories.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(48)
                .stop("never appears").stop(stop).build());
        assertThat(cut.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(cut.text()).isEqualTo(text.substring(0, text.indexOf(stop)));
        assertThat(cut.tokens().length).isLessThan(full.tokens().length);
        // the tokens are a prefix of the full run
        assertThat(full.tokens()).startsWith(cut.tokens());
    }

    @Test
    void seed_makesSamplingReproducible_andDifferentSeedsDiffer() {
        SamplingParams.Builder p = SamplingParams.builder().temperature(1.0f).topK(0).topP(1f).minP(0f);
        CompletionRequest.Builder base = CompletionRequest.builder().prompt("Once upon a time").maxTokens(32).ignoreEos(true);
        String a = stories.complete(base.sampling(p.seed(42).build()).build()).text();
        String b = stories.complete(base.sampling(p.seed(42).build()).build()).text();
        assertThat(a).isEqualTo(b);
        Set<String> others = new HashSet<>();
        for (long seed = 1; seed <= 4; seed++) {
            others.add(stories.complete(base.sampling(p.seed(seed).build()).build()).text());
        }
        others.add(a);
        assertThat(others).hasSizeGreaterThan(2);
        String greedyText = stories.complete(greedy("Once upon a time", 32)).text();
        assertThat(others).anyMatch(t -> !t.equals(greedyText));
    }

    @Test
    void chat_withChatml_rendersTheTemplateAndGenerates() {
        List<ChatMessage> messages = List.of(ChatMessage.system("Be kind."), ChatMessage.user("Tell me a story."));
        String rendered = stories.applyChatTemplate(messages, "chatml", true);
        assertThat(rendered).isEqualTo("<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nTell me a story.<|im_end|>\n"
                + "<|im_start|>assistant\n");
        ChatResponse r = stories.chat(ChatRequest.builder().messages(messages).chatTemplate("chatml").maxTokens(16).build());
        assertThat(r.message().role()).isEqualTo("assistant");
        assertThat(r.usage().promptTokens()).isEqualTo(stories.tokenize(rendered).length);
        assertThat(r.completion().tokens()).isNotEmpty();
        Completion same = stories.complete(greedy(rendered, 16));
        assertThat(r.completion().tokens()).containsExactly(same.tokens());
    }

    @Test
    void chat_modelWithoutTemplate_failsNamingChatml() {
        assertThatThrownBy(() -> stories.chat("Hi")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("chatTemplate(\"chatml\")");
    }

    @Test
    void chat_builderDefaultTemplate_isUsed() {
        try (LanguageModel m = builder(TestModels.stories260K()).chatTemplate("chatml").build()) {
            ChatResponse r = m.chat(ChatRequest.builder().message(ChatMessage.user("Hi")).maxTokens(8).build());
            assertThat(r.usage().promptTokens())
                    .isEqualTo(m.tokenize("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n").length);
        }
    }

    /** A copy of stories260K that carries its own (ChatML) chat template, written with the project's GGUF writer. */
    static Path storiesWithTemplate(Path dir) throws Exception {
        Path out = dir.resolve("stories-chatml.gguf");
        try (GgufFile src = GgufFile.open(TestModels.stories260K())) {
            GgufWriter w = new GgufWriter();
            src.metadata().forEach(w::put);
            w.putString("tokenizer.chat_template", "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content']"
                    + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
            for (TensorInfo t : src.tensors()) {
                w.addTensor(t.name(), t.type(), t.shape(), o -> o.write(src.tensorData(t)));
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void chat_modelsOwnTemplate_isUsed_andRequestTemplateOverridesIt(@TempDir Path dir) throws Exception {
        try (LanguageModel m = builder(storiesWithTemplate(dir)).build()) {
            assertThat(m.info().chatTemplate()).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>"));
            List<ChatMessage> msgs = List.of(ChatMessage.user("Hi"));
            assertThat(m.applyChatTemplate(msgs, null, true)).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
            ChatResponse own = m.chat(ChatRequest.builder().messages(msgs).maxTokens(8).build());
            assertThat(own.usage().promptTokens()).isEqualTo(m.tokenize("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n").length);
            if (!perRequestTemplates()) {
                assertThatThrownBy(() -> m.applyChatTemplate(msgs, "llama2", true)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("chatTemplate");
                return;
            }
            String llama2 = m.applyChatTemplate(msgs, "llama2", true);
            assertThat(llama2).contains("[INST]").doesNotContain("<|im_start|>");
            ChatResponse overridden = m.chat(ChatRequest.builder().messages(msgs).chatTemplate("llama2").maxTokens(8).build());
            assertThat(overridden.usage().promptTokens()).isNotEqualTo(own.usage().promptTokens());
        }
    }

    // ---- streaming and cancellation ---------------------------------------------------------

    @Test
    void stream_yieldsTheSameTokensAsTheBlockingCall() {
        for (LanguageModel m : List.of(stories, tiny)) {
            CompletionRequest r = greedy("Lily and Tom went to the park.", 40);
            Completion blocking = m.complete(r);
            List<TokenChunk> chunks;
            Completion streamed;
            try (TokenStream s = m.stream(r)) {
                chunks = s.stream().toList();
                streamed = s.result();
            }
            assertThat(chunks.stream().filter(c -> c.token() >= 0).mapToInt(TokenChunk::token).toArray())
                    .containsExactly(blocking.tokens());
            assertThat(chunks.stream().map(TokenChunk::text).collect(Collectors.joining())).isEqualTo(blocking.text());
            assertThat(streamed.tokens()).containsExactly(blocking.tokens());
            assertThat(streamed.text()).isEqualTo(blocking.text());
            assertThat(streamed.finishReason()).isEqualTo(blocking.finishReason());
            // the same prompt again may reuse cached prompt cells, so only the cache counter may differ
            assertThat(streamed.usage().promptTokens()).isEqualTo(blocking.usage().promptTokens());
            assertThat(streamed.usage().completionTokens()).isEqualTo(blocking.usage().completionTokens());
            List<Integer> viaListener = new ArrayList<>();
            Completion listened = m.complete(r, c -> viaListener.add(c.token()));
            assertThat(listened.tokens()).containsExactly(blocking.tokens());
            assertThat(viaListener.stream().filter(t -> t >= 0).mapToInt(Integer::intValue).toArray()).containsExactly(blocking.tokens());
        }
    }

    @Test
    void stream_cancel_endsWithCancelled() {
        CompletionRequest r = CompletionRequest.builder().prompt("Once upon a time").maxTokens(5000).ignoreEos(true).build();
        try (LanguageModel m = builder(TestModels.stories260K()).contextSize(8192).build(); TokenStream s = m.stream(r)) {
            for (int i = 0; i < 3; i++) {
                assertThat(s.hasNext()).isTrue();
                s.next();
            }
            s.cancel();
            Completion c = s.result();
            assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(c.tokens().length).isBetween(3, 4999);
        }
    }

    @Test
    void listenerReturningFalse_cancelsAfterThatToken() {
        int[] seen = {0};
        Completion c = stories.complete(CompletionRequest.builder().prompt("The little dog").maxTokens(100).ignoreEos(true).build(),
                chunk -> ++seen[0] < 5);
        assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.tokens()).hasSize(5);
    }

    // ---- embeddings, logits -----------------------------------------------------------------

    /**
     * Runs in a child JVM: llama.cpp b4916 aborts the process (GGML_ASSERT in build_pooling, llama.cpp
     * issue 12517) when a causal model gets a mean-pooling embedding context. The backends work around
     * it; should that regress, the abort fails this test instead of killing the whole test run.
     */
    @Test
    void embed_hasTheModelsDimension_isDeterministic_andNormalised() {
        for (Path model : List.of(TestModels.stories260K(), TestModels.tinyRandom())) {
            ChildJvm.Result r = nativeLibrary() == null ? ChildJvm.run(EmbeddingProbe.class, backend().name(), model.toString())
                    : ChildJvm.run(EmbeddingProbe.class, backend().name(), model.toString(), nativeLibrary().toString());
            assertThat(r.exit()).as("embedding child JVM for %s exited with %d; stderr tail: %s", model.getFileName(), r.exit(),
                    tail(r.err())).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).as("child output; stderr tail: %s", tail(r.err())).anyMatch(l -> l.startsWith("dim "));
            int dim = Integer.parseInt(lines.stream().filter(l -> l.startsWith("dim ")).findFirst().orElseThrow().substring(4));
            List<float[]> norm = lines.stream().filter(l -> l.startsWith("norm ")).map(l -> parse(l.substring(5))).toList();
            if (rawEmbeddings()) {
                float[] raw = parse(lines.stream().filter(l -> l.startsWith("raw ")).findFirst().orElseThrow().substring(4));
                assertThat(raw).hasSize(dim);
            } else {
                assertThat(lines).anyMatch(l -> l.startsWith("raw-unsupported "));
            }
            assertThat(dim).isEqualTo(model.equals(TestModels.stories260K()) ? 64 : 8);
            assertThat(norm.get(0)).hasSize(dim).containsExactly(norm.get(1));
            assertThat(norm.get(0)).isNotEqualTo(norm.get(2));
            double n = 0;
            for (float v : norm.get(0)) {
                n += v * v;
            }
            assertThat(Math.sqrt(n)).isCloseTo(1.0, within(1e-3));
        }
    }

    private static String tail(String s) {
        return s.length() <= 600 ? s : s.substring(s.length() - 600);
    }

    private static float[] parse(String list) {
        String[] parts = list.replace("[", "").replace("]", "").split(",\\s*");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            f[i] = Float.parseFloat(parts[i]);
        }
        return f;
    }

    @Test
    void evaluate_logitsPredictTheGreedyToken_orIsUnsupported() {
        int[] prompt = stories.tokenize("Once upon a time");
        if (!exposesLogits()) {
            assertThatThrownBy(() -> stories.evaluate(prompt, (p, l) -> { })).isInstanceOf(UnsupportedOperationException.class);
            return;
        }
        int[] argmax = new int[prompt.length];
        stories.evaluate(prompt, (pos, logits) -> {
            assertThat(logits).hasSize(512);
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            argmax[pos] = best;
        });
        assertThat(argmax[prompt.length - 1]).isEqualTo(stories.complete(greedy("Once upon a time", 1)).tokens()[0]);
    }

    // ---- concurrency -----------------------------------------------------------------------

    @Test
    void eightThreads_eachGetTheTextTheyGetAlone() throws Exception {
        List<CompletionRequest> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SamplingParams s = i % 2 == 0 ? SamplingParams.greedy() : SamplingParams.builder().temperature(0.9f).seed(100 + i).build();
            requests.add(CompletionRequest.builder().prompt(PROMPTS.get(i % PROMPTS.size())).maxTokens(24 + i).sampling(s).build());
        }
        List<String> alone = requests.stream().map(r -> stories.complete(r).text()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> futures = new ArrayList<>();
            for (CompletionRequest r : requests) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return stories.complete(r).text();
                }));
            }
            go.countDown();
            for (int i = 0; i < 8; i++) {
                assertThat(futures.get(i).get(60, TimeUnit.SECONDS)).as("request %d", i).isEqualTo(alone.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- bad inputs ------------------------------------------------------------------------

    @Test
    void promptLongerThanContext_overflows_unlessTruncationIsAsked() {
        String longPrompt = "Once upon a time there was a little girl. ".repeat(40);
        try (LanguageModel m = builder(TestModels.stories260K()).contextSize(64).build()) {
            assertThatThrownBy(() -> m.complete(greedy(longPrompt, 8))).isInstanceOf(ContextOverflowException.class)
                    .satisfies(e -> assertThat(((ContextOverflowException) e).contextSize()).isEqualTo(64));
            assertThatThrownBy(() -> m.embed(longPrompt)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("embeddings(true)"); // disabled for this model
            assertThatThrownBy(() -> m.stream(greedy(longPrompt, 8))).isInstanceOf(ContextOverflowException.class);
            Completion c = m.complete(CompletionRequest.builder().prompt(longPrompt).maxTokens(8).truncatePrompt(true).build());
            assertThat(c.usage().promptTokens()).isEqualTo(64 - 8);
            assertThat(c.tokens()).hasSize(8);
            // the model still serves normal requests afterwards
            assertThat(m.complete(greedy("Once upon a time", 4)).tokens()).isNotEmpty();
        }
    }

    @Test
    void useAfterClose_throwsIllegalState_andCloseIsIdempotent() {
        LanguageModel m = builder(TestModels.stories260K()).build();
        m.complete(greedy("Hi", 2));
        m.close();
        m.close();
        assertThatThrownBy(() -> m.complete("Hi")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
        assertThatThrownBy(() -> m.embed("Hi")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
        assertThatThrownBy(() -> m.tokenize("Hi")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.stream(greedy("Hi", 2))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::info).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void close_whileGenerating_endsItWithAClearException() throws Exception {
        LanguageModel m = builder(TestModels.stories260K()).contextSize(8192).build();
        TokenStream s = m.stream(CompletionRequest.builder().prompt("Once").maxTokens(8000).ignoreEos(true).build());
        assertThat(s.hasNext()).isTrue();
        m.close();
        assertThatThrownBy(s::result).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was closed while the request was running");
        assertThatThrownBy(() -> m.complete("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingPath_isModelLoadExceptionNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("missing.gguf");
        assertThatThrownBy(() -> builder(missing).build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing.gguf");
    }

    @Test
    void directory_isModelLoadException(@TempDir Path dir) {
        assertThatThrownBy(() -> builder(dir).build()).isInstanceOf(ModelLoadException.class).hasMessageContaining("directory");
    }

    @Test
    void hostileFiles_areRejectedByTheJavaReaderBeforeNativeLoad(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(TestModels.stories260K());
        // tensor data running past the end of the file: the native loader would read out of bounds
        Path truncated = dir.resolve("truncated.gguf");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 1000));
        assertThatThrownBy(() -> builder(truncated).build()).isInstanceOf(ModelFormatException.class);
        // absurd tensor count
        byte[] absurd = good.clone();
        absurd[15] = 0x10;
        Path many = dir.resolve("many.gguf");
        Files.write(many, absurd);
        assertThatThrownBy(() -> builder(many).build()).isInstanceOf(ModelFormatException.class);
        // wrong magic, empty file
        byte[] magic = good.clone();
        magic[0] = 'X';
        Path wrong = dir.resolve("magic.gguf");
        Files.write(wrong, magic);
        assertThatThrownBy(() -> builder(wrong).build()).isInstanceOf(ModelFormatException.class);
        Path empty = Files.createFile(dir.resolve("empty.gguf"));
        assertThatThrownBy(() -> builder(empty).build()).isInstanceOf(ModelFormatException.class);
        // the JVM is alive and the real model still loads
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            assertThat(f.tensors()).hasSize(48);
        }
        assertThat(stories.complete(greedy("Hi", 2)).tokens()).isNotEmpty();
    }

    @Test
    void quantization_withoutQuantModule_failsClearly() {
        Path stories260K = TestModels.stories260K();
        assertThatThrownBy(() -> builder(stories260K).quantization(Quantization.Q8_0).build())
                .isInstanceOf(ModelLoadException.class).hasMessage("quantization q8_0 needs autoglm-quant on the class path");
    }
}
