package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.ModelInfo;
import io.autoglm.RequestRejectedException;
import io.autoglm.TokenChunk;
import io.autoglm.TokenStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Engine logic against a scripted backend: finish reasons, streaming, queueing, close. */
class ServingModelTest {
    private final FakeBackendModel fake = new FakeBackendModel();
    private ServingModel model;

    private ServingModel open(String defaultTemplate, int maxQueued) {
        SerialScheduler scheduler = new SerialScheduler(fake, maxQueued, "fake");
        EngineThreads.start(scheduler);
        ModelInfo info = new EngineModelInfo(Path.of("fake.gguf"), "llama", "fake", 1, 0, 64, fake.contextSize(), 1, 4, 1,
                fake.vocabSize(), Optional.empty(), "fake", "none", 0, "as stored", fake.capabilities());
        model = new ServingModel(fake, scheduler, Vocabulary.of(fake), info, defaultTemplate, true, "fake");
        return model;
    }

    /** Waits (at most 10 s) until {@code n} requests wait in the queue. */
    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (model.stats().queuedRequests() < n) {
            assertThat(System.nanoTime()).as("%d queued requests within 10 s", n).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @AfterEach
    void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void complete_untilEog_endsWithEndOfGeneration() {
        fake.script("Hel", "lo", "!");
        Completion c = open(null, 8).complete(CompletionRequest.of("hi"));
        assertThat(c.text()).isEqualTo("Hello!");
        assertThat(c.finishReason()).isEqualTo(FinishReason.END_OF_GENERATION);
        assertThat(c.usage().promptTokens()).isEqualTo(3); // BOS + 2 characters
        assertThat(c.usage().completionTokens()).isEqualTo(3);
        assertThat(c.timings().decodeTokens()).isEqualTo(2); // the tokens after the first
        assertThat(fake.lastPrompt[0]).isEqualTo(FakeBackendModel.BOS);
    }

    @Test
    void complete_maxTokens_endsWithLength() {
        fake.script("a", "b", "c", "d");
        Completion c = open(null, 8).complete(CompletionRequest.builder().prompt("x").maxTokens(2).build());
        assertThat(c.text()).isEqualTo("ab");
        assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(c.tokens()).hasSize(2);
    }

    @Test
    void complete_withStopString_stopsBeforeIt() {
        fake.script("one", " two", " th", "ree", " four");
        Completion c = open(null, 8).complete(CompletionRequest.builder().prompt("x").stop(" three").build());
        assertThat(c.text()).isEqualTo("one two");
        assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(c.tokens()).hasSize(4);
    }

    @Test
    void stream_chunksConcatenateToTheBlockingText_evenWithHeldBackTail() {
        fake.script("a", "b", "<", "/"); // "</" may begin the stop string "</end>" and is released only at the end
        open(null, 8);
        CompletionRequest r = CompletionRequest.builder().prompt("x").stop("</end>").build();
        Completion blocking = model.complete(r);
        List<TokenChunk> chunks;
        try (TokenStream s = model.stream(r)) {
            chunks = s.stream().toList();
            assertThat(s.result()).isEqualTo(blocking);
        }
        assertThat(chunks.stream().map(TokenChunk::text).collect(Collectors.joining())).isEqualTo(blocking.text()).isEqualTo("ab</");
        assertThat(chunks.stream().filter(ch -> ch.token() >= 0).mapToInt(TokenChunk::token).toArray())
                .containsExactly(blocking.tokens());
    }

    @Test
    void listenerReturningFalse_cancels() {
        fake.script("a", "b", "c");
        fake.tokenDelayMillis = 0;
        open(null, 8);
        List<String> seen = new ArrayList<>();
        Completion c = model.complete(CompletionRequest.builder().prompt("x").ignoreEos(true).maxTokens(100).build(),
                ch -> seen.add(ch.text()) && seen.size() < 2);
        assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.tokens()).hasSize(2);
        assertThat(seen).containsExactly("a", "b");
    }

    @Test
    void fullQueue_rejectsWithRequestRejected() throws Exception {
        fake.script("a");
        fake.startGate = new CountDownLatch(1);
        open(null, 1);
        CompletableFuture<Completion> running = CompletableFuture.supplyAsync(() -> model.complete("x"));
        assertThat(fake.started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Completion> queued = CompletableFuture.supplyAsync(() -> model.complete("y"));
        awaitQueued(1);
        assertThatThrownBy(() -> model.complete("z")).isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("maxQueuedRequests");
        fake.startGate.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS).text()).isEqualTo("a");
        assertThat(queued.get(10, TimeUnit.SECONDS).text()).isEqualTo("a");
    }

    @Test
    void close_failsRunningAndQueued_closesBackend_isIdempotent() throws Exception {
        fake.script("a");
        fake.tokenDelayMillis = 5;
        open(null, 4);
        TokenStream running = model.stream(CompletionRequest.builder().prompt("x").ignoreEos(true).maxTokens(100_000).build());
        assertThat(fake.started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Completion> queued = CompletableFuture.supplyAsync(() -> model.complete("y"));
        awaitQueued(1);
        model.close();
        assertThat(fake.closed).isTrue();
        assertThatThrownBy(running::result).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed while the request was running");
        assertThatThrownBy(queued::join).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        model.close();
        assertThatThrownBy(() -> model.complete("x")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
        assertThatThrownBy(() -> model.tokenize("x")).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed: ");
        assertThatThrownBy(model::info).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void streamCancel_endsWithCancelled() throws Exception {
        fake.script("a");
        fake.tokenDelayMillis = 2;
        open(null, 4);
        try (TokenStream s = model.stream(CompletionRequest.builder().prompt("x").ignoreEos(true).maxTokens(100_000).build())) {
            assertThat(s.next().text()).isEqualTo("a");
            s.cancel();
            assertThat(s.result().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(s.result().tokens().length).isLessThan(100_000);
        }
    }

    @Test
    void chat_withoutAnyTemplate_failsNamingChatml() {
        open(null, 4);
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("chatTemplate(\"chatml\")");
    }

    @Test
    void chat_requestTemplateBeatsBuilderDefault() {
        fake.script("ok");
        open("nonexistent-template", 4);
        ChatRequest r = ChatRequest.builder().message(ChatMessage.user("hi")).chatTemplate("chatml").build();
        assertThat(model.chat(r).text()).isEqualTo("ok");
        assertThat(model.applyChatTemplate(List.of(ChatMessage.user("hi")), "chatml", true))
                .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nonexistent-template");
    }

    @Test
    void listenerException_reachesTheCaller() {
        fake.script("a", "b");
        open(null, 4);
        assertThatThrownBy(() -> model.complete(CompletionRequest.of("x"), ch -> {
            throw new IllegalStateException("listener broke");
        })).isInstanceOf(IllegalStateException.class).hasMessage("listener broke");
        assertThat(model.complete("x").text()).isEqualTo("ab"); // the model keeps serving
    }

    @Test
    void detokenize_rejectsIdsOutsideTheVocab() {
        open(null, 4);
        assertThatThrownBy(() -> model.detokenize(new int[] {0, 99999})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99999");
    }
}
