package io.autoglm.backend.jni;

import io.autoglm.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The few GGUF metadata values the JNI binding cannot report (special token ids, BOS policy, chat
 * template, sizes). It reads only the key/value section, with every length checked against the
 * file; it is not the project's GGUF reader ({@code io.autoglm.gguf}) and should be replaced by it.
 */
final class GgufPeek {
    private static final int MAX_HEADER_BYTES = 256 << 20;

    private final Map<String, Object> values;
    private final long tokenCount;

    private GgufPeek(Map<String, Object> values, long tokenCount) {
        this.values = values;
        this.tokenCount = tokenCount;
    }

    static GgufPeek read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, MAX_HEADER_BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            return parse(buf, file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), -1, e);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new ModelFormatException("GGUF metadata of " + file + " is truncated or malformed", -1, e);
        }
    }

    private static GgufPeek parse(ByteBuffer b, Path file) {
        if (b.remaining() < 24 || b.getInt() != 0x46554747) {
            throw new ModelFormatException(file + " is not a GGUF file (bad magic)", 0);
        }
        int version = b.getInt();
        if (version < 2 || version > 3) {
            throw new ModelFormatException(file + ": unsupported GGUF version " + version, 4);
        }
        b.getLong(); // tensor count
        long kvCount = b.getLong();
        if (kvCount < 0 || kvCount > 1_000_000) {
            throw new ModelFormatException(file + ": absurd metadata count " + kvCount, 16);
        }
        Set<String> wanted = Set.of("general.architecture", "tokenizer.ggml.model", "tokenizer.chat_template",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id",
                "tokenizer.ggml.eom_token_id", "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
                "tokenizer.ggml.add_space_prefix", "tokenizer.ggml.seperator_token_id",
                "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id");
        Map<String, Object> out = new HashMap<>();
        long tokens = -1;
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            int type = b.getInt();
            if (key.equals("tokenizer.ggml.tokens") && type == 9) {
                int elem = b.getInt();
                long n = b.getLong();
                checkCount(n, b);
                tokens = n;
                skipArray(b, elem, n);
                continue;
            }
            if (wanted.contains(key) || key.endsWith(".context_length") || key.endsWith(".embedding_length")) {
                out.put(key, value(b, type));
            } else {
                skip(b, type);
            }
        }
        return new GgufPeek(out, tokens);
    }

    private static void checkCount(long n, ByteBuffer b) {
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("count " + n);
        }
    }

    private static String string(ByteBuffer b) {
        long len = b.getLong();
        checkCount(len, b);
        byte[] s = new byte[(int) len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0 -> (long) Byte.toUnsignedInt(b.get());
            case 1 -> (long) b.get();
            case 2 -> (long) Short.toUnsignedInt(b.getShort());
            case 3 -> (long) b.getShort();
            case 4 -> Integer.toUnsignedLong(b.getInt());
            case 5 -> (long) b.getInt();
            case 6 -> (double) b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            case 9 -> {
                int elem = b.getInt();
                long n = b.getLong();
                checkCount(n, b);
                skipArray(b, elem, n);
                yield null;
            }
            default -> throw new IllegalArgumentException("type " + type);
        };
    }

    private static void skip(ByteBuffer b, int type) {
        value(b, type);
    }

    private static void skipArray(ByteBuffer b, int elem, long n) {
        int fixed = switch (elem) {
            case 0, 1, 7 -> 1;
            case 2, 3 -> 2;
            case 4, 5, 6 -> 4;
            case 10, 11, 12 -> 8;
            default -> -1;
        };
        if (fixed > 0) {
            long bytes = n * fixed;
            checkCount(bytes, b);
            b.position(b.position() + (int) bytes);
            return;
        }
        for (long i = 0; i < n; i++) {
            if (elem == 8) {
                long len = b.getLong();
                checkCount(len, b);
                b.position(b.position() + (int) len);
            } else {
                skip(b, elem);
            }
        }
    }

    private String arch() {
        return values.get("general.architecture") instanceof String s ? s : "llama";
    }

    long longValue(String key, long dflt) {
        return values.get(key) instanceof Long l ? l : dflt;
    }

    boolean boolValue(String key, boolean dflt) {
        return values.get(key) instanceof Boolean v ? v : dflt;
    }

    String stringValue(String key) {
        return values.get(key) instanceof String s ? s : null;
    }

    long contextLength() {
        return longValue(arch() + ".context_length", 0);
    }

    long embeddingLength() {
        return longValue(arch() + ".embedding_length", 0);
    }

    long tokenCount() {
        return tokenCount;
    }

    String tokenizerModel() {
        String m = stringValue("tokenizer.ggml.model");
        return m == null ? "" : m;
    }
}
