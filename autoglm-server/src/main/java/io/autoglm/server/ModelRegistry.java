package io.autoglm.server;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the server finds the model a request names. The built-in registry ({@link #of}) holds a fixed
 * set of loaded models; an implementation may load models on demand, route {@code model: "auto"}, or
 * read a configuration file. Implementations are called from many threads at once.
 */
public interface ModelRegistry {
    /**
     * @param name a model id or alias, as the request gave it
     * @return the model, or empty when there is none of that name
     * @throws ModelUnavailableException when the model is known but cannot serve yet (503)
     */
    Optional<ServedModel> find(String name);

    /** @return the models to list in {@code GET /v1/models} */
    List<ServedModel> models();

    /** @return true when every model is loaded and requests can be served ({@code GET /ready}) */
    default boolean ready() {
        return true;
    }

    /**
     * @param models loaded models; ids and aliases must all differ
     * @return a registry of exactly these models
     * @throws IllegalArgumentException when two names clash
     */
    static ModelRegistry of(Collection<ServedModel> models) {
        Objects.requireNonNull(models, "models");
        List<ServedModel> list = List.copyOf(models);
        Map<String, ServedModel> byName = new HashMap<>();
        for (ServedModel m : list) {
            for (String n : names(m)) {
                ServedModel prev = byName.putIfAbsent(n, m);
                if (prev != null) {
                    throw new IllegalArgumentException("model name '" + n + "' is used twice (" + prev + " and " + m + ")");
                }
            }
        }
        Map<String, ServedModel> frozen = Map.copyOf(byName);
        return new ModelRegistry() {
            @Override
            public Optional<ServedModel> find(String name) {
                return Optional.ofNullable(frozen.get(name));
            }

            @Override
            public List<ServedModel> models() {
                return list;
            }

            @Override
            public String toString() {
                return "ModelRegistry" + list;
            }
        };
    }

    private static List<String> names(ServedModel m) {
        java.util.ArrayList<String> n = new java.util.ArrayList<>();
        n.add(m.id());
        n.addAll(m.aliases());
        return n;
    }
}
