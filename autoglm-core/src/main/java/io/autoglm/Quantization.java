package io.autoglm;

import java.util.Locale;
import java.util.Objects;

/**
 * Weight precision a model should run at. {@link #NONE} runs the file as it is; {@link #AUTO}
 * picks the most precise type whose weights and KV cache fit the memory budget; the others ask for
 * one llama.cpp preset. Anything but {@code NONE} needs {@code autoglm-quant} on the class path.
 */
public enum Quantization {
    /** Run the file as it is. */
    NONE(-1),
    /** Pick the most precise preset that fits the memory budget. */
    AUTO(-1),
    /** All floating-point tensors as F16. */
    F16(1),
    /** All floating-point tensors as BF16. */
    BF16(32),
    /** 8-bit, {@code int8}. */
    Q8_0(7),
    /** Legacy 4-bit. */
    Q4_0(2),
    /** Legacy 4-bit with minimum. */
    Q4_1(3),
    /** Legacy 5-bit. */
    Q5_0(8),
    /** Legacy 5-bit with minimum. */
    Q5_1(9),
    /** 2-bit K-quant mix. */
    Q2_K(10),
    /** 3-bit K-quant, medium mix. */
    Q3_K_M(12),
    /** 4-bit K-quant, small mix. */
    Q4_K_S(14),
    /** 4-bit K-quant, medium mix ({@code int4}). */
    Q4_K_M(15),
    /** 5-bit K-quant, small mix. */
    Q5_K_S(16),
    /** 5-bit K-quant, medium mix. */
    Q5_K_M(17),
    /** 6-bit K-quant. */
    Q6_K(18);

    private final int fileType;

    Quantization(int fileType) {
        this.fileType = fileType;
    }

    /** @return llama.cpp's {@code llama_ftype} value ({@code general.file_type}), or -1 for NONE and AUTO */
    public int fileType() {
        return fileType;
    }

    /**
     * Parses a name, case-insensitively, with the aliases {@code int8} (Q8_0), {@code int4} (Q4_K_M),
     * {@code fp16} (F16) and {@code bf16}.
     *
     * @param name the name
     * @return the value
     * @throws IllegalArgumentException naming the accepted values when the name is unknown
     */
    public static Quantization parse(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        switch (n) {
            case "INT8":
                return Q8_0;
            case "INT4":
                return Q4_K_M;
            case "FP16":
                return F16;
            default:
                break;
        }
        for (Quantization q : values()) {
            if (q.name().equals(n)) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quantization '" + name + "'; expected one of auto, none, int8, int4, fp16, "
                + "f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k_m, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k");
    }
}
