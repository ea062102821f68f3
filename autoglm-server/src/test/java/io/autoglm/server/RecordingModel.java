package io.autoglm.server;

import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.LogitsConsumer;
import io.autoglm.ModelInfo;
import io.autoglm.TokenListener;
import io.autoglm.TokenStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real model that also records how each generation it served ended (to see cancellations). */
final class RecordingModel implements LanguageModel {
    private final LanguageModel model;
    final List<Completion> finished = new CopyOnWriteArrayList<>();
    final AtomicInteger started = new AtomicInteger();
    final List<RuntimeException> failed = new CopyOnWriteArrayList<>();

    RecordingModel(LanguageModel model) {
        this.model = model;
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return complete(request, c -> true);
    }

    @Override
    public Completion complete(CompletionRequest request, TokenListener listener) {
        started.incrementAndGet();
        try {
            Completion c = model.complete(request, listener);
            finished.add(c);
            return c;
        } catch (RuntimeException e) {
            failed.add(e);
            throw e;
        }
    }

    @Override
    public TokenStream stream(CompletionRequest request) {
        return model.stream(request);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return chat(request, c -> true);
    }

    @Override
    public ChatResponse chat(ChatRequest request, TokenListener listener) {
        started.incrementAndGet();
        try {
            ChatResponse r = model.chat(request, listener);
            finished.add(r.completion());
            return r;
        } catch (RuntimeException e) {
            failed.add(e);
            throw e;
        }
    }

    @Override
    public TokenStream streamChat(ChatRequest request) {
        return model.streamChat(request);
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, String chatTemplate, boolean addAssistantPrompt) {
        return model.applyChatTemplate(messages, chatTemplate, addAssistantPrompt);
    }

    @Override
    public float[] embed(String text, boolean normalize) {
        return model.embed(text, normalize);
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        return model.tokenize(text, addSpecial, parseSpecial);
    }

    @Override
    public String detokenize(int[] tokens) {
        return model.detokenize(tokens);
    }

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        model.evaluate(tokens, consumer);
    }

    @Override
    public float[] embedTokens(int[] tokens, boolean normalize) {
        return model.embedTokens(tokens, normalize);
    }

    @Override
    public io.autoglm.ModelStats stats() {
        return model.stats();
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public void close() {
        // the shared model stays open
    }
}
