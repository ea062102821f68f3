package io.autoglm;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether {@link AutoGLM.Builder#build()} first loads the model in a short-lived child JVM and decodes one token there,
 * so that a file that makes llama.cpp abort ends the child, not this JVM.
 *
 * <p>Every file is checked by {@link io.autoglm.validate.ModelValidator} in any case; the probe covers what those
 * checks cannot foresee. A probe costs a JVM start plus one model load (about half a second to a few seconds, see
 * {@code docs/model-safety.md}); its verdict is cached by the file's SHA-256 (with the backend, native library and
 * quantization) in the AutoGLM cache folder ({@code autoglm.cache.dir}, {@code AUTOGLM_CACHE_DIR} or
 * {@code ~/.cache/autoglm}), so a healthy file pays it once and a file that crashed is refused at once afterwards.
 *
 * <pre>{@code
 * AutoGLM.builder().model(uploaded).isolationProbe(IsolationProbe.UNSEEN_FILES).build();
 * }</pre>
 */
public enum IsolationProbe {
    /** No probe (the default): the model is loaded in this JVM right after validation. */
    OFF,
    /** Probe files whose verdict is not cached yet; reuse cached verdicts. */
    UNSEEN_FILES,
    /** Probe on every build, ignoring cached healthy verdicts (a cached crash still refuses the file at once). */
    ALWAYS;

    /** System property giving the builders' default, e.g. {@code -Dautoglm.isolation.probe=unseen-files}. */
    public static final String PROPERTY = "autoglm.isolation.probe";

    /**
     * Parses {@code off}, {@code unseen-files} (or {@code unseen}) and {@code always}, case-insensitively.
     *
     * @param name the name
     * @return the value
     * @throws IllegalArgumentException naming the accepted values for anything else
     */
    public static IsolationProbe parse(String name) {
        Objects.requireNonNull(name, "name");
        return switch (name.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "off", "false", "none" -> OFF;
            case "unseen-files", "unseen" -> UNSEEN_FILES;
            case "always" -> ALWAYS;
            default -> throw new IllegalArgumentException("isolation probe must be off, unseen-files or always, was '" + name + "'");
        };
    }

    /** @return the default: the system property {@value #PROPERTY} when set, else {@link #OFF} */
    static IsolationProbe configuredDefault() {
        String p = System.getProperty(PROPERTY);
        try {
            return p == null || p.isBlank() ? OFF : parse(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be off, unseen-files or always, was '" + p + "'", e);
        }
    }
}
