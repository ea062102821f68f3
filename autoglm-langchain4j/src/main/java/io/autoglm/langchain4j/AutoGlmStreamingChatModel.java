package io.autoglm.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.autoglm.LanguageModel;
import io.autoglm.TokenChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j {@link StreamingChatModel} over an in-process AutoGLM {@link LanguageModel}: the same
 * request mapping, tools and response formats as {@link AutoGlmChatModel}, with the reply handed to the
 * {@link StreamingChatResponseHandler} as it is generated.
 *
 * <p>{@link #doChat(ChatRequest, StreamingChatResponseHandler)} returns at once; the generation runs on
 * the {@link Builder#executor(Executor) executor} (a new virtual thread per request by default), and the
 * handler is called on that thread, in order: {@code onPartialResponse} for each piece of an answer,
 * or {@code onPartialToolCall} for each piece of a tool call's arguments (once its name is known) and
 * {@code onCompleteToolCall} for each call at the end; then {@code onCompleteResponse} once, or
 * {@code onError} once instead. Where the model may either call a tool or answer in JSON, nothing is
 * streamed until the reply is complete (the two cannot be told apart earlier). Cancelling through
 * the {@link StreamingHandle} of a partial response's context stops the generation at the next token;
 * no further callback follows. An exception thrown by the handler cancels the generation and is
 * passed to {@code onError}.
 *
 * <pre>{@code
 * StreamingChatModel chat = AutoGlmStreamingChatModel.builder(llm).chatTemplate("chatml").build();
 * chat.chat("Tell me a story.", new StreamingChatResponseHandler() {
 *     public void onPartialResponse(String text) { System.out.print(text); }
 *     public void onCompleteResponse(ChatResponse response) { System.out.println(); }
 *     public void onError(Throwable error) { error.printStackTrace(); }
 * });
 * }</pre>
 */
public final class AutoGlmStreamingChatModel implements StreamingChatModel {
    private static final Logger LOG = LoggerFactory.getLogger(AutoGlmStreamingChatModel.class);

    private final ChatSupport support;
    private final Executor executor;

    private AutoGlmStreamingChatModel(ChatSupport support, Executor executor) {
        this.support = support;
        this.executor = executor;
    }

    /**
     * @param model the loaded model to chat with (not closed by this adapter)
     * @return a builder
     */
    public static Builder builder(LanguageModel model) {
        return new Builder(model);
    }

    @Override
    public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        ChatSupport.Prepared prepared;
        try {
            prepared = support.prepare(chatRequest);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        Run run = new Run(prepared, handler);
        try {
            executor.execute(run);
        } catch (RejectedExecutionException e) {
            handler.onError(e);
        }
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return support.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return support.listeners();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return support.capabilities();
    }

    @Override
    public String toString() {
        return "AutoGlmStreamingChatModel[" + support.modelName() + "]";
    }

    /** One streamed request: turns the model's chunks into handler calls. */
    private final class Run implements Runnable, StreamingHandle {
        private final ChatSupport.Prepared prepared;
        private final StreamingChatResponseHandler handler;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final StringBuilder text = new StringBuilder();
        private final List<String> ids = new ArrayList<>();
        private final List<Integer> emitted = new ArrayList<>();
        private ChatSupport.Mode kind; // what the output turned out to be; null while undecided
        private RuntimeException handlerError;

        Run(ChatSupport.Prepared prepared, StreamingChatResponseHandler handler) {
            this.prepared = prepared;
            this.handler = handler;
            this.kind = switch (prepared.mode()) {
                case TEXT, JSON -> ChatSupport.Mode.TEXT;
                case TOOLS -> ChatSupport.Mode.TOOLS;
                case TOOLS_OR_ANSWER -> null;
            };
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }

        @Override
        public void run() {
            io.autoglm.ChatResponse result;
            try {
                result = support.model().chat(prepared.request(), this::onChunk);
            } catch (RuntimeException e) {
                if (!cancelled.get()) {
                    handler.onError(ChatSupport.translate(e));
                }
                return;
            }
            if (handlerError != null) {
                handler.onError(handlerError);
                return;
            }
            if (cancelled.get()) {
                return;
            }
            ChatResponse response;
            try {
                response = support.toResponse(prepared, result, ids);
            } catch (RuntimeException e) {
                handler.onError(e);
                return;
            }
            try {
                if (response.aiMessage().hasToolExecutionRequests()) {
                    List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
                    for (int i = 0; i < calls.size(); i++) {
                        handler.onCompleteToolCall(new CompleteToolCall(i, calls.get(i)));
                    }
                } else if (kind != ChatSupport.Mode.TEXT) {
                    // undecided or buffered until the end: the answer goes out in one piece
                    String answer = response.aiMessage().text();
                    if (answer != null && !answer.isEmpty()) {
                        handler.onPartialResponse(new PartialResponse(answer), new PartialResponseContext(this));
                    }
                }
                handler.onCompleteResponse(response);
            } catch (RuntimeException e) {
                LOG.warn("the streaming handler failed on the complete response of {}", support.modelName(), e);
            }
        }

        private boolean onChunk(TokenChunk chunk) {
            if (cancelled.get()) {
                return false;
            }
            try {
                text.append(chunk.text());
                if (kind == null) {
                    decide();
                } else if (kind == ChatSupport.Mode.TEXT) {
                    String piece = chunk.text();
                    if (!piece.isEmpty()) {
                        handler.onPartialResponse(new PartialResponse(piece), new PartialResponseContext(this));
                    }
                } else if (kind == ChatSupport.Mode.TOOLS) {
                    toolDeltas();
                }
            } catch (RuntimeException e) {
                handlerError = e;
                return false;
            }
            return !cancelled.get();
        }

        /** In TOOLS_OR_ANSWER mode: the first character that is not whitespace tells a call from an answer. */
        private void decide() {
            String s = text.toString().stripLeading();
            if (s.isEmpty()) {
                return;
            }
            boolean call = s.charAt(0) == '{' || s.charAt(0) == '[';
            if (!call) {
                kind = ChatSupport.Mode.TEXT;
                text.setLength(0);
                text.append(s);
                handler.onPartialResponse(new PartialResponse(s), new PartialResponseContext(this));
                text.setLength(0);
                return;
            }
            // a JSON answer and a tool call look alike: buffer until the end
            kind = prepared.jsonAnswer() ? ChatSupport.Mode.JSON : ChatSupport.Mode.TOOLS;
            if (kind == ChatSupport.Mode.TOOLS) {
                toolDeltas();
            }
        }

        private void toolDeltas() {
            String s = text.toString();
            List<ToolCallScanner.Seen> seen = ToolCallScanner.scan(s);
            for (int i = 0; i < seen.size(); i++) {
                ToolCallScanner.Seen call = seen.get(i);
                if (call.name() == null || call.argsStart() < 0) {
                    continue;
                }
                while (ids.size() <= i) {
                    ids.add(null);
                    emitted.add(0);
                }
                if (ids.get(i) == null) {
                    ids.set(i, ChatSupport.newCallId());
                }
                int end = call.argsEnd() >= 0 ? call.argsEnd() : s.length();
                int from = call.argsStart() + emitted.get(i);
                if (end > from) {
                    handler.onPartialToolCall(PartialToolCall.builder()
                            .index(i)
                            .id(ids.get(i))
                            .name(call.name())
                            .partialArguments(s.substring(from, end))
                            .build(), new PartialToolCallContext(this));
                    emitted.set(i, end - call.argsStart());
                }
            }
        }
    }

    /** Builder for {@link AutoGlmStreamingChatModel}; setters validate at once. */
    public static final class Builder extends ChatModelBuilder<Builder> {
        private Executor executor;

        private Builder(LanguageModel model) {
            super(model);
        }

        /** @param v runs each streamed request and its handler calls (default: a new virtual thread each) @return this */
        public Builder executor(Executor v) {
            executor = Objects.requireNonNull(v, "executor");
            return this;
        }

        /** @return the streaming chat model */
        public AutoGlmStreamingChatModel build() {
            Executor e = executor;
            if (e == null) {
                java.util.concurrent.ThreadFactory threads = Thread.ofVirtual().name("autoglm-stream-", 0).factory();
                e = r -> threads.newThread(r).start();
            }
            return new AutoGlmStreamingChatModel(settings.build(), e);
        }
    }
}
