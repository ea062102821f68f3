package io.autoglm.server;

import io.autoglm.LanguageModel;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model as the server offers it: its id (the {@code model} requests name), aliases, the loaded
 * {@link LanguageModel}, and how to serve it.
 *
 * <pre>{@code
 * ServedModel m = ServedModel.builder("stories", languageModel).alias("tiny").chatTemplate("chatml").build();
 * }</pre>
 */
public final class ServedModel {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");

    private final String id;
    private final Set<String> aliases;
    private final LanguageModel model;
    private final String chatTemplate;
    private final String ownedBy;
    private final long created;

    private ServedModel(Builder b) {
        this.id = b.id;
        this.aliases = Set.copyOf(b.aliases);
        this.model = b.model;
        this.chatTemplate = b.chatTemplate;
        this.ownedBy = b.ownedBy;
        this.created = b.created;
    }

    /**
     * @param id the name requests use
     * @param model the loaded model
     * @return a model served with the defaults
     */
    public static ServedModel of(String id, LanguageModel model) {
        return builder(id, model).build();
    }

    /**
     * @param id the name requests use: letters, digits and {@code ._:/@+-}, at most 128 characters
     * @param model the loaded model (the server does not close it)
     * @return a builder
     */
    public static Builder builder(String id, LanguageModel model) {
        return new Builder(id, model);
    }

    /** @return the model's id */
    public String id() {
        return id;
    }

    /** @return other names for it */
    public Set<String> aliases() {
        return aliases;
    }

    /** @return the loaded model */
    public LanguageModel model() {
        return model;
    }

    /** @return the chat template to use (for a model without its own), or null for the model's */
    public String chatTemplate() {
        return chatTemplate;
    }

    /** @return {@code owned_by} in {@code /v1/models} */
    public String ownedBy() {
        return ownedBy;
    }

    /** @return {@code created} in {@code /v1/models}, Unix seconds */
    public long created() {
        return created;
    }

    @Override
    public String toString() {
        return "ServedModel[" + id + (aliases.isEmpty() ? "" : ", aliases=" + aliases) + "]";
    }

    /**
     * @param what the parameter's name for the message
     * @param v a model name or alias
     * @return {@code v}
     * @throws IllegalArgumentException unless it is 1-128 letters, digits or {@code ._:/@+-} starting with a letter or digit
     */
    public static String checkName(String what, String v) {
        Objects.requireNonNull(v, what);
        if (!NAME.matcher(v).matches()) {
            throw new IllegalArgumentException(what + " must be 1-128 letters, digits or ._:/@+- starting with a letter or "
                    + "digit, was '" + v + "'");
        }
        return v;
    }

    /** Builder; setters validate at once. */
    public static final class Builder {
        private final String id;
        private final LanguageModel model;
        private final Set<String> aliases = new LinkedHashSet<>();
        private String chatTemplate;
        private String ownedBy = "autoglm";
        private long created = System.currentTimeMillis() / 1000;

        private Builder(String id, LanguageModel model) {
            this.id = checkName("id", id);
            this.model = Objects.requireNonNull(model, "model");
        }

        /** @param v another name for the model @return this */
        public Builder alias(String v) {
            checkName("alias", v);
            if (v.equals(id)) {
                throw new IllegalArgumentException("alias '" + v + "' is the model's id");
            }
            aliases.add(v);
            return this;
        }

        /** @param v a chat template (built-in name such as {@code chatml}, or Jinja text), or null for the model's @return this */
        public Builder chatTemplate(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
            return this;
        }

        /** @param v {@code owned_by} (default {@code autoglm}) @return this */
        public Builder ownedBy(String v) {
            ownedBy = Objects.requireNonNull(v, "ownedBy");
            return this;
        }

        /** @param v {@code created}, Unix seconds, &gt;= 0 (default: now) @return this */
        public Builder created(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("created must be >= 0, was " + v);
            }
            created = v;
            return this;
        }

        /** @return the served model */
        public ServedModel build() {
            return new ServedModel(this);
        }
    }
}
