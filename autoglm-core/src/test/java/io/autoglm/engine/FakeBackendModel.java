package io.autoglm.engine;

import io.autoglm.ChatMessage;
import io.autoglm.LogitsConsumer;
import io.autoglm.Capability;
import io.autoglm.backend.SerialBackendModel;
import java.util.EnumSet;
import java.util.Set;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.TokenSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A scripted backend for engine-logic tests only (queueing, stop strings, UTF-8, cancellation):
 * token i's bytes are {@code pieces[i]}, generation replays {@code script} and then ends with EOG.
 * Real behaviour is covered by the contract tests against the FFM and JNI backends.
 */
final class FakeBackendModel implements SerialBackendModel {
    static final int BOS = 0;
    static final int EOG = 1;

    final List<byte[]> pieces = new ArrayList<>();
    volatile int[] script = new int[0];
    volatile long tokenDelayMillis;
    volatile CountDownLatch startGate;
    final CountDownLatch started = new CountDownLatch(1);
    final AtomicBoolean closed = new AtomicBoolean();
    volatile int[] lastPrompt;
    int contextSize = 64;

    FakeBackendModel() {
        piece("<s>");
        piece("</s>");
    }

    int piece(String text) {
        return piece(text.getBytes(StandardCharsets.UTF_8));
    }

    int piece(byte[] bytes) {
        pieces.add(bytes);
        return pieces.size() - 1;
    }

    /** @param texts text pieces to generate, in order (added to the vocab) */
    FakeBackendModel script(String... texts) {
        int[] s = new int[texts.length];
        for (int i = 0; i < texts.length; i++) {
            s[i] = piece(texts[i]);
        }
        script = s;
        return this;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.EMBEDDINGS, Capability.LOGITS, Capability.PER_REQUEST_CHAT_TEMPLATE);
    }

    @Override
    public boolean isVocabularyThreadSafe() {
        return false;
    }

    @Override
    public boolean isControl(int token) {
        return token == BOS || token == EOG;
    }

    @Override
    public String backendName() {
        return "fake";
    }

    @Override
    public String nativeLibrary() {
        return "none";
    }

    @Override
    public int contextSize() {
        return contextSize;
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    @Override
    public int embeddingLength() {
        return 4;
    }

    /** One token per character (if the character is a known piece, else token 2+code). BOS when addSpecial. */
    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial) {
            out.add(BOS);
        }
        text.codePoints().forEach(cp -> {
            String ch = new String(Character.toChars(cp));
            int id = -1;
            for (int i = 2; i < pieces.size(); i++) {
                if (new String(pieces.get(i), StandardCharsets.UTF_8).equals(ch)) {
                    id = i;
                    break;
                }
            }
            out.add(id >= 0 ? id : piece(ch));
        });
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int token) {
        return pieces.get(token).clone();
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token == EOG;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.empty();
    }

    @Override
    public String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant) {
        if (!template.equals("chatml")) {
            throw new IllegalArgumentException("unsupported template " + template);
        }
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (addAssistant) {
            sb.append("<|im_start|>assistant\n");
        }
        return sb.toString();
    }

    @Override
    public GenerationResult generate(GenerationSpec spec, TokenSink sink) {
        lastPrompt = spec.prompt().clone();
        started.countDown();
        CountDownLatch gate = startGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int[] s = script;
        int n = 0;
        for (int i = 0; ; i++) {
            if (n >= spec.maxTokens()) {
                return new GenerationResult(spec.prompt().length, n, 1, 1, GenerationResult.End.LENGTH);
            }
            if (i >= s.length && !spec.ignoreEos()) {
                return new GenerationResult(spec.prompt().length, n, 1, 1, GenerationResult.End.END_OF_GENERATION);
            }
            int tok = s.length == 0 ? 2 : s[i % s.length];
            if (tokenDelayMillis > 0) {
                try {
                    Thread.sleep(tokenDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            n++;
            if (!sink.accept(tok)) {
                return new GenerationResult(spec.prompt().length, n, 1, 1, GenerationResult.End.SINK_STOPPED);
            }
        }
    }

    @Override
    public float[] embed(int[] tokens, boolean normalize) {
        return new float[] {tokens.length, 0, 0, 0};
    }

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        for (int i = 0; i < tokens.length; i++) {
            consumer.accept(i, new float[vocabSize()]);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
