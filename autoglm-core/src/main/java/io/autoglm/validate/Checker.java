package io.autoglm.validate;

import io.autoglm.ModelFormatException;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufArray;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import io.autoglm.gguf.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One validation run over one file; see {@link ModelValidator} for the rules and why each exists. */
final class Checker {
    /** llama.cpp's LLAMA_MAX_LAYERS. */
    static final int MAX_LAYERS = 512;
    /** LLAMA_MAX_EXPERTS of b4916 (current llama.cpp allows more; the smaller bound is safe for both). */
    static final int MAX_EXPERTS = 256;
    /** Largest embedding length accepted (the largest published models use 16k-32k). */
    static final long MAX_EMBD = 1L << 20;
    /** Token types llama.cpp knows: UNDEFINED 0, NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6. */
    static final int TOKEN_TYPE_BYTE = 6;
    static final long NO_TOKEN = 0xFFFF_FFFFL;
    /** ggml's TENSOR_ALIGNMENT: tensor data pointers must be multiples of it. */
    static final int TENSOR_ALIGNMENT = 32;

    private static final Set<String> ROPE_SCALING = Set.of("none", "linear", "yarn", "longrope");
    private static final Set<String> TOKENIZERS = Set.of("llama", "gpt2", "bert", "t5", "rwkv");
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d{1,9})\\.(.+)$");
    private static final Pattern BYTE_TOKEN = Pattern.compile("^<0x[0-9A-Fa-f]{2}>$");

    private final GgufFile f;
    /** the tensors of every part of a split model (only this file's otherwise) */
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> tensorsByName = new HashMap<>();
    private final String where;
    private String arch;
    private int nVocab;

    Checker(GgufFile f) {
        this(f, f.tensors());
    }

    /**
     * @param f the file whose metadata is checked (the first part of a split model)
     * @param tensors the tensors of the whole model
     */
    Checker(GgufFile f, List<TensorInfo> tensors) {
        this.f = f;
        this.tensors = List.copyOf(tensors);
        for (TensorInfo t : this.tensors) {
            tensorsByName.putIfAbsent(t.name(), t);
        }
        this.where = String.valueOf(f.path());
    }

    private ModelFormatException bad(String subject, Object value, String expected) {
        return new ModelFormatException(subject + " is " + value + "; expected " + expected + " (" + where + ")", -1);
    }

    ModelValidator.Report run() {
        GgufValue a = f.metadata().get("general.architecture");
        if (a == null || a.type() != GgufValueType.STRING || a.asString().isEmpty()) {
            throw bad("general.architecture", a == null ? "missing" : describe(a), "the name of a model architecture");
        }
        arch = a.asString();
        for (String k : List.of("general.alignment", "general.file_type", "general.quantization_version")) {
            GgufValue v = f.metadata().get(k);
            if (v != null && v.type() != GgufValueType.UINT32) {
                throw bad(k, describe(v), "a UINT32 (llama.cpp reads it with gguf_get_val_u32, which asserts the type)");
            }
        }
        Vocab vocab = checkVocabulary();
        nVocab = vocab.size;
        Architectures.Hparams h = checkHparams();
        if (tensors.isEmpty()) {
            return new ModelValidator.Report(arch, ModelValidator.Coverage.VOCABULARY_ONLY, 0, nVocab);
        }
        checkTensorRoles(h);
        List<Architectures.Expected> expected = Architectures.tensors(arch, h);
        if (expected == null) {
            return new ModelValidator.Report(arch, ModelValidator.Coverage.GENERIC, tensors.size(), nVocab);
        }
        checkTensorSet(expected, h);
        return new ModelValidator.Report(arch, ModelValidator.Coverage.ARCHITECTURE, tensors.size(), nVocab);
    }

    // ------------------------------------------------------------------------------------------ hyperparameters

    private Architectures.Hparams checkHparams() {
        String p = arch + ".";
        boolean described = Architectures.names().contains(arch);
        for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
            if (e.getKey().startsWith(p)) {
                checkFinite(e.getKey(), e.getValue());
            }
        }
        requireInt(p + "context_length", 1, Integer.MAX_VALUE, "a training context of at least 1 token");
        long nEmbd = requireInt(p + "embedding_length", 1, MAX_EMBD, "an embedding length in [1, " + MAX_EMBD + "]");
        int nLayer = (int) requireInt(p + "block_count", 1, MAX_LAYERS, "a layer count in [1, " + MAX_LAYERS + "]");

        long[] heads = perLayer(p + "attention.head_count", nLayer, null, described ? 1 : 0);
        long[] headsKv = perLayer(p + "attention.head_count_kv", nLayer, heads, described ? 1 : 0);
        long[] ff = perLayer(p + "feed_forward_length", nLayer, described ? null : new long[nLayer], described ? 1 : 0);
        if (heads[0] > 0 && !f.metadata().containsKey(p + "attention.key_length") && nEmbd % heads[0] != 0) {
            throw bad(p + "attention.head_count", heads[0], "a divisor of " + p + "embedding_length (" + nEmbd + ")");
        }
        for (int i = 0; i < nLayer; i++) {
            if (headsKv[i] > heads[i] || (headsKv[i] > 0 && heads[i] % headsKv[i] != 0)) {
                throw bad(p + "attention.head_count_kv" + layerNote(p + "attention.head_count_kv", i), headsKv[i],
                        "a divisor of " + p + "attention.head_count (" + heads[i] + ")");
            }
        }
        long headK = 0;
        long headV = 0;
        long nRot = 0;
        if (heads[0] > 0) {
            headK = optionalInt(p + "attention.key_length", nEmbd / heads[0], 1, MAX_EMBD, "a key length of at least 1");
            headV = optionalInt(p + "attention.value_length", nEmbd / heads[0], 1, MAX_EMBD, "a value length of at least 1");
            nRot = optionalInt(p + "rope.dimension_count", headK, 0, headK,
                    "an even number of rope dimensions in [0, " + headK + "] (the key length)");
            if (nRot % 2 != 0) {
                throw bad(p + "rope.dimension_count", nRot, "an even number (ggml's rope rotates pairs)");
            }
            if (described) {
                if (headV != headK) {
                    throw bad(p + "attention.value_length", headV, "the key length " + headK + " for a " + arch + " model");
                }
                if (nRot != headK) {
                    throw bad(p + "rope.dimension_count", nRot, "the head size " + headK + " for a " + arch + " model");
                }
            }
        }
        checkEpsilons(p, described);
        positiveIfPresent(p + "rope.freq_base");
        positiveIfPresent(p + "rope.freq_scale");
        positiveIfPresent(p + "rope.scaling.attn_factor");
        GgufValue factor = f.metadata().get(p + "rope.scaling.factor");
        if (factor != null && !(number(p + "rope.scaling.factor", factor) >= 0)) {
            throw bad(p + "rope.scaling.factor", describe(factor), "a factor >= 0 (0 for none)");
        }
        GgufValue scaling = f.metadata().get(p + "rope.scaling.type");
        if (scaling != null && (scaling.type() != GgufValueType.STRING || !ROPE_SCALING.contains(scaling.asString()))) {
            throw bad(p + "rope.scaling.type", describe(scaling), "one of " + new TreeSet<>(ROPE_SCALING));
        }
        GgufValue pooling = f.metadata().get(p + "pooling_type");
        if (pooling != null) {
            long v = integer(p + "pooling_type", pooling);
            if (!(v >= -1 && v <= 4) && v != NO_TOKEN) {
                throw bad(p + "pooling_type", v, "a llama_pooling_type: 0 none, 1 mean, 2 cls, 3 last, 4 rank");
            }
        }
        long experts = optionalInt(p + "expert_count", 0, 0, MAX_EXPERTS, "at most " + MAX_EXPERTS + " experts");
        long used = optionalInt(p + "expert_used_count", 0, 0, Math.max(experts, 0), "at most expert_count (" + experts
                + ") experts per token");
        if (experts > 0 && used < 1) {
            throw bad(p + "expert_used_count", used, "at least 1 for a model with " + experts + " experts");
        }
        if (experts > 0 && described && !arch.equals("llama")) {
            throw bad(p + "expert_count", experts, "0: llama.cpp builds " + arch + " models without experts");
        }
        GgufValue vocabSize = f.metadata().get(p + "vocab_size");
        if (vocabSize != null && nVocab > 0 && integer(p + "vocab_size", vocabSize) != nVocab) {
            throw bad(p + "vocab_size", describe(vocabSize), "the " + nVocab + " tokens of tokenizer.ggml.tokens");
        }
        return new Architectures.Hparams(nEmbd, nLayer, nVocab, heads, headsKv, ff, headK, headV, nRot, experts);
    }

    private void checkFinite(String key, GgufValue v) {
        if (v.type().isFloat() && !Double.isFinite(v.asDouble())) {
            throw bad(key, describe(v), "a finite number");
        }
        if (v.type() == GgufValueType.ARRAY && v.asArray().elementType().isFloat()) {
            GgufArray a = v.asArray();
            for (int i = 0; i < a.size(); i++) {
                if (!Double.isFinite(a.getDouble(i))) {
                    throw bad(key + "[" + i + "]", a.getDouble(i), "a finite number");
                }
            }
        }
    }

    private void checkEpsilons(String p, boolean described) {
        boolean sawRms = false;
        for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(p) && k.endsWith("epsilon")) {
                GgufValue v = e.getValue();
                double d = number(k, v);
                if (!(d > 0 && d <= 1)) {
                    throw bad(k, describe(v), "a finite epsilon > 0 and <= 1 (ggml's norms divide by sqrt(mean + eps))");
                }
                sawRms |= k.equals(p + "attention.layer_norm_rms_epsilon");
            }
        }
        if (described && !sawRms) {
            throw bad(p + "attention.layer_norm_rms_epsilon", "missing", "the RMS norm epsilon of a " + arch + " model");
        }
    }

    private void positiveIfPresent(String key) {
        GgufValue v = f.metadata().get(key);
        if (v != null && !(number(key, v) > 0)) {
            throw bad(key, describe(v), "a finite number > 0");
        }
    }

    private long requireInt(String key, long min, long max, String expected) {
        GgufValue v = f.metadata().get(key);
        if (v == null) {
            throw bad(key, "missing", expected);
        }
        long x = integer(key, v);
        if (x < min || x > max) {
            throw bad(key, describe(v), expected);
        }
        return x;
    }

    private long optionalInt(String key, long dflt, long min, long max, String expected) {
        GgufValue v = f.metadata().get(key);
        if (v == null) {
            return dflt;
        }
        long x = integer(key, v);
        if (x < min || x > max) {
            throw bad(key, describe(v), expected);
        }
        return x;
    }

    /** A value llama.cpp reads as one integer, or as an array with one integer per layer. */
    private long[] perLayer(String key, int nLayer, long[] dflt, long min) {
        GgufValue v = f.metadata().get(key);
        long[] out = new long[nLayer];
        if (v == null) {
            if (dflt == null) {
                if (min > 0) {
                    throw bad(key, "missing", "at least " + min + " (for a " + arch + " model)");
                }
                return out;
            }
            return dflt.clone();
        }
        if (v.type() == GgufValueType.ARRAY) {
            GgufArray a = v.asArray();
            if (!a.elementType().isInteger()) {
                throw bad(key, describe(v), "an integer or an array of integers, one per layer");
            }
            if (a.size() != nLayer) {
                throw bad(key, "an array of " + a.size() + " values", "one value per layer (" + nLayer + ")");
            }
            for (int i = 0; i < nLayer; i++) {
                out[i] = a.getLong(i);
            }
        } else {
            Arrays.fill(out, integer(key, v));
        }
        for (int i = 0; i < nLayer; i++) {
            if (out[i] < min || out[i] > MAX_EMBD * 64) {
                throw bad(key + layerNote(key, i), out[i], "a value in [" + min + ", " + MAX_EMBD * 64 + "]");
            }
        }
        return out;
    }

    private String layerNote(String key, int layer) {
        GgufValue v = f.metadata().get(key);
        return v != null && v.type() == GgufValueType.ARRAY ? "[" + layer + "]" : "";
    }

    private long integer(String key, GgufValue v) {
        if (!v.type().isInteger()) {
            throw bad(key, describe(v), "an integer");
        }
        long x = v.asLong();
        if (v.type() == GgufValueType.UINT64 && x < 0) {
            throw bad(key, describe(v), "a value below 2^63");
        }
        return x;
    }

    private double number(String key, GgufValue v) {
        if (!v.type().isInteger() && !v.type().isFloat()) {
            throw bad(key, describe(v), "a number");
        }
        return v.asDouble();
    }

    // ------------------------------------------------------------------------------------------ vocabulary

    /** The parts of the vocabulary later checks need. */
    private record Vocab(int size) {
    }

    private Vocab checkVocabulary() {
        GgufValue modelValue = f.metadata().get("tokenizer.ggml.model");
        if (modelValue == null) {
            throw bad("tokenizer.ggml.model", "missing", "a tokenizer: one of " + new TreeSet<>(TOKENIZERS));
        }
        if (modelValue.type() != GgufValueType.STRING || !TOKENIZERS.contains(modelValue.asString())) {
            throw bad("tokenizer.ggml.model", describe(modelValue), "a tokenizer that can tokenize text: one of "
                    + new TreeSet<>(TOKENIZERS));
        }
        String model = modelValue.asString();
        GgufArray tokens = stringArray("tokenizer.ggml.tokens", true);
        int n = tokens.size();
        if (n < 1) {
            throw bad("tokenizer.ggml.tokens", "empty", "at least one token");
        }
        GgufValue scoresValue = f.metadata().get("tokenizer.ggml.scores");
        if (scoresValue != null) {
            GgufArray s = array("tokenizer.ggml.scores", scoresValue, GgufValueType.FLOAT32, n);
            for (int i = 0; i < n; i++) {
                if (Double.isNaN(s.getDouble(i))) {
                    throw bad("tokenizer.ggml.scores[" + i + "]", s.getDouble(i), "a number (the SPM tokenizer orders "
                            + "merges by score, and NaN breaks that order)");
                }
            }
        }
        int[] types = null;
        GgufValue typesValue = f.metadata().get("tokenizer.ggml.token_type");
        if (typesValue != null) {
            GgufArray t = array("tokenizer.ggml.token_type", typesValue, GgufValueType.INT32, n);
            types = new int[n];
            for (int i = 0; i < n; i++) {
                long x = t.getLong(i);
                if (x < 0 || x > TOKEN_TYPE_BYTE) {
                    throw bad("tokenizer.ggml.token_type[" + i + "]", x, "a llama_token_type in [0, 6]");
                }
                types[i] = (int) x;
            }
        }
        GgufValue merges = f.metadata().get("tokenizer.ggml.merges");
        if (merges != null) {
            stringArray("tokenizer.ggml.merges", false);
        } else if (model.equals("gpt2")) {
            throw bad("tokenizer.ggml.merges", "missing", "the BPE merges of a gpt2 tokenizer");
        }
        // token texts: unique (llama.cpp asserts that its text-to-id map is as large as the vocabulary)
        Map<ByteBuffer, Integer> seen = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            byte[] text = tokens.getStringBytes(i);
            Integer before = seen.putIfAbsent(ByteBuffer.wrap(text), i);
            if (before != null) {
                throw bad("tokenizer.ggml.tokens[" + i + "]", quote(tokens.getString(i)), "a text no other token has (token "
                        + before + " has it too)");
            }
            if (types != null && types[i] == TOKEN_TYPE_BYTE) {
                if (!model.equals("llama") && !model.equals("t5")) {
                    throw bad("tokenizer.ggml.token_type[" + i + "]", "6 (byte)", "no byte tokens in a " + model + " vocabulary");
                }
                if (!BYTE_TOKEN.matcher(tokens.getString(i)).matches()) {
                    throw bad("tokenizer.ggml.tokens[" + i + "]", quote(tokens.getString(i)),
                            "the form <0xHH> for a token of type 6 (byte)");
                }
            }
        }
        if (model.equals("llama")) {
            // SPM falls back to <0xHH> tokens (or the byte itself) for text it cannot piece together, and aborts when
            // neither exists
            for (int b = 0; b < 256; b++) {
                String hex = String.format(Locale.ROOT, "<0x%02X>", b);
                boolean ok = seen.containsKey(ByteBuffer.wrap(hex.getBytes(StandardCharsets.US_ASCII)))
                        || (b < 0x80 && seen.containsKey(ByteBuffer.wrap(new byte[] {(byte) b})));
                if (!ok) {
                    throw bad("tokenizer.ggml.tokens", "a vocabulary without " + hex, "a token for every byte (an SPM "
                            + "vocabulary spells text it has no piece for byte by byte)");
                }
            }
        }
        checkSpecialTokens(model, n);
        return new Vocab(n);
    }

    /** Ids llama.cpp uses when a key is absent, per tokenizer (-1 = none). */
    private static Map<String, Long> defaults(String model) {
        Map<String, Long> d = new LinkedHashMap<>();
        switch (model) {
            case "llama" -> {
                d.put("bos", 1L);
                d.put("eos", 2L);
                d.put("unknown", 0L);
            }
            case "bert" -> {
                d.put("bos", 101L);
                d.put("unknown", 100L);
                d.put("seperator", 102L);
                d.put("padding", 0L);
                d.put("mask", 103L);
            }
            case "gpt2" -> {
                d.put("bos", 11L);
                d.put("eos", 11L);
            }
            case "t5" -> {
                d.put("eos", 1L);
                d.put("unknown", 2L);
                d.put("padding", 0L);
            }
            default -> {
                // rwkv: no special tokens
            }
        }
        return d;
    }

    private void checkSpecialTokens(String model, int n) {
        Map<String, Long> effective = new LinkedHashMap<>(defaults(model));
        for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("tokenizer.ggml.") && k.endsWith("_token_id")) {
                GgufValue v = e.getValue();
                long id = integer(k, v);
                // llama.cpp ignores an id outside the vocabulary (it warns and keeps its default, checked below), so
                // such a file is not refused for it: 2^32-1 is the usual "none", and real files carry a padding id
                // equal to the vocabulary size
                String name = k.substring("tokenizer.ggml.".length(), k.length() - "_token_id".length());
                if (id >= 0 && id < n) {
                    effective.put(name, id);
                }
            }
        }
        for (Map.Entry<String, Long> e : effective.entrySet()) {
            if (e.getValue() >= n) {
                throw bad("tokenizer.ggml." + e.getKey() + "_token_id", "absent or outside the vocabulary",
                        "an id inside it: llama.cpp's default " + e.getValue() + " for a " + model + " tokenizer is outside the "
                                + n + "-token vocabulary");
            }
        }
        boolean addBos = flag("tokenizer.ggml.add_bos_token", model.equals("llama") || model.equals("bert"));
        boolean addEos = flag("tokenizer.ggml.add_eos_token", model.equals("t5"));
        if (addBos && !effective.containsKey("bos")) {
            throw bad("tokenizer.ggml.bos_token_id", "none", "a BOS token, since the tokenizer adds one");
        }
        if (addEos && !effective.containsKey("eos")) {
            throw bad("tokenizer.ggml.eos_token_id", "none", "an EOS token, since the tokenizer adds one");
        }
        if (model.equals("bert") && !effective.containsKey("seperator")) {
            throw bad("tokenizer.ggml.seperator_token_id", "none", "a SEP token, which a bert tokenizer adds");
        }
    }

    private boolean flag(String key, boolean dflt) {
        GgufValue v = f.metadata().get(key);
        if (v == null) {
            return dflt;
        }
        if (v.type() != GgufValueType.BOOL) {
            throw bad(key, describe(v), "a bool");
        }
        return v.asBoolean();
    }

    private GgufArray stringArray(String key, boolean required) {
        GgufValue v = f.metadata().get(key);
        if (v == null) {
            if (required) {
                throw bad(key, "missing", "an array of strings");
            }
            return null;
        }
        if (v.type() != GgufValueType.ARRAY || v.asArray().elementType() != GgufValueType.STRING) {
            throw bad(key, describe(v), "an array of strings");
        }
        return v.asArray();
    }

    private GgufArray array(String key, GgufValue v, GgufValueType element, int n) {
        if (v.type() != GgufValueType.ARRAY || v.asArray().elementType() != element) {
            throw bad(key, describe(v), "an array of " + element + " (llama.cpp reads its raw elements as that type)");
        }
        if (v.asArray().size() != n) {
            throw bad(key, "an array of " + v.asArray().size() + " values", "one per token (" + n + ")");
        }
        return v.asArray();
    }

    // ------------------------------------------------------------------------------------------ tensors

    /** Types by role, and every {@code blk.N} inside the layer count. */
    private void checkTensorRoles(Architectures.Hparams h) {
        boolean[] layerSeen = new boolean[h.nLayer()];
        boolean anyLayer = false;
        for (TensorInfo t : tensors) {
            String name = t.name();
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                long layer = Long.parseLong(m.group(1));
                if (layer >= h.nLayer()) {
                    throw bad("tensor " + name, "in layer " + layer, "a layer below " + arch + ".block_count ("
                            + h.nLayer() + ")");
                }
                layerSeen[(int) layer] = true;
                anyLayer = true;
            }
            if (t.absoluteOffset() % TENSOR_ALIGNMENT != 0) {
                throw bad("tensor " + name, "at byte " + t.absoluteOffset() + " of the file", "a multiple of "
                        + TENSOR_ALIGNMENT + " (ggml uses the mapped data in place and asserts that alignment; "
                        + "general.alignment is " + f.alignment() + ")");
            }
            if (needsF32(t)) {
                if (t.type() != GgmlType.F32) {
                    throw bad("tensor " + name, t.type() + " " + Arrays.toString(t.shape()), "F32 (llama.cpp's CPU kernels "
                            + "take norms, biases and other vectors as F32 only)");
                }
            } else if (!ModelValidator.MATRIX_TYPES.contains(t.type())) {
                throw bad("tensor " + name, t.type() + " " + Arrays.toString(t.shape()), "a type llama.cpp's CPU kernels "
                        + "can multiply: F32, F16, BF16 or a Q4_0..Q8_0, K, IQ or TQ quantization");
            }
        }
        if (anyLayer) {
            for (int i = 0; i < layerSeen.length; i++) {
                if (!layerSeen[i]) {
                    throw bad(arch + ".block_count", h.nLayer(), "the number of layers the tensors describe: layer " + i
                            + " has no tensors");
                }
            }
        }
    }

    /** Vectors (one effective dimension), norms, biases and rope factors. */
    static boolean needsF32(TensorInfo t) {
        String n = t.name();
        int dims = t.rank();
        while (dims > 1 && t.dim(dims - 1) == 1) {
            dims--;
        }
        String base = n.endsWith(".weight") ? n.substring(0, n.length() - 7) : n;
        String last = base.substring(base.lastIndexOf('.') + 1);
        return dims == 1 || n.endsWith(".bias") || last.endsWith("_norm") || last.equals("norm") || last.startsWith("rope_");
    }

    private void checkTensorSet(List<Architectures.Expected> expected, Architectures.Hparams h) {
        Map<String, Architectures.Expected> byName = new HashMap<>();
        for (Architectures.Expected e : expected) {
            byName.put(e.name(), e);
            TensorInfo t = tensorsByName.get(e.name());
            if (t == null) {
                if (e.required()) {
                    throw bad("tensor " + e.name(), "missing", "a tensor of shape " + Arrays.toString(e.shape()) + " in a "
                            + arch + " model with these hyperparameters");
                }
                continue;
            }
            if (!sameShape(t.shape(), e.shape())) {
                throw bad("tensor " + e.name(), "of shape " + Arrays.toString(t.shape()), Arrays.toString(e.shape())
                        + " from the hyperparameters (" + arch + ".embedding_length " + h.nEmbd() + ", "
                        + h.nVocab() + " tokens, heads, feed-forward length)");
            }
        }
        Set<String> extra = new TreeSet<>();
        for (TensorInfo t : tensors) {
            if (!byName.containsKey(t.name())) {
                extra.add(t.name());
            }
        }
        if (!extra.isEmpty()) {
            String first = extra.iterator().next();
            throw bad("tensor " + first, "present" + (extra.size() > 1 ? " (with " + (extra.size() - 1) + " more unknown)" : ""),
                    "only the tensors of a " + arch + " model with " + h.nLayer() + " layers");
        }
    }

    /** llama.cpp's rule: equal dimensions, and any further dimensions of the file equal to 1. */
    static boolean sameShape(long[] actual, long[] expected) {
        for (int i = 0; i < Math.max(actual.length, expected.length); i++) {
            long a = i < actual.length ? actual[i] : 1;
            long e = i < expected.length ? expected[i] : 1;
            if (a != e) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ formatting

    static String describe(GgufValue v) {
        return switch (v.type()) {
            case STRING -> quote(v.asString());
            case ARRAY -> "an array of " + v.asArray().size() + " " + v.asArray().elementType();
            case FLOAT32, FLOAT64 -> Double.toString(v.asDouble()) + " (" + v.type() + ")";
            default -> v + " (" + v.type() + ")";
        };
    }

    static String quote(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        for (char c : t.toCharArray()) {
            b.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('\'').toString();
    }
}
