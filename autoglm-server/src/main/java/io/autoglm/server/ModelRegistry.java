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
     * @param name the {@code model} a request named
     * @return true when the name asks this registry to choose the model by the request's text (such as {@code auto});
     *     then {@link #route} is called instead of {@link #find}
     */
    default boolean routes(String name) {
        return false;
    }

    /**
     * Chooses a model for a request's text (only called when {@link #routes} said yes).
     *
     * @param name the routing name the request gave
     * @param text the request's text: its system messages and last user message, or its prompt
     * @param allowed which models the caller may use (its API key)
     * @return the chosen model and why
     * @throws ModelUnavailableException when the chosen model cannot serve yet (503)
     * @throws IllegalStateException when no allowed model can be chosen (404)
     */
    default RoutedModel route(String name, String text, java.util.function.Predicate<ServedModel> allowed) {
        throw new IllegalStateException("this registry does not route '" + name + "'");
    }

    /**
     * Told when a request that {@link #find} or {@link #route} answered has finished with the model (successfully or
     * not), once per answer; a registry that swaps models closes the old ones when none is in use any more.
     *
     * @param model the model the request used
     */
    default void release(ServedModel model) {
    }

    /**
     * @param models the registry to route among
     * @param routingName the name that asks for routing, e.g. {@code auto} (must not be a model's name)
     * @param router the router; its model profiles are named as the registry's models
     * @return a registry that answers {@code routingName} with the router's choice among the allowed models and
     *     everything else as {@code models} does
     */
    static ModelRegistry routing(ModelRegistry models, String routingName, io.autoglm.routing.TaskRouter router) {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(router, "router");
        ServedModel.checkName("routingName", routingName);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ServedModel m : models.models()) {
            names.add(m.id());
            names.addAll(m.aliases());
        }
        for (io.autoglm.routing.ModelProfile p : router.models()) {
            if (!names.contains(p.name())) {
                throw new IllegalArgumentException("the router's model '" + p.name() + "' is not in the registry");
            }
        }
        if (names.contains(routingName)) {
            throw new IllegalArgumentException("routing name '" + routingName + "' is also a model's name");
        }
        return new ModelRegistry() {
            @Override
            public Optional<ServedModel> find(String name) {
                return models.find(name);
            }

            @Override
            public List<ServedModel> models() {
                return models.models();
            }

            @Override
            public boolean ready() {
                return models.ready();
            }

            @Override
            public boolean routes(String name) {
                return routingName.equals(name) || models.routes(name);
            }

            @Override
            public RoutedModel route(String name, String text, java.util.function.Predicate<ServedModel> allowed) {
                if (!routingName.equals(name)) {
                    return models.route(name, text, allowed);
                }
                // candidates are looked up in the listing, not through find(): a registry that counts the models in use
                // (a reloading one) is told of every find() answer's end through release(), and these are not answers
                java.util.Map<String, ServedModel> listed = new java.util.HashMap<>();
                for (ServedModel m : models.models()) {
                    listed.put(m.id(), m);
                    m.aliases().forEach(a -> listed.putIfAbsent(a, m));
                }
                io.autoglm.routing.RoutingDecision d = router.route(text, m -> {
                    ServedModel s = listed.get(m);
                    return s != null && allowed.test(s);
                });
                ServedModel chosen = models.find(d.model())
                        .orElseThrow(() -> new IllegalStateException("the router chose '" + d.model() + "', which is gone"));
                return new RoutedModel(chosen, d);
            }

            @Override
            public void release(ServedModel model) {
                models.release(model);
            }

            @Override
            public String toString() {
                return "RoutingRegistry[" + routingName + " -> " + router + ", " + models + "]";
            }
        };
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
