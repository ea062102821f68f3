package io.autoglm.gguf;

import java.util.Objects;

/**
 * One GGUF metadata value: its type and a Java value. The Java value is a {@link Long} for every
 * integer type (an {@code UINT64} above {@link Long#MAX_VALUE} keeps its bits, read it with
 * {@link Long#toUnsignedString(long)}), a {@link Float} for {@code FLOAT32}, a {@link Double} for
 * {@code FLOAT64}, a {@link Boolean}, a {@link String} or a {@link GgufArray}.
 *
 * @param type the GGUF value type
 * @param value the Java value, of the class the type calls for
 */
public record GgufValue(GgufValueType type, Object value) {

    /** Validates that {@code value} is of the class {@code type} calls for and in range. */
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException("a " + type + " value must be a " + expected.getSimpleName() + ", was "
                    + value.getClass().getSimpleName());
        }
        if (type.isInteger()) {
            checkIntegerRange(type, (Long) value);
        }
    }

    static void checkIntegerRange(GgufValueType type, long v) {
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 0xFF; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xFFFF; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            default -> { return; } // 64-bit: every long is valid (UINT64 keeps the bits)
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(type + " value must be in [" + min + ", " + max + "], was " + v);
        }
    }

    /** @param v a value in [0, 255] @return a {@code UINT8} value */
    public static GgufValue uint8(int v) {
        return new GgufValue(GgufValueType.UINT8, (long) v);
    }

    /** @param v a value in [0, 2^32) @return a {@code UINT32} value */
    public static GgufValue uint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    /** @param v the value @return an {@code INT32} value */
    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, (long) v);
    }

    /** @param v the value (bits of an unsigned value) @return a {@code UINT64} value */
    public static GgufValue uint64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    /** @param v the value @return an {@code INT64} value */
    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    /** @param v the value @return a {@code FLOAT32} value */
    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    /** @param v the value @return a {@code FLOAT64} value */
    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    /** @param v the value @return a {@code BOOL} value */
    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    /** @param v the value @return a {@code STRING} value */
    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    /** @param v the array @return an {@code ARRAY} value */
    public static GgufValue array(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }

    /**
     * @return the value as a long
     * @throws IllegalStateException when this is not an integer value
     */
    public long asLong() {
        if (!type.isInteger()) {
            throw new IllegalStateException("not an integer value: " + type);
        }
        return (Long) value;
    }

    /**
     * @return the value as a double (integers are converted)
     * @throws IllegalStateException when this is not a number
     */
    public double asDouble() {
        if (type.isFloat()) {
            return ((Number) value).doubleValue();
        }
        if (type == GgufValueType.UINT64) {
            long v = (Long) value;
            return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
        }
        if (type.isInteger()) {
            return (Long) value;
        }
        throw new IllegalStateException("not a number: " + type);
    }

    /** @return the string @throws IllegalStateException when this is not a string */
    public String asString() {
        if (type != GgufValueType.STRING) {
            throw new IllegalStateException("not a string: " + type);
        }
        return (String) value;
    }

    /** @return the boolean @throws IllegalStateException when this is not a bool */
    public boolean asBoolean() {
        if (type != GgufValueType.BOOL) {
            throw new IllegalStateException("not a bool: " + type);
        }
        return (Boolean) value;
    }

    /** @return the array @throws IllegalStateException when this is not an array */
    public GgufArray asArray() {
        if (type != GgufValueType.ARRAY) {
            throw new IllegalStateException("not an array: " + type);
        }
        return (GgufArray) value;
    }

    @Override
    public String toString() {
        return switch (type) {
            case STRING -> {
                String s = (String) value;
                yield '"' + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + '"';
            }
            case UINT64 -> Long.toUnsignedString((Long) value);
            default -> String.valueOf(value);
        };
    }
}
