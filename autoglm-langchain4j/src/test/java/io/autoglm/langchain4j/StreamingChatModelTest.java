package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.grammar.Json;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link AutoGlmStreamingChatModel}: partial text and tool calls add up to what the blocking model returns. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingChatModelTest {
    LanguageModel stories;
    LanguageModel random;

    @BeforeAll
    void load() {
        stories = AutoGLM.builder().model(TestModels.stories260K()).contextSize(1024).threads(1).parallel(2).build();
        random = AutoGLM.builder().model(TestModels.tinyRandom()).contextSize(256).threads(1).parallel(1).build();
    }

    @AfterAll
    void close() {
        if (stories != null) {
            stories.close();
        }
        if (random != null) {
            random.close();
        }
    }

    /** Collects every callback. */
    static final class Recorder implements StreamingChatResponseHandler {
        final StringBuilder text = new StringBuilder();
        final List<PartialToolCall> partialCalls = new CopyOnWriteArrayList<>();
        final List<CompleteToolCall> completeCalls = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onPartialResponse(String partial) {
            threads.add(Thread.currentThread().getName());
            text.append(partial);
        }

        @Override
        public void onPartialToolCall(PartialToolCall call) {
            partialCalls.add(call);
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall call) {
            completeCalls.add(call);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        ChatResponse await() throws Exception {
            return done.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void partialResponses_addUpToTheCompleteResponse_andToTheBlockingModelsAnswer() throws Exception {
        for (LanguageModel llm : List.of(stories, random)) {
            String template = "chatml";
            StreamingChatModel streaming = AutoGlmStreamingChatModel.builder(llm).chatTemplate(template).build();
            ChatModel blocking = AutoGlmChatModel.builder(llm).chatTemplate(template).build();
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).maxOutputTokens(32).build();
            Recorder r = new Recorder();
            streaming.chat(request, r);
            ChatResponse response = r.await();
            ChatResponse expected = blocking.chat(request);

            assertThat(r.text.toString()).isEqualTo(response.aiMessage().text()).isEqualTo(expected.aiMessage().text()).isNotEmpty();
            assertThat(response.tokenUsage()).isEqualTo(expected.tokenUsage());
            assertThat(response.finishReason()).isEqualTo(expected.finishReason());
            assertThat(r.threads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("autoglm-stream-"));
        }
    }

    @Test
    void toolCalls_streamTheirArguments_thenCompleteCalls() throws Exception {
        StreamingChatModel streaming = AutoGlmStreamingChatModel.builder(stories).chatTemplate("chatml").maxToolCalls(2).build();
        Recorder r = new Recorder();
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("Add 2 and 3."))
                .toolSpecifications(ChatModelTest.ADD, ChatModelTest.MOOD).toolChoice(ToolChoice.REQUIRED).maxOutputTokens(200).build(), r);
        ChatResponse response = r.await();

        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
        assertThat(r.completeCalls).extracting(CompleteToolCall::toolExecutionRequest).containsExactlyElementsOf(calls);
        assertThat(r.text).isEmpty();
        for (int i = 0; i < calls.size(); i++) {
            int index = i;
            List<PartialToolCall> parts = r.partialCalls.stream().filter(p -> p.index() == index).toList();
            assertThat(parts).isNotEmpty().allSatisfy(p -> {
                assertThat(p.id()).isEqualTo(calls.get(index).id());
                assertThat(p.name()).isEqualTo(calls.get(index).name());
            });
            String streamedArguments = String.join("", parts.stream().map(PartialToolCall::partialArguments).toList());
            assertThat(Json.parse(streamedArguments)).isEqualTo(Json.parse(calls.get(index).arguments()));
        }
    }

    @Test
    void cancelThroughTheHandle_stopsTheGeneration_withoutFurtherCallbacks() throws Exception {
        StreamingChatModel streaming = AutoGlmStreamingChatModel.builder(stories).chatTemplate("chatml").build();
        AtomicInteger partials = new AtomicInteger();
        AtomicInteger ends = new AtomicInteger();
        CountDownLatch cancelled = new CountDownLatch(1);
        long before = stories.stats().requests(io.autoglm.ModelStats.Outcome.CANCELLED);
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a long story.")).maxOutputTokens(400).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                        if (partials.incrementAndGet() == 3) {
                            context.streamingHandle().cancel();
                            assertThat(context.streamingHandle().isCancelled()).isTrue();
                            cancelled.countDown();
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        ends.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable error) {
                        ends.incrementAndGet();
                    }
                });
        assertThat(cancelled.await(60, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stories.stats().requests(io.autoglm.ModelStats.Outcome.CANCELLED) == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(stories.stats().requests(io.autoglm.ModelStats.Outcome.CANCELLED)).isEqualTo(before + 1);
        Thread.sleep(100);
        assertThat(partials.get()).isEqualTo(3);
        assertThat(ends.get()).isZero();
    }

    @Test
    void errors_goToOnError_andToListeners() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onResponse(ChatModelResponseContext c) {
                seen.add(c.chatResponse());
            }

            @Override
            public void onError(ChatModelErrorContext c) {
                seen.add(c.error());
            }
        };
        StreamingChatModel streaming = AutoGlmStreamingChatModel.builder(stories).chatTemplate("chatml").listeners(List.of(listener)).build();

        Recorder overflow = new Recorder();
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("word ".repeat(3000))).build(), overflow);
        assertThat(overflow.done).failsWithin(60, TimeUnit.SECONDS).withThrowableThat().havingCause()
                .isInstanceOf(InvalidRequestException.class);
        assertThat(seen).singleElement().isInstanceOf(InvalidRequestException.class);

        seen.clear();
        Recorder bad = new Recorder();
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).topP(2.0).build(), bad);
        assertThat(bad.done).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().havingCause()
                .isInstanceOf(IllegalArgumentException.class).withMessageContaining("topP");

        // a handler that throws cancels its generation and hears of it in onError
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        streaming.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story.")).maxOutputTokens(50).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        throw new IllegalStateException("consumer broke");
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        error.complete(null);
                    }

                    @Override
                    public void onError(Throwable e) {
                        error.complete(e);
                    }
                });
        assertThat(error.get(60, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasMessage("consumer broke");
    }
}
