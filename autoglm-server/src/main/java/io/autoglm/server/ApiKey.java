package io.autoglm.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An API key the server accepts ({@code Authorization: Bearer KEY}), with what it may do. The server
 * keeps only the key's SHA-256, so a key can also be configured by its hash; presented keys are
 * compared in constant time.
 *
 * <pre>{@code
 * ApiKey k = ApiKey.builder().secret("sk-team-a").name("team-a").models("stories")
 *         .requestsPerMinute(600).tokensPerMinute(100_000).maxConcurrentStreams(4).build();
 * List<ApiKey> fromFile = ApiKey.parse(Files.readString(Path.of("keys.txt")));
 * }</pre>
 */
public final class ApiKey {
    private final byte[] sha256;
    private final String name;
    private final Set<String> models;
    private final int requestsPerMinute;
    private final int tokensPerMinute;
    private final int maxConcurrentStreams;

    private ApiKey(Builder b) {
        this.sha256 = b.sha256;
        this.name = b.name != null ? b.name : "key-" + HexFormat.of().formatHex(sha256, 0, 4);
        this.models = Set.copyOf(b.models);
        this.requestsPerMinute = b.requestsPerMinute;
        this.tokensPerMinute = b.tokensPerMinute;
        this.maxConcurrentStreams = b.maxConcurrentStreams;
    }

    /**
     * @param secret the key clients send
     * @return a key without limits, valid for every model
     */
    public static ApiKey of(String secret) {
        return builder().secret(secret).build();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads keys, one per line: the key itself, or {@code sha256:HEX}, then optional
     * {@code name=N models=a,b rpm=N tpm=N streams=N}, separated by spaces. Blank lines and lines
     * starting with {@code #} are skipped; entries may also be separated by commas outside the options
     * (the {@code AUTOGLM_API_KEYS} form {@code key1,key2}).
     *
     * @param text the file or variable contents
     * @return the keys
     * @throws IllegalArgumentException naming the line and the option at fault
     */
    public static List<ApiKey> parse(String text) {
        Objects.requireNonNull(text, "text");
        List<ApiKey> out = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length == 1 && parts[0].contains(",")) {
                for (String k : parts[0].split(",")) {
                    if (!k.isBlank()) {
                        out.add(parseOne(new String[] {k.strip()}, ln + 1));
                    }
                }
            } else {
                out.add(parseOne(parts, ln + 1));
            }
        }
        return out;
    }

    private static ApiKey parseOne(String[] parts, int line) {
        Builder b = builder();
        try {
            if (parts[0].startsWith("sha256:")) {
                b.sha256(parts[0].substring(7));
            } else {
                b.secret(parts[0]);
            }
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("option '" + parts[i] + "' must be name=value");
                }
                String k = parts[i].substring(0, eq).toLowerCase(Locale.ROOT);
                String v = parts[i].substring(eq + 1);
                switch (k) {
                    case "name" -> b.name(v);
                    case "models" -> b.models(v.split(","));
                    case "rpm" -> b.requestsPerMinute(Integer.parseInt(v));
                    case "tpm" -> b.tokensPerMinute(Integer.parseInt(v));
                    case "streams" -> b.maxConcurrentStreams(Integer.parseInt(v));
                    default -> throw new IllegalArgumentException("unknown option '" + k + "' (name, models, rpm, tpm, streams)");
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("API key line " + line + ": a number is expected: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("API key line " + line + ": " + e.getMessage());
        }
        return b.build();
    }

    /**
     * @param secret a key
     * @return its SHA-256, hex
     */
    public static String sha256Hex(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }

    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @param presentedSha256 the SHA-256 of the key a client sent
     * @return whether it is this key (constant time)
     */
    public boolean matches(byte[] presentedSha256) {
        return MessageDigest.isEqual(sha256, presentedSha256);
    }

    /** @return the name used in logs and metrics (never the key) */
    public String name() {
        return name;
    }

    /** @return the model ids this key may use; empty = all */
    public Set<String> models() {
        return models;
    }

    /**
     * @param modelId a model id
     * @return whether this key may use it
     */
    public boolean allows(String modelId) {
        return models.isEmpty() || models.contains(modelId);
    }

    /** @return request limit per minute, 0 = none */
    public int requestsPerMinute() {
        return requestsPerMinute;
    }

    /** @return token limit (prompt + generated) per minute, 0 = none */
    public int tokensPerMinute() {
        return tokensPerMinute;
    }

    /** @return most streams at once, 0 = no limit */
    public int maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    @Override
    public String toString() {
        return "ApiKey[" + name + (models.isEmpty() ? "" : ", models=" + models) + "]";
    }

    /** Builder; setters validate at once. */
    public static final class Builder {
        private byte[] sha256;
        private String name;
        private final Set<String> models = new LinkedHashSet<>();
        private int requestsPerMinute;
        private int tokensPerMinute;
        private int maxConcurrentStreams;

        private Builder() {
        }

        /** @param v the key clients send, at least 8 characters, no whitespace @return this */
        public Builder secret(String v) {
            Objects.requireNonNull(v, "secret");
            if (v.length() < 8 || v.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("an API key must be at least 8 characters without whitespace, was "
                        + v.length() + " characters");
            }
            sha256 = digest(v);
            return this;
        }

        /** @param hex the SHA-256 of the key clients send, 64 hex digits @return this */
        public Builder sha256(String hex) {
            Objects.requireNonNull(hex, "sha256");
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 hex digits, was '" + hex + "'");
            }
            sha256 = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
            return this;
        }

        /** @param v a name for logs and metrics @return this */
        public Builder name(String v) {
            name = ServedModel.checkName("name", v);
            return this;
        }

        /** @param v model ids this key may use (none = all) @return this */
        public Builder models(String... v) {
            for (String m : v) {
                models.add(ServedModel.checkName("models", m.strip()));
            }
            return this;
        }

        /** @param v requests per minute, &gt;= 0 (0 = no limit) @return this */
        public Builder requestsPerMinute(int v) {
            requestsPerMinute = atLeastZero("requestsPerMinute", v);
            return this;
        }

        /** @param v prompt + generated tokens per minute, &gt;= 0 (0 = no limit) @return this */
        public Builder tokensPerMinute(int v) {
            tokensPerMinute = atLeastZero("tokensPerMinute", v);
            return this;
        }

        /** @param v streams at once, &gt;= 0 (0 = no limit) @return this */
        public Builder maxConcurrentStreams(int v) {
            maxConcurrentStreams = atLeastZero("maxConcurrentStreams", v);
            return this;
        }

        private static int atLeastZero(String what, int v) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0, was " + v);
            }
            return v;
        }

        /** @return the key @throws IllegalStateException when neither secret nor sha256 was set */
        public ApiKey build() {
            if (sha256 == null) {
                throw new IllegalStateException("an API key needs secret(...) or sha256(...)");
            }
            return new ApiKey(this);
        }
    }
}
