package io.autoglm.testing;

import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufArray;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.gguf.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A structure-aware GGUF mutator: every mutant it writes is still a valid GGUF file (the project's reader accepts
 * it), but with one value, array, tensor shape, tensor type or tensor placement changed to something a model loader
 * may not expect. Used by the model-safety fuzz test and its larger run in {@code autoglm-bench}.
 *
 * <p>{@link #all(Path)} lists every mutation of a model, in a fixed order; {@link #sample(List, int, long)} picks a
 * reproducible subset. A mutation's {@link Mutation#id()} names the model it applies to and what it changes, so a
 * failing case can be rewritten with {@link Mutation#write(Path, Path)} and tried by hand.
 *
 * <p>Kinds of mutation:
 * <ul>
 *   <li>{@code num}: every numeric metadata value set to edge values of its type (0, ±1, min, max, NaN, ±Inf, ...)
 *       and to its own value rescaled; also stored as another GGUF type (float, string, 8- and 64-bit ints);</li>
 *   <li>{@code str}: every string replaced (empty, long, other architectures, tokenizers, scaling types), or stored
 *       as a number or an array;</li>
 *   <li>{@code arr}: every array shortened, lengthened, emptied, given edge elements, or retyped;</li>
 *   <li>{@code key}: every key removed; keys a loader reads added with edge values;</li>
 *   <li>{@code tensor}: every tensor removed, renamed, duplicated, retyped, reshaped (swapped, grown, shrunk,
 *       extra and fewer dimensions), its data moved (offset swap with a same-sized tensor, moved to the end,
 *       other alignment) or filled with NaN or 0xFF bytes.</li>
 * </ul>
 */
public final class GgufMutants {
    private GgufMutants() {
    }

    /**
     * One mutation of one source model.
     *
     * @param id stable identifier: {@code <model>/<kind>/<target>/<change>}
     * @param kind {@code num}, {@code str}, {@code arr}, {@code key} or {@code tensor}
     * @param edit what it does to the in-memory model
     */
    public record Mutation(String id, String kind, Consumer<Model> edit) {
        /**
         * Writes the mutant.
         *
         * @param source the source model
         * @param out the file to write
         * @return {@code out}
         * @throws IOException when reading or writing fails
         */
        public Path write(Path source, Path out) throws IOException {
            Model m = Model.read(source);
            edit.accept(m);
            return m.write(out);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** A GGUF model held in memory: ordered metadata, tensors with their bytes, in file order. */
    public static final class Model {
        /** Metadata in file order. */
        public final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
        /** Tensors in file (and data) order. */
        public final List<Tensor> tensors = new ArrayList<>();

        /**
         * @param file a GGUF file (small: its tensor data is copied to the heap)
         * @return its contents
         */
        public static Model read(Path file) {
            Model m = new Model();
            try (GgufFile f = GgufFile.open(file)) {
                m.metadata.putAll(f.metadata());
                for (TensorInfo t : f.tensors()) {
                    m.tensors.add(new Tensor(t.name(), t.type(), t.shape(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)));
                }
            }
            return m;
        }

        /** @param name a tensor name @return its index, or -1 */
        public int indexOf(String name) {
            for (int i = 0; i < tensors.size(); i++) {
                if (tensors.get(i).name.equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        /** @return {@code general.architecture}, or "" */
        public String arch() {
            GgufValue v = metadata.get("general.architecture");
            return v != null && v.type() == GgufValueType.STRING ? v.asString() : "";
        }

        /**
         * Writes the model; tensor bytes are cut or zero-padded to the size their type and shape need.
         *
         * @param out target file
         * @return {@code out}
         * @throws IOException when writing fails
         */
        public Path write(Path out) throws IOException {
            GgufWriter w = new GgufWriter().durable(false);
            metadata.forEach(w::put);
            for (Tensor t : tensors) {
                long elements = 1;
                for (long d : t.shape) {
                    elements = Math.multiplyExact(elements, d);
                }
                long bytes = elements / t.type.blockSize() * t.type.typeSize();
                byte[] data = bytes == t.data.length ? t.data : Arrays.copyOf(t.data, Math.toIntExact(bytes));
                w.addTensor(t.name, t.type, t.shape, data);
            }
            w.write(out);
            return out;
        }
    }

    /** One tensor: name, type, shape ({@code shape[0]} is the row length) and bytes. */
    public static final class Tensor {
        /** name */
        public String name;
        /** type */
        public GgmlType type;
        /** shape */
        public long[] shape;
        /** bytes (resized on write to fit type and shape) */
        public byte[] data;

        Tensor(String name, GgmlType type, long[] shape, byte[] data) {
            this.name = name;
            this.type = type;
            this.shape = shape;
            this.data = data;
        }

        /**
         * @param name name
         * @param type type
         * @param shape shape
         * @param data bytes (resized on write)
         * @return a tensor
         */
        public static Tensor of(String name, GgmlType type, long[] shape, byte[] data) {
            return new Tensor(name, type, shape, data);
        }
    }

    // ---------------------------------------------------------------------------------------------- listing

    /**
     * Every mutation of a model, in a fixed order.
     *
     * @param source the model
     * @return the mutations (their ids start with the file name without {@code .gguf})
     */
    public static List<Mutation> all(Path source) {
        String model = source.getFileName().toString().replaceFirst("\\.gguf$", "");
        Model m = Model.read(source);
        Lister l = new Lister(model);
        for (Map.Entry<String, GgufValue> e : m.metadata.entrySet()) {
            l.metadata(e.getKey(), e.getValue());
        }
        l.addedKeys(m);
        for (Tensor t : m.tensors) {
            l.tensor(m, t);
        }
        return Collections.unmodifiableList(l.out);
    }

    /**
     * A reproducible sample.
     *
     * @param all the full list
     * @param n how many (all when {@code n >= all.size()})
     * @param seed the seed
     * @return {@code n} mutations in list order
     */
    public static List<Mutation> sample(List<Mutation> all, int n, long seed) {
        if (n >= all.size()) {
            return all;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> keep = new ArrayList<>(idx.subList(0, n));
        Collections.sort(keep);
        List<Mutation> out = new ArrayList<>();
        for (int i : keep) {
            out.add(all.get(i));
        }
        return out;
    }

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");

    /** Builds the list; each add() appends one mutation. */
    private static final class Lister {
        final String model;
        final List<Mutation> out = new ArrayList<>();
        final Set<String> ids = new LinkedHashSet<>();

        Lister(String model) {
            this.model = model;
        }

        void add(String kind, String target, String change, Consumer<Model> edit) {
            String id = model + "/" + kind + "/" + target + "/" + change;
            if (ids.add(id)) {
                out.add(new Mutation(id, kind, edit));
            }
        }

        void set(String kind, String key, String change, GgufValue v) {
            add(kind, key, change, m -> m.metadata.put(key, v));
        }

        // ------------------------------------------------------------------------------------------ metadata

        void metadata(String key, GgufValue v) {
            add("key", key, "removed", m -> m.metadata.remove(key));
            switch (v.type()) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> integer(key, v);
                case FLOAT32, FLOAT64 -> floating(key, v);
                case BOOL -> {
                    set("num", key, "flipped", GgufValue.bool(!v.asBoolean()));
                    set("num", key, "as-uint8", GgufValue.uint8(v.asBoolean() ? 1 : 0));
                }
                case STRING -> string(key, v.asString());
                case ARRAY -> array(key, v.asArray());
            }
        }

        void integer(String key, GgufValue v) {
            GgufValueType t = v.type();
            long x = v.asLong();
            long[] range = range(t);
            List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 2L, 3L, 7L, 255L, 256L, 513L, 4096L, 65536L,
                    (long) Integer.MAX_VALUE, 0xFFFF_FFFFL, Long.MAX_VALUE, Long.MIN_VALUE, range[0], range[1],
                    x + 1, x - 1, x * 2, x / 2, x * 1000));
            for (long y : values) {
                if (y != x && y >= range[0] && y <= range[1] && !(t == GgufValueType.UINT64 && y < 0)) {
                    set("num", key, "=" + y, new GgufValue(t, y));
                }
            }
            if (t == GgufValueType.UINT64) {
                set("num", key, "=2^64-1", GgufValue.uint64(-1L));
            }
            set("num", key, "as-float32", GgufValue.float32(x));
            set("num", key, "as-string", GgufValue.string(Long.toString(x)));
            set("num", key, "as-int8", new GgufValue(GgufValueType.INT8, (long) (byte) x));
            set("num", key, "as-int64", GgufValue.int64(x));
            set("num", key, "as-array", GgufValue.array(GgufArray.ofIntegers(GgufValueType.UINT32, x & 0xFFFF_FFFFL,
                    x & 0xFFFF_FFFFL)));
        }

        static long[] range(GgufValueType t) {
            return switch (t) {
                case UINT8 -> new long[] {0, 0xFF};
                case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
                case UINT16 -> new long[] {0, 0xFFFF};
                case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
                case UINT32 -> new long[] {0, 0xFFFF_FFFFL};
                case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
                default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
            };
        }

        void floating(String key, GgufValue v) {
            double x = v.asDouble();
            double[] values = {0.0, -0.0, 1.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Float.MIN_VALUE, Float.MAX_VALUE, 1e-30, 1e30, x * 10, x / 10, -x};
            for (double y : values) {
                if (Double.compare(y, x) != 0) {
                    GgufValue nv = v.type() == GgufValueType.FLOAT32 ? GgufValue.float32((float) y) : GgufValue.float64(y);
                    set("num", key, "=" + y, nv);
                }
            }
            set("num", key, "as-float64", GgufValue.float64(x));
            set("num", key, "as-uint32", GgufValue.uint32(Math.max(0, Math.min(0xFFFF_FFFFL, Math.round(x)))));
            set("num", key, "as-string", GgufValue.string(Double.toString(x)));
        }

        void string(String key, String s) {
            List<String> values = new ArrayList<>(List.of("", "x", "A".repeat(10_000), "\u0000", "\uFFFD\uD83D\uDE00"));
            if (key.equals("general.architecture")) {
                values.addAll(List.of("gpt2", "bert", "qwen2", "qwen3", "gemma", "gemma3", "phi3", "mamba", "t5", "llama4",
                        "falcon", "starcoder", "rwkv6", "deepseek2", "nomic-bert", "LLAMA", "llama "));
            } else if (key.equals("tokenizer.ggml.model")) {
                values.addAll(List.of("gpt2", "bert", "t5", "rwkv", "none", "no_vocab", "plamo2", "llama", "bogus"));
            } else if (key.equals("tokenizer.ggml.pre")) {
                values.addAll(List.of("default", "llama3", "qwen2", "gpt-2", "bogus"));
            } else if (key.endsWith("rope.scaling.type")) {
                values.addAll(List.of("none", "linear", "yarn", "longrope", "bogus"));
            } else if (key.equals("tokenizer.chat_template")) {
                values.addAll(List.of("{% for m in messages %}{{ m.content", "chatml", "{{ raise_exception('x') }}"));
            }
            for (String y : values) {
                if (!y.equals(s)) {
                    set("str", key, "=" + shortText(y), GgufValue.string(y));
                }
            }
            set("str", key, "as-uint32", GgufValue.uint32(0));
            set("str", key, "as-array", GgufValue.array(GgufArray.ofStrings(List.of(s))));
        }

        static String shortText(String s) {
            if (s.length() > 12) {
                return "'" + s.charAt(0) + "'x" + s.length();
            }
            StringBuilder b = new StringBuilder("'");
            for (char c : s.toCharArray()) {
                b.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
            return b.append("'").toString();
        }

        void array(String key, GgufArray a) {
            int n = a.size();
            for (int len : new int[] {0, 1, n - 1, n / 2, n + 1, 2 * n}) {
                if (len >= 0 && len != n) {
                    add("arr", key, "length=" + len, m -> m.metadata.put(key, GgufValue.array(resized(a, len))));
                }
            }
            if (n == 0) {
                return;
            }
            int[] positions = {0, 1, 2, n / 2, n - 1};
            switch (a.elementType()) {
                case STRING -> {
                    for (int p : positions) {
                        if (p >= n) {
                            continue;
                        }
                        for (String y : List.of("", "<0x0A>", "a b", "A".repeat(300), a.getString((p + 1) % n))) {
                            add("arr", key, "[" + p + "]=" + shortText(y), m -> m.metadata.put(key,
                                    GgufValue.array(withString(a, p, y))));
                        }
                    }
                    add("arr", key, "as-int32", m -> m.metadata.put(key, GgufValue.array(GgufArray.ofIntegers(
                            GgufValueType.INT32, new long[n]))));
                }
                case FLOAT32, FLOAT64 -> {
                    for (int p : positions) {
                        if (p >= n) {
                            continue;
                        }
                        for (double y : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1e30, 1e30}) {
                            add("arr", key, "[" + p + "]=" + y, m -> m.metadata.put(key, GgufValue.array(withNumber(a, p, y))));
                        }
                    }
                    add("arr", key, "as-int32", m -> m.metadata.put(key, GgufValue.array(asInt32(a))));
                    add("arr", key, "as-string", m -> m.metadata.put(key, GgufValue.array(asStrings(a))));
                }
                case BOOL -> add("arr", key, "as-string", m -> m.metadata.put(key, GgufValue.array(asStrings(a))));
                case ARRAY -> add("arr", key, "emptied-inner", m -> m.metadata.put(key, GgufValue.array(
                        GgufArray.ofArrays(List.of(GgufArray.ofStrings(List.of()))))));
                default -> {
                    long[] range = range(a.elementType());
                    for (int p : positions) {
                        if (p >= n) {
                            continue;
                        }
                        for (long y : new long[] {-1, 0, 7, 100, 0x7FFF_FFFFL, range[1], range[0]}) {
                            if (y >= range[0] && y <= range[1]) {
                                add("arr", key, "[" + p + "]=" + y, m -> m.metadata.put(key,
                                        GgufValue.array(withNumber(a, p, y))));
                            }
                        }
                    }
                    add("arr", key, "as-float32", m -> m.metadata.put(key, GgufValue.array(GgufArray.ofFloats(a.toFloatArray()))));
                    add("arr", key, "as-int8", m -> m.metadata.put(key, GgufValue.array(asInt8(a))));
                    add("arr", key, "as-string", m -> m.metadata.put(key, GgufValue.array(asStrings(a))));
                }
            }
        }

        /** Keys a llama.cpp loader reads that the source may lack, with edge values. */
        void addedKeys(Model src) {
            String a = src.arch().isEmpty() ? "llama" : src.arch();
            int layers = (int) Math.min(64, intValue(src, a + ".block_count", 1));
            put(a + ".expert_count", GgufValue.uint32(8), GgufValue.uint32(300), GgufValue.uint32(0));
            put(a + ".expert_used_count", GgufValue.uint32(2), GgufValue.uint32(0), GgufValue.uint32(9));
            put(a + ".attention.key_length", GgufValue.uint32(0), GgufValue.uint32(7), GgufValue.uint32(64),
                    GgufValue.uint32(intValue(src, a + ".embedding_length", 8)));
            put(a + ".attention.value_length", GgufValue.uint32(0), GgufValue.uint32(3), GgufValue.uint32(64));
            put(a + ".rope.scaling.type", GgufValue.string("yarn"), GgufValue.string("longrope"), GgufValue.string("bogus"));
            put(a + ".rope.scaling.factor", GgufValue.float32(0), GgufValue.float32(Float.NaN), GgufValue.float32(-1),
                    GgufValue.float32(4));
            put(a + ".rope.freq_base", GgufValue.float32(Float.NaN), GgufValue.float32(0), GgufValue.float32(-1),
                    GgufValue.float32(Float.POSITIVE_INFINITY));
            put(a + ".rope.freq_scale", GgufValue.float32(0), GgufValue.float32(Float.NaN));
            put(a + ".pooling_type", GgufValue.uint32(7), GgufValue.int32(-1), GgufValue.uint32(2));
            put(a + ".attention.causal", GgufValue.bool(false));
            put(a + ".vocab_size", GgufValue.uint32(0), GgufValue.uint32(1), GgufValue.uint32(1_000_000));
            put(a + ".attention.sliding_window", GgufValue.uint32(0), GgufValue.uint32(4));
            put(a + ".attention.layer_norm_epsilon", GgufValue.float32(Float.NaN), GgufValue.float32(-1));
            put(a + ".attention.clamp_kqv", GgufValue.float32(Float.NaN), GgufValue.float32(0));
            put(a + ".logit_scale", GgufValue.float32(0), GgufValue.float32(Float.NaN));
            put(a + ".attn_logit_softcapping", GgufValue.float32(0), GgufValue.float32(-1));
            put(a + ".final_logit_softcapping", GgufValue.float32(0));
            long[] kvArr = new long[layers];
            Arrays.fill(kvArr, 1);
            kvArr[layers - 1] = 0;
            put(a + ".attention.head_count_kv", GgufValue.array(GgufArray.ofIntegers(GgufValueType.UINT32, kvArr)),
                    GgufValue.array(GgufArray.ofIntegers(GgufValueType.UINT32, new long[layers + 1])));
            put(a + ".feed_forward_length", GgufValue.array(GgufArray.ofIntegers(GgufValueType.UINT32, 1, 2, 3)));
            put("tokenizer.ggml.add_bos_token", GgufValue.bool(false), GgufValue.bool(true));
            put("tokenizer.ggml.add_eos_token", GgufValue.bool(true));
            int vocab = src.metadata.get("tokenizer.ggml.tokens") instanceof GgufValue v && v.type() == GgufValueType.ARRAY
                    ? v.asArray().size() : 0;
            for (String id : List.of("bos", "eos", "unknown", "padding", "seperator", "eot", "eom", "mask", "cls")) {
                put("tokenizer.ggml." + id + "_token_id", GgufValue.uint32(vocab), GgufValue.uint32(vocab + 1000L),
                        GgufValue.int32(-1), GgufValue.int32(-7), GgufValue.uint32(0xFFFF_FFFFL));
            }
            put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings(List.of("a b", "", "ab", "x y z"))));
            put("tokenizer.ggml.pre", GgufValue.string("bogus"), GgufValue.string("llama3"));
            put("tokenizer.ggml.token_type_count", GgufValue.uint32(0));
            put("tokenizer.chat_template", GgufValue.string("{% for m in messages %}{{ m.content }}"),
                    GgufValue.string("{{ x.y.z }}"));
            put("general.alignment", GgufValue.uint32(64), GgufValue.uint32(1), GgufValue.uint32(4096));
        }

        static long intValue(Model m, String key, long dflt) {
            GgufValue v = m.metadata.get(key);
            return v != null && v.type().isInteger() ? v.asLong() : dflt;
        }

        void put(String key, GgufValue... values) {
            for (GgufValue v : values) {
                set("key", key, "added=" + (v.type() == GgufValueType.STRING ? shortText(v.asString())
                        : v.type() == GgufValueType.ARRAY ? "array" + v.asArray().size() : v.toString()) + ":" + v.type(), v);
            }
        }

        // ------------------------------------------------------------------------------------------ tensors

        void tensor(Model src, Tensor t) {
            String name = t.name;
            int blocks = (int) Math.min(64, intValue(src, src.arch() + ".block_count", 1));
            add("tensor", name, "removed", m -> m.tensors.remove(m.indexOf(name)));
            Matcher lm = LAYER.matcher(name);
            if (lm.matches()) {
                String role = lm.group(2);
                rename(name, "blk." + blocks + "." + role, "renamed-to-next-layer");
                rename(name, "blk.999." + role, "renamed-to-layer-999");
                duplicate(name, "blk." + blocks + "." + role, "copied-to-next-layer");
                rename(name, "blk." + lm.group(1) + ".unknown_role.weight", "renamed-unknown-role");
            } else {
                rename(name, "unknown." + name, "renamed-unknown");
            }
            duplicate(name, "extra.weight", "copied-as-extra");
            for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                    GgmlType.IQ4_NL, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.I8, GgmlType.I32, GgmlType.F64, GgmlType.Q8_1,
                    GgmlType.Q8_K)) {
                if (type != t.type && t.shape[0] % type.blockSize() == 0) {
                    add("tensor", name, "type=" + type, m -> m.tensors.get(m.indexOf(name)).type = type);
                }
            }
            long[] s = t.shape;
            int bs = t.type.blockSize();
            if (s.length >= 2 && s[1] % bs == 0) {
                long[] sw = s.clone();
                sw[0] = s[1];
                sw[1] = s[0];
                reshape(name, sw, "dims-swapped");
            }
            if (bs == 1) {
                reshape(name, with(s, 0, s[0] + 1), "dim0+1");
                if (s[0] > 1) {
                    reshape(name, with(s, 0, s[0] - 1), "dim0-1");
                }
            }
            reshape(name, with(s, 0, s[0] * 2), "dim0*2");
            if (s.length >= 2) {
                reshape(name, with(s, 1, s[1] + 1), "dim1+1");
                if (s[1] > 1) {
                    reshape(name, with(s, 1, s[1] - 1), "dim1-1");
                }
                long[] flat = {s[0] * s[1]};
                if (s.length == 2) {
                    reshape(name, flat, "flattened");
                }
            }
            if (s.length < 4) {
                long[] one = Arrays.copyOf(s, s.length + 1);
                one[s.length] = 1;
                reshape(name, one, "extra-dim-1");
                long[] two = Arrays.copyOf(s, s.length + 1);
                two[s.length] = 2;
                reshape(name, two, "extra-dim-2");
            }
            // placement: its data swapped with a tensor of the same size (the two offsets exchanged), moved to the end
            for (Tensor o : src.tensors) {
                if (o != t && o.data.length == t.data.length && o.type == t.type && !Arrays.equals(o.shape, t.shape)) {
                    String other = o.name;
                    add("tensor", name, "offset-swapped-with-" + other, m -> swapData(m, name, other));
                    break;
                }
            }
            for (Tensor o : src.tensors) {
                if (o != t && o.data.length == t.data.length && Arrays.equals(o.shape, t.shape) && o.type == t.type) {
                    String other = o.name;
                    add("tensor", name, "offset-swapped-with-" + other, m -> swapData(m, name, other));
                    break;
                }
            }
            add("tensor", name, "moved-to-end", m -> {
                int i = m.indexOf(name);
                m.tensors.add(m.tensors.remove(i));
            });
            if (t.type == GgmlType.F32 || t.type == GgmlType.F16) {
                add("tensor", name, "data=NaN", m -> fill(m.tensors.get(m.indexOf(name)), Float.NaN));
                add("tensor", name, "data=Inf", m -> fill(m.tensors.get(m.indexOf(name)), Float.POSITIVE_INFINITY));
            }
            add("tensor", name, "data=0xFF", m -> Arrays.fill(m.tensors.get(m.indexOf(name)).data, (byte) 0xFF));
        }

        void rename(String name, String to, String change) {
            add("tensor", name, change, m -> {
                if (m.indexOf(to) < 0 && to.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
                    m.tensors.get(m.indexOf(name)).name = to;
                }
            });
        }

        void duplicate(String name, String to, String change) {
            add("tensor", name, change, m -> {
                if (m.indexOf(to) < 0) {
                    Tensor t = m.tensors.get(m.indexOf(name));
                    m.tensors.add(new Tensor(to, t.type, t.shape.clone(), t.data.clone()));
                }
            });
        }

        void reshape(String name, long[] shape, String change) {
            add("tensor", name, change + "=" + Arrays.toString(shape).replace(" ", ""),
                    m -> m.tensors.get(m.indexOf(name)).shape = shape.clone());
        }

        static long[] with(long[] s, int i, long v) {
            long[] c = s.clone();
            c[i] = v;
            return c;
        }

        static void swapData(Model m, String a, String b) {
            Tensor x = m.tensors.get(m.indexOf(a));
            Tensor y = m.tensors.get(m.indexOf(b));
            byte[] d = x.data;
            x.data = y.data;
            y.data = d;
        }

        static void fill(Tensor t, float v) {
            ByteBuffer b = ByteBuffer.wrap(t.data).order(ByteOrder.LITTLE_ENDIAN);
            if (t.type == GgmlType.F32) {
                while (b.remaining() >= 4) {
                    b.putFloat(v);
                }
            } else {
                while (b.remaining() >= 2) {
                    b.putShort(Float.floatToFloat16(v));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ arrays

    static GgufArray resized(GgufArray a, int len) {
        int n = a.size();
        switch (a.elementType()) {
            case STRING -> {
                List<String> l = new ArrayList<>();
                for (int i = 0; i < len; i++) {
                    l.add(n == 0 ? "x" : a.getString(Math.min(i, n - 1)));
                }
                return GgufArray.ofStrings(l);
            }
            case ARRAY -> {
                List<GgufArray> l = new ArrayList<>();
                for (int i = 0; i < len; i++) {
                    l.add(n == 0 ? GgufArray.ofStrings(List.of()) : a.getArray(Math.min(i, n - 1)));
                }
                return GgufArray.ofArrays(l);
            }
            case FLOAT32 -> {
                float[] f = new float[len];
                for (int i = 0; i < len; i++) {
                    f[i] = n == 0 ? 0 : (float) a.getDouble(Math.min(i, n - 1));
                }
                return GgufArray.ofFloats(f);
            }
            case FLOAT64 -> {
                double[] f = new double[len];
                for (int i = 0; i < len; i++) {
                    f[i] = n == 0 ? 0 : a.getDouble(Math.min(i, n - 1));
                }
                return GgufArray.ofDoubles(f);
            }
            case BOOL -> {
                boolean[] f = new boolean[len];
                for (int i = 0; i < len; i++) {
                    f[i] = n != 0 && a.getBoolean(Math.min(i, n - 1));
                }
                return GgufArray.ofBooleans(f);
            }
            default -> {
                long[] f = new long[len];
                for (int i = 0; i < len; i++) {
                    f[i] = n == 0 ? 0 : a.getLong(Math.min(i, n - 1));
                }
                return GgufArray.ofIntegers(a.elementType(), f);
            }
        }
    }

    static GgufArray withString(GgufArray a, int p, String v) {
        List<String> l = new ArrayList<>(a.strings());
        l.set(p, v);
        return GgufArray.ofStrings(l);
    }

    static GgufArray withNumber(GgufArray a, int p, double v) {
        if (a.elementType() == GgufValueType.FLOAT32) {
            float[] f = a.toFloatArray();
            f[p] = (float) v;
            return GgufArray.ofFloats(f);
        }
        if (a.elementType() == GgufValueType.FLOAT64) {
            double[] f = new double[a.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = a.getDouble(i);
            }
            f[p] = v;
            return GgufArray.ofDoubles(f);
        }
        long[] l = a.toLongArray();
        l[p] = (long) v;
        return GgufArray.ofIntegers(a.elementType(), l);
    }

    static GgufArray asInt32(GgufArray a) {
        long[] l = new long[a.size()];
        for (int i = 0; i < l.length; i++) {
            double d = a.getDouble(i);
            l[i] = Double.isNaN(d) ? 0 : (long) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, d));
        }
        return GgufArray.ofIntegers(GgufValueType.INT32, l);
    }

    static GgufArray asInt8(GgufArray a) {
        long[] l = new long[a.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = (byte) a.getLong(i);
        }
        return GgufArray.ofIntegers(GgufValueType.INT8, l);
    }

    static GgufArray asStrings(GgufArray a) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            l.add(a.elementType() == GgufValueType.BOOL ? Boolean.toString(a.getBoolean(i)) : Double.toString(a.getDouble(i)));
        }
        return GgufArray.ofStrings(l);
    }

    /** @param m a mutation @return its source model's name (the id's first part) */
    static String modelOf(Mutation m) {
        return m.id().substring(0, m.id().indexOf('/'));
    }

    /** @param m mutations @return how many there are of each kind */
    public static Map<String, Integer> countByKind(List<Mutation> m) {
        Map<String, Integer> c = new LinkedHashMap<>();
        for (Mutation x : m) {
            c.merge(x.kind(), 1, Integer::sum);
        }
        return c;
    }
}
