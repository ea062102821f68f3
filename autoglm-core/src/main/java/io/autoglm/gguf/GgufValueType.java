package io.autoglm.gguf;

import java.util.Optional;

/** The metadata value types of the GGUF format, with their on-disk ids and sizes. */
public enum GgufValueType {
    /** unsigned 8-bit integer */
    UINT8(0, 1),
    /** signed 8-bit integer */
    INT8(1, 1),
    /** unsigned 16-bit integer */
    UINT16(2, 2),
    /** signed 16-bit integer */
    INT16(3, 2),
    /** unsigned 32-bit integer */
    UINT32(4, 4),
    /** signed 32-bit integer */
    INT32(5, 4),
    /** IEEE 754 binary32 */
    FLOAT32(6, 4),
    /** one byte, 0 or 1 */
    BOOL(7, 1),
    /** uint64 byte length followed by UTF-8 bytes */
    STRING(8, -1),
    /** uint32 element type, uint64 count, then the elements */
    ARRAY(9, -1),
    /** unsigned 64-bit integer */
    UINT64(10, 8),
    /** signed 64-bit integer */
    INT64(11, 8),
    /** IEEE 754 binary64 */
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** @return the id stored in the file */
    public int id() {
        return id;
    }

    /** @return bytes of one value for fixed-size types, -1 for {@link #STRING} and {@link #ARRAY} */
    public int size() {
        return size;
    }

    /** @return true for the integer types (signed or unsigned, 8 to 64 bits) */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** @return true for {@link #FLOAT32} and {@link #FLOAT64} */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** @return the smallest number of bytes one value of this type takes in a file */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    /** @param id a value type id from a file @return the type, if the id is known */
    public static Optional<GgufValueType> byId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }
}
