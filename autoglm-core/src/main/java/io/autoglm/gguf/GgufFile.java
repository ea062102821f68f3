package io.autoglm.gguf;

import io.autoglm.ModelFormatException;
import io.autoglm.ModelLoadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A GGUF (version 2 or 3) model file, memory-mapped and validated.
 *
 * <p>{@link #open(Path)} reads the header, every metadata value and every tensor info, and checks
 * each count, length and offset against the file size and the limits below <em>before</em>
 * allocating anything for it. A truncated, corrupted or hostile file gets a
 * {@link ModelFormatException} naming what is wrong and its byte offset; it never causes an
 * {@link OutOfMemoryError} or an out-of-bounds access. Checked: magic, version, key and tensor
 * counts, string and array lengths, array nesting depth, value and tensor type ids, duplicate
 * keys and tensor names, tensor rank (1..4), dimensions (positive, element count without
 * overflow, row length a multiple of the type's block size), {@code general.alignment} (a power
 * of two), tensor offsets (aligned, inside the file, not overlapping).
 *
 * <pre>{@code
 * try (GgufFile gguf = GgufFile.open(Path.of("model.gguf"))) {
 *     System.out.println(gguf.architecture().orElse("?") + " " + gguf.parameterCount());
 *     TensorInfo emb = gguf.tensor("token_embd.weight").orElseThrow();
 *     float[] row = new float[(int) emb.rowLength()];
 *     gguf.readRow(emb, 0, row, 0);
 * }
 * }</pre>
 *
 * <p>Metadata and tensor infos live on the heap and stay readable after {@link #close()}; tensor
 * data is read from the mapping and throws {@link IllegalStateException} after close. Instances
 * are safe for concurrent reads; {@code close()} must not race with reads of tensor data.
 */
public final class GgufFile implements AutoCloseable {
    /** The four bytes every GGUF file starts with. */
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    /** Alignment of tensor data when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** Longest accepted metadata key, in bytes. */
    public static final int MAX_KEY_BYTES = 1 << 16;
    /** Longest accepted tensor name in bytes (llama.cpp's GGML_MAX_NAME is 64 including the NUL). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;
    /** Deepest accepted nesting of metadata arrays (1 = an array of scalars). */
    public static final int MAX_ARRAY_DEPTH = 4;
    /** Most string values accepted in one file's metadata (a vocabulary of 256k tokens + merges uses ~0.5M). */
    public static final int MAX_STRINGS = 1 << 23;
    /** Most tensors accepted in one file. */
    public static final int MAX_TENSORS = 1 << 20;
    /** Largest accepted {@code general.alignment}. */
    public static final int MAX_ALIGNMENT = 1 << 20;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final long fileSize;
    private final int version;
    private final Arena arena;
    private final MemorySegment segment;
    private final Map<String, GgufValue> metadata;
    private final Map<String, Long> keyOffsets;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> tensorsByName;
    private final int alignment;
    private final long dataOffset;
    private volatile boolean closed;

    private GgufFile(Path path, long fileSize, Arena arena, MemorySegment segment, Parser p) {
        this.path = path;
        this.fileSize = fileSize;
        this.arena = arena;
        this.segment = segment;
        this.version = p.version;
        this.metadata = Collections.unmodifiableMap(p.metadata);
        this.keyOffsets = p.keyOffsets;
        this.tensors = List.copyOf(p.tensors);
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = byName;
        this.alignment = p.alignment;
        this.dataOffset = p.dataOffset;
    }

    /**
     * Opens, maps and validates a GGUF file.
     *
     * @param path the file
     * @return the open file; close it to unmap
     * @throws ModelLoadException when the path is missing, not a regular file or cannot be read
     *         (the message names the path)
     * @throws ModelFormatException when the content is not a valid GGUF v2/v3 file
     */
    public static GgufFile open(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new ModelLoadException("not a model file but a directory: " + path);
        }
        if (!Files.exists(path)) {
            throw new ModelLoadException("model file not found: " + path.toAbsolutePath());
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException("not a regular file: " + path);
        }
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new ModelFormatException("empty file, not a GGUF model: " + path, 0);
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
            Parser p = new Parser(seg, size, path);
            p.parse();
            GgufFile f = new GgufFile(path, size, arena, seg, p);
            ok = true;
            return f;
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("model file not found: " + path.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + path + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                arena.close();
            }
        }
    }

    /** @return the path this file was opened from */
    public Path path() {
        return path;
    }

    /** @return the file size in bytes */
    public long fileSize() {
        return fileSize;
    }

    /** @return the GGUF version, 2 or 3 */
    public int version() {
        return version;
    }

    /** @return the tensor data alignment ({@code general.alignment}, default 32) */
    public int alignment() {
        return alignment;
    }

    /** @return the file offset where the tensor data section starts */
    public long dataOffset() {
        return dataOffset;
    }

    /** @return every metadata key and value, in file order (unmodifiable) */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** @param key a metadata key @return its value, if present */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /**
     * @param key a metadata key
     * @return the string value, if present
     * @throws ModelFormatException when the key holds another type
     */
    public Optional<String> getString(String key) {
        return typed(key, GgufValueType.STRING, "a string").map(GgufValue::asString);
    }

    /**
     * @param key a metadata key
     * @return the value of an integer key of any width, if present
     * @throws ModelFormatException when the key holds a non-integer
     */
    public OptionalLong getLong(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        return OptionalLong.of(v.asLong());
    }

    /**
     * @param key a metadata key
     * @return the value of a float or integer key, if present
     * @throws ModelFormatException when the key holds a non-number
     */
    public OptionalDouble getDouble(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (!v.type().isInteger() && !v.type().isFloat()) {
            throw wrongType(key, v, "a number");
        }
        return OptionalDouble.of(v.asDouble());
    }

    /**
     * @param key a metadata key
     * @return the bool value, if present
     * @throws ModelFormatException when the key holds another type
     */
    public Optional<Boolean> getBoolean(String key) {
        return typed(key, GgufValueType.BOOL, "a bool").map(GgufValue::asBoolean);
    }

    /**
     * @param key a metadata key
     * @return the array value, if present
     * @throws ModelFormatException when the key holds another type
     */
    public Optional<GgufArray> getArray(String key) {
        return typed(key, GgufValueType.ARRAY, "an array").map(GgufValue::asArray);
    }

    private Optional<GgufValue> typed(String key, GgufValueType type, String what) {
        GgufValue v = metadata.get(key);
        if (v != null && v.type() != type) {
            throw wrongType(key, v, what);
        }
        return Optional.ofNullable(v);
    }

    private ModelFormatException wrongType(String key, GgufValue v, String what) {
        return new ModelFormatException("metadata key '" + key + "' should be " + what + " but is " + v.type() + " in " + path,
                keyOffsets.getOrDefault(key, -1L));
    }

    /** @return {@code general.architecture}, e.g. {@code llama} */
    public Optional<String> architecture() {
        return getString("general.architecture");
    }

    /** @return {@code general.name} */
    public Optional<String> name() {
        return getString("general.name");
    }

    private OptionalLong archLong(String suffix) {
        Optional<String> arch = architecture();
        return arch.isPresent() ? getLong(arch.get() + "." + suffix) : OptionalLong.empty();
    }

    /** @return {@code <arch>.context_length}: the training context */
    public OptionalLong contextLength() {
        return archLong("context_length");
    }

    /** @return {@code <arch>.embedding_length} */
    public OptionalLong embeddingLength() {
        return archLong("embedding_length");
    }

    /** @return {@code <arch>.block_count}: the number of layers */
    public OptionalLong blockCount() {
        return archLong("block_count");
    }

    /** @return {@code <arch>.attention.head_count} */
    public OptionalLong headCount() {
        return archLong("attention.head_count");
    }

    /** @return {@code general.file_type} (llama.cpp's {@code llama_ftype}) */
    public OptionalLong fileType() {
        return getLong("general.file_type");
    }

    /** @return the number of tokens in {@code tokenizer.ggml.tokens}, 0 when absent */
    public int vocabSize() {
        return getArray("tokenizer.ggml.tokens").map(GgufArray::size).orElse(0);
    }

    /** @return {@code tokenizer.chat_template} */
    public Optional<String> chatTemplate() {
        return getString("tokenizer.chat_template");
    }

    /** @return the total number of tensor elements (the model's parameter count) */
    public long parameterCount() {
        long n = 0;
        for (TensorInfo t : tensors) {
            n += t.elementCount();
        }
        return n;
    }

    /** @return the tensor infos in file order */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** @param name a tensor name @return its info, if present */
    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * @param tensor a tensor of this file
     * @return a read-only view of its data in the mapping, valid until {@link #close()}
     * @throws IllegalArgumentException when the tensor is not one of this file's
     * @throws IllegalStateException when closed
     */
    public MemorySegment tensorData(TensorInfo tensor) {
        ensureOpen();
        Objects.requireNonNull(tensor, "tensor");
        if (!tensor.equals(tensorsByName.get(tensor.name()))) {
            throw new IllegalArgumentException("not a tensor of " + path + ": " + tensor);
        }
        return segment.asSlice(tensor.absoluteOffset(), tensor.byteSize());
    }

    /**
     * Reads row {@code row} of an F32, F16 or BF16 tensor as floats.
     *
     * @param tensor a tensor of this file
     * @param row row index in [0, rowCount)
     * @param dst destination
     * @param dstOff where in {@code dst} the row starts; {@code rowLength} floats are written
     * @throws UnsupportedOperationException for other types (quantized rows need a codec from autoglm-quant)
     */
    public void readRow(TensorInfo tensor, long row, float[] dst, int dstOff) {
        MemorySegment data = tensorData(tensor);
        Objects.checkIndex(row, tensor.rowCount());
        long n = tensor.rowLength();
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        long base = row * tensor.rowBytes();
        switch (tensor.type()) {
            case F32 -> MemorySegment.copy(data, F32, base, dst, dstOff, (int) n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(data.get(U16, base + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.intBitsToFloat((data.get(U16, base + 2L * i) & 0xFFFF) << 16);
                }
            }
            default -> throw new UnsupportedOperationException("readRow supports F32, F16 and BF16, not " + tensor.type()
                    + " (" + tensor.name() + ")");
        }
    }

    /**
     * Reads a whole F32/F16/BF16 tensor as floats (for small tensors).
     *
     * @param tensor a tensor of this file with fewer than 2^31 elements
     * @return its elements, row after row
     */
    public float[] readFloats(TensorInfo tensor) {
        if (tensor.elementCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for one float[]: " + tensor);
        }
        float[] out = new float[(int) tensor.elementCount()];
        int n = (int) tensor.rowLength();
        for (long r = 0; r < tensor.rowCount(); r++) {
            readRow(tensor, r, out, (int) (r * n));
        }
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + this);
        }
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }

    /** Reads the header region with a bounds check before every access. */
    private static final class Parser {
        final MemorySegment seg;
        final long size;
        final Path path;
        long pos;
        int version;
        int strings;
        final Map<String, GgufValue> metadata = new LinkedHashMap<>();
        final Map<String, Long> keyOffsets = new HashMap<>();
        final List<TensorInfo> tensors = new ArrayList<>();
        int alignment = DEFAULT_ALIGNMENT;
        long dataOffset;

        Parser(MemorySegment seg, long size, Path path) {
            this.seg = seg;
            this.size = size;
            this.path = path;
        }

        ModelFormatException bad(String msg, long at) {
            return new ModelFormatException(msg + " in " + path, at);
        }

        long remaining() {
            return size - pos;
        }

        void need(long n, String what) {
            if (n < 0 || n > size - pos) {
                throw bad("file truncated: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but only "
                        + (size - pos) + " remain", pos);
            }
        }

        int u8(String what) {
            need(1, what);
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        }

        int u16(String what) {
            need(2, what);
            int v = seg.get(U16, pos) & 0xFFFF;
            pos += 2;
            return v;
        }

        int i32(String what) {
            need(4, what);
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        long u32(String what) {
            return i32(what) & 0xFFFF_FFFFL;
        }

        long i64(String what) {
            need(8, what);
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        /** Reads a uint64 count and checks that count elements of minSize bytes each can fit in the rest of the file. */
        long count(String what, long minSize, long limit) {
            long at = pos;
            long n = i64(what);
            if (n < 0 || n > limit) {
                throw bad(what + " " + Long.toUnsignedString(n) + " exceeds the limit of " + limit, at);
            }
            if (minSize > 0 && n > remaining() / minSize) {
                throw bad(what + " " + n + " cannot fit: each takes at least " + minSize + " bytes and only " + remaining()
                        + " bytes remain", at);
            }
            return n;
        }

        String string(String what, long maxBytes) {
            long at = pos;
            long len = i64(what + " length");
            if (len < 0 || len > maxBytes) {
                throw bad(what + " length " + Long.toUnsignedString(len) + " exceeds the limit of " + maxBytes + " bytes", at);
            }
            need(len, what);
            if (++strings > MAX_STRINGS) {
                throw bad("more than " + MAX_STRINGS + " strings in the metadata", at);
            }
            if (len == 0) {
                return "";
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
            pos += len;
            return decodeUtf8(b, what, at);
        }

        String decodeUtf8(byte[] b, String what, long at) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                // token texts may hold partial UTF-8 sequences; keep them decodable but lossless is impossible
                if (what.startsWith("key") || what.startsWith("tensor name")) {
                    throw bad(what + " is not valid UTF-8", at);
                }
                return new String(b, StandardCharsets.UTF_8);
            }
        }

        GgufValueType valueType(String what) {
            long at = pos;
            long id = u32(what);
            return GgufValueType.byId(id).orElseThrow(() -> bad("unknown value type id " + id + " for " + what, at));
        }

        GgufValue value(GgufValueType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> new GgufValue(type, (long) u8(key));
                case INT8 -> new GgufValue(type, (long) (byte) u8(key));
                case UINT16 -> new GgufValue(type, (long) u16(key));
                case INT16 -> new GgufValue(type, (long) (short) u16(key));
                case UINT32 -> new GgufValue(type, u32(key));
                case INT32 -> new GgufValue(type, (long) i32(key));
                case UINT64, INT64 -> new GgufValue(type, i64(key));
                case FLOAT32 -> new GgufValue(type, Float.intBitsToFloat(i32(key)));
                case FLOAT64 -> new GgufValue(type, Double.longBitsToDouble(i64(key)));
                case BOOL -> {
                    long at = pos;
                    int b = u8(key);
                    if (b > 1) {
                        throw bad("bool value of '" + key + "' is " + b + ", not 0 or 1", at);
                    }
                    yield new GgufValue(type, b == 1);
                }
                case STRING -> new GgufValue(type, string("string value of '" + key + "'", Integer.MAX_VALUE - 16));
                case ARRAY -> new GgufValue(type, array(key, depth + 1));
            };
        }

        GgufArray array(String key, int depth) {
            long at = pos;
            if (depth > MAX_ARRAY_DEPTH) {
                throw bad("arrays of '" + key + "' nested deeper than " + MAX_ARRAY_DEPTH, at);
            }
            GgufValueType et = valueType("array element type of '" + key + "'");
            long n = count("element count of array '" + key + "'", et.minEncodedSize(), Integer.MAX_VALUE - 16);
            switch (et) {
                case STRING -> {
                    if (n > MAX_STRINGS - strings) {
                        throw bad("array '" + key + "' holds " + n + " strings; the limit per file is " + MAX_STRINGS, at);
                    }
                    List<String> l = new ArrayList<>((int) n);
                    for (long i = 0; i < n; i++) {
                        l.add(string("element " + i + " of array '" + key + "'", Integer.MAX_VALUE - 16));
                    }
                    return GgufArray.ofStrings(l);
                }
                case ARRAY -> {
                    List<GgufArray> l = new ArrayList<>((int) Math.min(n, 1024));
                    for (long i = 0; i < n; i++) {
                        l.add(array(key + "[" + i + "]", depth + 1));
                    }
                    return GgufArray.ofArrays(l);
                }
                default -> {
                    long bytes = n * et.size();
                    if (bytes > Integer.MAX_VALUE - 16) {
                        throw bad("array '" + key + "' of " + n + " " + et + " is larger than 2 GB", at);
                    }
                    need(bytes, "elements of array '" + key + "'");
                    byte[] raw = new byte[(int) bytes];
                    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, raw, 0, (int) bytes);
                    if (et == GgufValueType.BOOL) {
                        for (int i = 0; i < raw.length; i++) {
                            if ((raw[i] & 0xFF) > 1) {
                                throw bad("bool element " + i + " of array '" + key + "' is " + (raw[i] & 0xFF), pos + i);
                            }
                        }
                    }
                    pos += bytes;
                    return GgufArray.ofRaw(et, raw);
                }
            }
        }

        void parse() {
            if (size < 4 || seg.get(U32, 0) != MAGIC) {
                byte[] head = new byte[(int) Math.min(4, size)];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, head, 0, head.length);
                throw bad("not a GGUF file: the magic is " + hex(head) + " instead of 47 47 55 46 (\"GGUF\")", 0);
            }
            pos = 4;
            long vAt = pos;
            long v = u32("version");
            if (v == 1) {
                throw bad("GGUF version 1 is not supported (only 2 and 3); convert the model with a current llama.cpp", vAt);
            }
            if (v != 2 && v != 3) {
                String hint = Integer.reverseBytes((int) v) == 2 || Integer.reverseBytes((int) v) == 3
                        ? " (a big-endian GGUF file; only little-endian files are supported)" : " (only 2 and 3 are supported)";
                throw bad("unsupported GGUF version " + v + hint, vAt);
            }
            version = (int) v;
            // each tensor info takes at least 8 (name len) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset)
            long tensorCount = count("tensor count", 32, MAX_TENSORS);
            // each key/value takes at least 8 (key len) + 4 (type) + 1 (smallest value)
            need(8, "metadata key/value count");
            long kvCount = count("metadata key/value count", 13, Integer.MAX_VALUE);
            if (tensorCount > (remaining() - kvCount * 13) / 32) {
                throw bad("tensor count " + tensorCount + " and " + kvCount + " key/values cannot fit in the " + remaining()
                        + " bytes that remain", 8);
            }
            for (long i = 0; i < kvCount; i++) {
                long at = pos;
                String key = string("key of metadata entry " + i, MAX_KEY_BYTES);
                if (key.isEmpty()) {
                    throw bad("metadata entry " + i + " has an empty key", at);
                }
                if (metadata.containsKey(key)) {
                    throw bad("duplicate metadata key '" + key + "'", at);
                }
                GgufValueType t = valueType("value type of '" + key + "'");
                keyOffsets.put(key, at);
                metadata.put(key, value(t, key, 0));
            }
            GgufValue al = metadata.get("general.alignment");
            if (al != null) {
                long at = keyOffsets.get("general.alignment");
                if (!al.type().isInteger()) {
                    throw bad("general.alignment must be an integer, is " + al.type(), at);
                }
                long a = al.asLong();
                if (a <= 0 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
                    throw bad("general.alignment " + a + " is not a power of two in [1, " + MAX_ALIGNMENT + "]", at);
                }
                alignment = (int) a;
            }
            long[] rel = new long[(int) tensorCount];
            List<Object[]> raw = new ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < tensorCount; i++) {
                long at = pos;
                String name = string("tensor name " + i, MAX_TENSOR_NAME_BYTES);
                if (name.isEmpty()) {
                    throw bad("tensor " + i + " has an empty name", at);
                }
                if (!names.add(name)) {
                    throw bad("duplicate tensor name '" + name + "'", at);
                }
                long dAt = pos;
                long nd = u32("dimension count of tensor '" + name + "'");
                if (nd < 1 || nd > 4) {
                    throw bad("tensor '" + name + "' has " + nd + " dimensions; 1 to 4 are allowed", dAt);
                }
                long[] shape = new long[(int) nd];
                long elements = 1;
                for (int d = 0; d < nd; d++) {
                    long xAt = pos;
                    shape[d] = i64("dimension " + d + " of tensor '" + name + "'");
                    if (shape[d] <= 0) {
                        throw bad("dimension " + d + " of tensor '" + name + "' is " + Long.toUnsignedString(shape[d])
                                + "; it must be positive", xAt);
                    }
                    if (elements > Long.MAX_VALUE / shape[d]) {
                        throw bad("tensor '" + name + "' has more than 2^63 elements", xAt);
                    }
                    elements *= shape[d];
                }
                long tAt = pos;
                long typeId = u32("type of tensor '" + name + "'");
                GgmlType type = typeId <= Integer.MAX_VALUE ? GgmlType.byId((int) typeId).orElse(null) : null;
                if (type == null) {
                    throw bad("tensor '" + name + "' has unknown ggml type id " + typeId, tAt);
                }
                if (shape[0] % type.blockSize() != 0) {
                    throw bad("tensor '" + name + "' of type " + type + " has rows of " + shape[0]
                            + " elements, not a multiple of the block size " + type.blockSize(), dAt);
                }
                long blocks = elements / type.blockSize();
                if (blocks > Long.MAX_VALUE / type.typeSize()) {
                    throw bad("tensor '" + name + "' is larger than 2^63 bytes", dAt);
                }
                long bytes = blocks * type.typeSize();
                long oAt = pos;
                long off = i64("data offset of tensor '" + name + "'");
                if (off < 0 || off % alignment != 0) {
                    throw bad("data offset " + Long.toUnsignedString(off) + " of tensor '" + name + "' is not a multiple of the alignment "
                            + alignment, oAt);
                }
                rel[i] = off;
                raw.add(new Object[] {name, shape, type, bytes, oAt});
            }
            long end = pos;
            long pad = (alignment - end % alignment) % alignment;
            dataOffset = end + pad;
            if (tensorCount > 0 && dataOffset > size) {
                throw bad("file truncated: tensor data section would start at " + dataOffset + " but the file has " + size + " bytes",
                        end);
            }
            long dataSize = Math.max(0, size - dataOffset);
            Integer[] order = new Integer[(int) tensorCount];
            for (int i = 0; i < tensorCount; i++) {
                Object[] r = raw.get(i);
                long bytes = (Long) r[3];
                if (rel[i] > dataSize || bytes > dataSize - rel[i]) {
                    throw bad("data of tensor '" + r[0] + "' (" + bytes + " bytes at data offset " + rel[i]
                            + ") runs past the end of the file (" + dataSize + " bytes of tensor data)", (Long) r[4]);
                }
                tensors.add(new TensorInfo((String) r[0], (long[]) r[1], (GgmlType) r[2], rel[i], dataOffset + rel[i], bytes));
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Long.compare(rel[a], rel[b]));
            for (int k = 1; k < order.length; k++) {
                TensorInfo prev = tensors.get(order[k - 1]);
                TensorInfo cur = tensors.get(order[k]);
                if (cur.offset() < prev.offset() + prev.byteSize()) {
                    throw bad("data of tensor '" + cur.name() + "' overlaps tensor '" + prev.name() + "'", (Long) raw.get(order[k])[4]);
                }
            }
        }

        static String hex(byte[] b) {
            StringBuilder sb = new StringBuilder();
            for (byte x : b) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(String.format("%02X", x & 0xFF));
            }
            return sb.isEmpty() ? "(none)" : sb.toString();
        }
    }
}
