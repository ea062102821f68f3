package io.autoglm.internal;

/**
 * Argument checks shared by the builders of core and quant. Each throws {@link IllegalArgumentException} with a
 * message naming the parameter, the limit and the value ({@code "threads must be in [1, 512], was 0"}) and
 * otherwise returns the value, so a setter can read {@code threads = Checks.inRange("threads", v, 1, 512);}.
 */
public final class Checks {
    private Checks() {
    }

    /**
     * @param name the parameter's name, as the caller spells it
     * @param v the value
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return {@code v}
     * @throws IllegalArgumentException when {@code v} is outside {@code [min, max]}
     */
    public static int inRange(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    /**
     * @param name the parameter's name, as the caller spells it
     * @param v the value
     * @param min the smallest allowed value
     * @return {@code v}
     * @throws IllegalArgumentException when {@code v < min}
     */
    public static int atLeast(String name, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + v);
        }
        return v;
    }
}
