package io.autoglm.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * A named source of {@link EmbeddingFunction}s, found through {@link ServiceLoader} so that a configuration can say
 * {@code embedding: minilm} without the code depending on the module that provides it.
 */
public interface EmbeddingProvider {
    /** @return the names this provider answers to, lower case (e.g. {@code minilm}, {@code all-minilm-l6-v2}) */
    List<String> names();

    /** @return a new embedding function; may load a model (slow), so call it once and keep the result */
    EmbeddingFunction create();

    /**
     * @param name a provider name, any case
     * @return a new function from the provider of that name
     * @throws IllegalArgumentException naming the available providers when none answers to {@code name}
     */
    static EmbeddingFunction create(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.strip().toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>();
        for (EmbeddingProvider p : ServiceLoader.load(EmbeddingProvider.class, EmbeddingProvider.class.getClassLoader())) {
            if (p.names().contains(n)) {
                return p.create();
            }
            known.addAll(p.names());
        }
        throw new IllegalArgumentException("no embedding provider named '" + name + "' on the class path"
                + (known.isEmpty() ? " (none is; add io.autoglm:autoglm-routing-minilm for minilm)" : "; available: " + known)
                + ", or embed with a GGUF model");
    }

    /** @return the names of every provider on the class path */
    static List<String> available() {
        List<String> known = new ArrayList<>();
        for (EmbeddingProvider p : ServiceLoader.load(EmbeddingProvider.class, EmbeddingProvider.class.getClassLoader())) {
            known.addAll(p.names());
        }
        return known;
    }
}
