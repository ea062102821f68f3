package io.autoglm.backend.jni;

import io.autoglm.gguf.GgufArray;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The few GGUF metadata values the JNI binding cannot report (special token ids, BOS policy, chat
 * template, sizes), read through the project's GGUF reader ({@link GgufFile}) when a model loads.
 */
final class GgufPeek {
    private static final Set<String> WANTED = Set.of("general.architecture", "tokenizer.ggml.model",
            "tokenizer.chat_template", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id", "tokenizer.ggml.add_bos_token",
            "tokenizer.ggml.add_eos_token", "tokenizer.ggml.add_space_prefix", "tokenizer.ggml.seperator_token_id",
            "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id");

    /** {@code tokenizer.ggml.token_type} value of control tokens (llama.cpp's LLAMA_TOKEN_TYPE_CONTROL) */
    private static final long TOKEN_TYPE_CONTROL = 3;

    private final Map<String, Object> values;
    private final long tokenCount;
    private final boolean[] control;

    private GgufPeek(Map<String, Object> values, long tokenCount, boolean[] control) {
        this.values = values;
        this.tokenCount = tokenCount;
        this.control = control;
    }

    /** Integers as {@code Long}, booleans and strings as themselves; other types are not kept. */
    static GgufPeek read(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            Map<String, Object> out = new HashMap<>();
            boolean[] control = new boolean[0];
            GgufValue types = f.metadata().get("tokenizer.ggml.token_type");
            if (types != null && types.type() == GgufValueType.ARRAY && types.asArray().elementType().isInteger()) {
                GgufArray a = types.asArray();
                control = new boolean[a.size()];
                for (int i = 0; i < control.length; i++) {
                    control[i] = a.getLong(i) == TOKEN_TYPE_CONTROL;
                }
            }
            for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
                String key = e.getKey();
                if (!WANTED.contains(key) && !key.endsWith(".context_length") && !key.endsWith(".embedding_length")) {
                    continue;
                }
                GgufValue v = e.getValue();
                if (v.type().isInteger()) {
                    out.put(key, v.asLong());
                } else if (v.type() == GgufValueType.BOOL) {
                    out.put(key, v.asBoolean());
                } else if (v.type() == GgufValueType.STRING) {
                    out.put(key, v.asString());
                }
            }
            return new GgufPeek(out, f.vocabSize(), control);
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

    /** @return whether the file marks the token as a control token */
    boolean isControl(int token) {
        return token >= 0 && token < control.length && control[token];
    }

    long tokenCount() {
        return tokenCount;
    }

    String tokenizerModel() {
        String m = stringValue("tokenizer.ggml.model");
        return m == null ? "" : m;
    }
}
