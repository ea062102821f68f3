package io.autoglm.tune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The deploy config a tune writes: one model entry of the {@code autoglm serve --config} file with the settings the
 * tune chose (kebab-case keys; only the tuned fields plus {@code name} and {@code model}).
 *
 * <pre>{@code
 * models:
 *   - name: stories
 *     model: stories260k
 *     quantize: Q8_0
 *     parallel: 8
 *     context: 512
 *     threads: 2
 *     batch: 256
 *     ubatch: 128
 *     flash-attention: false
 * }</pre>
 *
 * @param name the model's name in the config
 * @param model the model reference as the user gave it
 * @param settings the chosen settings ({@code flash-attention} is written only when it was tuned)
 */
public record DeployConfig(String name, String model, Candidate settings) {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./:@+-]*");

    /** Validates the values. */
    public DeployConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
    }

    /** @return the YAML text */
    public String toYaml() {
        Candidate c = settings;
        StringBuilder sb = new StringBuilder("models:\n");
        sb.append("  - name: ").append(scalar(name)).append('\n');
        sb.append("    model: ").append(scalar(model)).append('\n');
        sb.append("    quantize: ").append(c.quantizeName()).append('\n');
        sb.append("    parallel: ").append(c.parallel()).append('\n');
        sb.append("    context: ").append(c.context()).append('\n');
        sb.append("    threads: ").append(c.threads()).append('\n');
        sb.append("    batch: ").append(c.batch()).append('\n');
        sb.append("    ubatch: ").append(c.ubatch()).append('\n');
        if (c.flashAttention() != null) {
            sb.append("    flash-attention: ").append(c.flashAttention()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes {@link #toYaml()} to a file: to a temporary file beside it first, then moved over it, so a reader never
     * sees half a config.
     *
     * @param out the file
     * @throws UncheckedIOException when it cannot be written
     */
    public void write(Path out) {
        Objects.requireNonNull(out, "out");
        Path abs = out.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, toYaml(), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** @return the value plain when YAML reads it back as the same string, else double-quoted */
    static String scalar(String v) {
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        boolean keyword = switch (lower) {
            case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n" -> true;
            default -> false;
        };
        if (PLAIN.matcher(v).matches() && !keyword && !v.matches("[-+]?[0-9.][0-9._eExXoOa-fA-F:+-]*")) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : v.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\x%02x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
