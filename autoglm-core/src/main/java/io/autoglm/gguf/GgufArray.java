package io.autoglm.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable GGUF metadata array: an element type and its elements. Fixed-size elements are kept
 * as their little-endian file bytes (no boxing: a 256k-entry score table costs 1 MB); strings and
 * nested arrays as Java objects. Indexing is bounds-checked.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final int size;
    private final byte[] raw;          // fixed-size element types
    private final String[] strings;    // STRING
    private final GgufArray[] arrays;  // ARRAY
    private final Map<Integer, byte[]> invalidUtf8; // STRING elements whose file bytes were not valid UTF-8

    private GgufArray(GgufValueType elementType, int size, byte[] raw, String[] strings, GgufArray[] arrays) {
        this(elementType, size, raw, strings, arrays, Map.of());
    }

    private GgufArray(GgufValueType elementType, int size, byte[] raw, String[] strings, GgufArray[] arrays,
            Map<Integer, byte[]> invalidUtf8) {
        this.invalidUtf8 = invalidUtf8;
        this.elementType = elementType;
        this.size = size;
        this.raw = raw;
        this.strings = strings;
        this.arrays = arrays;
    }

    /** Wraps raw little-endian element bytes (not copied: callers hand over ownership). */
    static GgufArray ofRaw(GgufValueType type, byte[] raw) {
        if (type.size() <= 0 || raw.length % type.size() != 0) {
            throw new IllegalArgumentException("raw bytes do not hold whole " + type + " elements");
        }
        return new GgufArray(type, raw.length / type.size(), raw, null, null);
    }

    /**
     * @param strings the elements (copied)
     * @return a {@code STRING} array
     */
    public static GgufArray ofStrings(List<String> strings) {
        String[] a = strings.toArray(new String[0]);
        for (int i = 0; i < a.length; i++) {
            Objects.requireNonNull(a[i], "strings element is null");
        }
        return new GgufArray(GgufValueType.STRING, a.length, null, a, null);
    }

    /**
     * Strings read from a file, some of whose byte sequences were not valid UTF-8 (token pieces of some
     * vocabularies): the Java strings hold replacement characters, the original bytes are kept so that
     * writing the array back reproduces the file's bytes.
     */
    static GgufArray ofStrings(List<String> strings, Map<Integer, byte[]> invalidUtf8) {
        String[] a = strings.toArray(new String[0]);
        return new GgufArray(GgufValueType.STRING, a.length, null, a, null, invalidUtf8 == null ? Map.of() : Map.copyOf(invalidUtf8));
    }

    /** @return the file bytes of string element {@code i} (its UTF-8 encoding, or the original invalid bytes) */
    byte[] stringBytes(int i) {
        byte[] b = invalidUtf8.get(i);
        return b != null ? b : strings[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param arrays the nested arrays (copied)
     * @return an {@code ARRAY} of arrays
     */
    public static GgufArray ofArrays(List<GgufArray> arrays) {
        GgufArray[] a = arrays.toArray(new GgufArray[0]);
        for (GgufArray x : a) {
            Objects.requireNonNull(x, "nested array");
        }
        return new GgufArray(GgufValueType.ARRAY, a.length, null, null, a);
    }

    /**
     * @param type an integer element type
     * @param values the elements, each in the range of {@code type}
     * @return an integer array
     * @throws IllegalArgumentException when the type is not an integer type or a value is out of range
     */
    public static GgufArray ofIntegers(GgufValueType type, long... values) {
        if (!type.isInteger()) {
            throw new IllegalArgumentException("type must be an integer type, was " + type);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, type.size())).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            GgufValue.checkIntegerRange(type, v);
            switch (type.size()) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return ofRaw(type, b.array());
    }

    /** @param values the elements @return a {@code FLOAT32} array */
    public static GgufArray ofFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return ofRaw(GgufValueType.FLOAT32, b.array());
    }

    /** @param values the elements @return a {@code FLOAT64} array */
    public static GgufArray ofDoubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return ofRaw(GgufValueType.FLOAT64, b.array());
    }

    /** @param values the elements @return a {@code BOOL} array */
    public static GgufArray ofBooleans(boolean... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (values[i] ? 1 : 0);
        }
        return ofRaw(GgufValueType.BOOL, b);
    }

    /** @return the element type */
    public GgufValueType elementType() {
        return elementType;
    }

    /** @return the number of elements */
    public int size() {
        return size;
    }

    private void check(int i, boolean typeOk, String what) {
        Objects.checkIndex(i, size);
        if (!typeOk) {
            throw new IllegalStateException("a " + elementType + " array has no " + what + " elements");
        }
    }

    /**
     * @param i index
     * @return element {@code i} of an integer array ({@code UINT64} keeps its bits)
     */
    public long getLong(int i) {
        check(i, elementType.isInteger(), "integer");
        int o = i * elementType.size();
        return switch (elementType) {
            case UINT8 -> raw[o] & 0xFFL;
            case INT8 -> raw[o];
            case UINT16 -> le16(o) & 0xFFFFL;
            case INT16 -> (short) le16(o);
            case UINT32 -> le32(o) & 0xFFFF_FFFFL;
            case INT32 -> le32(o);
            default -> (le32(o) & 0xFFFF_FFFFL) | ((long) le32(o + 4) << 32);
        };
    }

    /** @param i index @return element {@code i} of a float, double or integer array as a double */
    public double getDouble(int i) {
        if (elementType.isInteger()) {
            return getLong(i);
        }
        check(i, elementType.isFloat(), "numeric");
        int o = i * elementType.size();
        if (elementType == GgufValueType.FLOAT32) {
            return Float.intBitsToFloat(le32(o));
        }
        return Double.longBitsToDouble((le32(o) & 0xFFFF_FFFFL) | ((long) le32(o + 4) << 32));
    }

    /** @param i index @return element {@code i} of a bool array */
    public boolean getBoolean(int i) {
        check(i, elementType == GgufValueType.BOOL, "bool");
        return raw[i] != 0;
    }

    /** @param i index @return element {@code i} of a string array */
    public String getString(int i) {
        check(i, elementType == GgufValueType.STRING, "string");
        return strings[i];
    }

    /**
     * @param i index
     * @return the file bytes of string element {@code i}: its UTF-8 encoding, or the original bytes when they were not
     *     valid UTF-8 (two such elements can read as the same Java string yet differ here); a copy
     */
    public byte[] getStringBytes(int i) {
        check(i, elementType == GgufValueType.STRING, "string");
        return stringBytes(i).clone();
    }

    /** @param i index @return element {@code i} of an array of arrays */
    public GgufArray getArray(int i) {
        check(i, elementType == GgufValueType.ARRAY, "array");
        return arrays[i];
    }

    /** @return the elements of a string array, as an unmodifiable list */
    public List<String> strings() {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalStateException("a " + elementType + " array has no string elements");
        }
        return Collections.unmodifiableList(Arrays.asList(strings));
    }

    /** @return the elements of a numeric array as floats (a copy) */
    public float[] toFloatArray() {
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = (float) getDouble(i);
        }
        return f;
    }

    /** @return the elements of an integer array (a copy) */
    public long[] toLongArray() {
        long[] f = new long[size];
        for (int i = 0; i < size; i++) {
            f[i] = getLong(i);
        }
        return f;
    }

    /** @return a copy of the little-endian element bytes of a fixed-size element type */
    byte[] rawBytes() {
        return raw;
    }

    private int le16(int o) {
        return (raw[o] & 0xFF) | (raw[o + 1] & 0xFF) << 8;
    }

    private int le32(int o) {
        return (raw[o] & 0xFF) | (raw[o + 1] & 0xFF) << 8 | (raw[o + 2] & 0xFF) << 16 | (raw[o + 3] & 0xFF) << 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType && a.size == size && Arrays.equals(a.raw, raw)
                && Arrays.equals(a.strings, strings) && Arrays.equals(a.arrays, arrays) && sameInvalid(a);
    }

    private boolean sameInvalid(GgufArray a) {
        if (a.invalidUtf8.size() != invalidUtf8.size()) {
            return false;
        }
        for (Map.Entry<Integer, byte[]> e : invalidUtf8.entrySet()) {
            if (!Arrays.equals(e.getValue(), a.invalidUtf8.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(elementType, size, Arrays.hashCode(raw), Arrays.hashCode(strings), Arrays.hashCode(arrays));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(elementType.name()).append('[').append(size).append("]{");
        for (int i = 0; i < Math.min(size, 4); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(switch (elementType) {
                case STRING -> '"' + strings[i] + '"';
                case ARRAY -> arrays[i].toString();
                case BOOL -> String.valueOf(getBoolean(i));
                case FLOAT32, FLOAT64 -> String.valueOf(getDouble(i));
                case UINT64 -> Long.toUnsignedString(getLong(i));
                default -> String.valueOf(getLong(i));
            });
        }
        return sb.append(size > 4 ? ", ...}" : "}").toString();
    }
}
