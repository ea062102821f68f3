package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.autoglm.ChatMessage;
import io.autoglm.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded model's vocabulary and chat templates: tokenize, token pieces, token kinds, template
 * rendering. None of these touch a context, and llama.cpp's vocabulary is read-only once loaded,
 * so they run on any caller's thread. A guard keeps them off freed memory: {@link #close()} waits
 * for calls in flight and later calls throw {@link IllegalStateException}.
 */
final class FfmVocab {
    private static final int TEMPLATE_MAX_BYTES = 64 << 20;

    private final LlamaLibrary lib;
    private final MemorySegment vocab;
    private final int nVocab;
    private final String chatTemplate;
    private final String owner;
    private final Object guard = new Object();
    private int active;
    private boolean closed;

    private FfmVocab(LlamaLibrary lib, MemorySegment vocab, int nVocab, String chatTemplate, String owner) {
        this.lib = lib;
        this.vocab = vocab;
        this.nVocab = nVocab;
        this.chatTemplate = chatTemplate;
        this.owner = owner;
    }

    /**
     * @param lib the library
     * @param model a loaded {@code llama_model *}
     * @param owner names the model in messages
     * @return the model's vocabulary
     */
    static FfmVocab of(LlamaLibrary lib, MemorySegment model, String owner) {
        try {
            MemorySegment v = (MemorySegment) lib.modelGetVocab.invokeExact(model);
            int n = (int) lib.vocabNTokens.invokeExact(v);
            MemorySegment t = (MemorySegment) lib.modelChatTemplate.invokeExact(model, MemorySegment.NULL);
            String template = t.equals(MemorySegment.NULL) ? null
                    : t.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
            if (n <= 0) {
                throw new io.autoglm.ModelLoadException("model " + owner + " has an empty vocabulary");
            }
            return new FfmVocab(lib, v, n, template, owner);
        } catch (Throwable e) {
            throw LlamaLibrary.rethrow(e);
        }
    }

    /** @return the {@code llama_vocab *} (valid until the model is freed) */
    MemorySegment pointer() {
        return vocab;
    }

    int size() {
        return nVocab;
    }

    Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    private void enter() {
        synchronized (guard) {
            if (closed) {
                throw new IllegalStateException("closed: " + owner);
            }
            active++;
        }
    }

    private void exit() {
        synchronized (guard) {
            if (--active == 0) {
                guard.notifyAll();
            }
        }
    }

    /** Refuses new calls and waits for those in flight; the model may be freed afterwards. Idempotent. */
    void close() {
        boolean interrupted = false;
        synchronized (guard) {
            closed = true;
            while (active > 0) {
                try {
                    guard.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void checkToken(int token) {
        if (token < 0 || token >= nVocab) {
            throw new IllegalArgumentException("token id must be in [0, " + nVocab + "), was " + token);
        }
    }

    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment in = tmp.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, in, JAVA_BYTE, 0, utf8.length);
            int cap = utf8.length + 4;
            MemorySegment out = tmp.allocate(JAVA_INT, cap);
            int n = (int) lib.tokenize.invokeExact(vocab, in, utf8.length, out, cap, addSpecial, parseSpecial);
            if (n < 0) {
                if (n == Integer.MIN_VALUE) {
                    throw new IllegalArgumentException("text of " + utf8.length + " bytes gives more tokens than llama_tokenize can count");
                }
                cap = -n;
                out = tmp.allocate(JAVA_INT, cap);
                n = (int) lib.tokenize.invokeExact(vocab, in, utf8.length, out, cap, addSpecial, parseSpecial);
                if (n < 0) {
                    throw new NativeException("llama_tokenize", utf8.length + " bytes, n_tokens_max=" + cap, n);
                }
            }
            return out.asSlice(0, 4L * n).toArray(JAVA_INT);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    byte[] tokenBytes(int token) {
        checkToken(token);
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            int cap = 64;
            MemorySegment buf = tmp.allocate(cap);
            int n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, true);
            if (n < 0) {
                cap = -n;
                buf = tmp.allocate(cap);
                n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, true);
                if (n < 0) {
                    throw new NativeException("llama_token_to_piece", "token=" + token + ", length=" + cap, n);
                }
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    boolean isEndOfGeneration(int token) {
        checkToken(token);
        enter();
        try {
            return (boolean) lib.vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    boolean isControl(int token) {
        checkToken(token);
        enter();
        try {
            return (boolean) lib.vocabIsControl.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    int bos() {
        enter();
        try {
            return (int) lib.vocabBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(messages, "messages");
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            int n = messages.size();
            MemorySegment chat = tmp.allocate(Structs.ChatMessage.LAYOUT, Math.max(1, n));
            long total = template.length();
            for (int i = 0; i < n; i++) {
                ChatMessage m = Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
                MemorySegment e = chat.asSlice(i * Structs.ChatMessage.LAYOUT.byteSize(), Structs.ChatMessage.LAYOUT);
                Structs.ChatMessage.ROLE.set(e, 0L, tmp.allocateFrom(m.role()));
                Structs.ChatMessage.CONTENT.set(e, 0L, tmp.allocateFrom(m.content()));
                total += m.role().length() + m.content().length();
            }
            MemorySegment tmpl = tmp.allocateFrom(template);
            int cap = (int) Math.min(TEMPLATE_MAX_BYTES, 2 * total + 512);
            MemorySegment buf = tmp.allocate(cap);
            int len = (int) lib.chatApplyTemplate.invokeExact(tmpl, chat, (long) n, addAssistant, buf, cap);
            if (len < 0) {
                throw new IllegalArgumentException("chat template not supported by llama.cpp " + lib.abi.generation()
                        + " (give a built-in name such as \"chatml\" or \"llama2\"): " + abbreviate(template));
            }
            if (len > cap) {
                cap = len;
                buf = tmp.allocate(cap);
                len = (int) lib.chatApplyTemplate.invokeExact(tmpl, chat, (long) n, addAssistant, buf, cap);
                if (len < 0 || len > cap) {
                    throw new NativeException("llama_chat_apply_template", n + " messages, length=" + cap, len);
                }
            }
            return new String(buf.asSlice(0, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 80 ? '"' + one + '"' : '"' + one.substring(0, 77) + "...\"";
    }
}
