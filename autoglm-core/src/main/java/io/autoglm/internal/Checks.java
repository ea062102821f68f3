package io.autoglm.internal;

import io.autoglm.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Argument checks shared by the builders of core and quant. Each throws {@link IllegalArgumentException} with a
 * message naming the parameter, the limit and the value ({@code "threads must be in [1, 512], was 0"}) and
 * otherwise returns the value, so a setter can read {@code threads = Checks.inRange("threads", v, 1, 512);}.
 * {@link #modelFile} is the backends' shared check of a model path before anything native happens.
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

    /**
     * @param p the model file a backend is asked to load
     * @return {@code p}
     * @throws ModelLoadException when {@code p} does not exist or is not a regular file
     */
    public static Path modelFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new ModelLoadException("model file " + p + (Files.exists(p) ? " is not a regular file" : " does not exist"));
        }
        return p;
    }
}
