package io.autoglm.server.config;

import io.autoglm.LanguageModel;
import io.autoglm.routing.RoutingDecision;
import io.autoglm.routing.TaskRouter;
import io.autoglm.server.ModelRegistry;
import io.autoglm.server.ModelUnavailableException;
import io.autoglm.server.RoutedModel;
import io.autoglm.server.ServedModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of a {@link Deployment}: the models of the current configuration, swapped as a whole on a reload. Every
 * answer of {@link #find}/{@link #route} holds its model until {@link #release}; a model that a reload dropped is closed
 * when its last request has released it, so running requests finish on the model they started on.
 */
final class ConfiguredRegistry implements ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredRegistry.class);

    /**
     * One configuration's models.
     *
     * @param byName models by name and alias
     * @param list the models in file order
     * @param loaded every loaded model of this generation (one per distinct load settings)
     * @param routingName the name that asks for routing, or null
     * @param router the router, or null
     * @param embedder the loaded model the router embeds with, or null
     */
    record Generation(Map<String, ServedModel> byName, List<ServedModel> list, List<LanguageModel> loaded,
            String routingName, TaskRouter router, LanguageModel embedder) {
    }

    private final Object lock = new Object();
    private volatile Generation current;
    /** Requests running per loaded model (guarded by lock). */
    private final Map<LanguageModel, Integer> inUse = new IdentityHashMap<>();
    /** Models a reload dropped while requests still ran on them (guarded by lock). */
    private final Set<LanguageModel> retired = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    ConfiguredRegistry(Generation first) {
        this.current = first;
    }

    Generation current() {
        return current;
    }

    @Override
    public Optional<ServedModel> find(String name) {
        synchronized (lock) {
            ServedModel m = current.byName().get(name);
            if (m != null) {
                acquire(m.model());
            }
            return Optional.ofNullable(m);
        }
    }

    @Override
    public List<ServedModel> models() {
        return current.list();
    }

    @Override
    public boolean routes(String name) {
        Generation g = current;
        return g.router() != null && g.routingName().equals(name);
    }

    @Override
    public RoutedModel route(String name, String text, Predicate<ServedModel> allowed) {
        Generation g;
        synchronized (lock) {
            g = current;
            if (g.router() == null || !g.routingName().equals(name)) {
                throw new IllegalStateException("this configuration does not route '" + name + "'");
            }
            if (g.embedder() != null) {
                acquire(g.embedder());
            }
        }
        RoutingDecision d;
        try {
            d = g.router().route(text, m -> {
                ServedModel s = g.byName().get(m);
                return s != null && allowed.test(s);
            });
        } finally {
            if (g.embedder() != null) {
                releaseModel(g.embedder());
            }
        }
        synchronized (lock) {
            // a reload may have come in between: the chosen name is served by the current configuration's model
            ServedModel chosen = current.byName().get(d.model());
            if (chosen == null) {
                throw new ModelUnavailableException("model '" + d.model() + "' was removed by a configuration reload", 1);
            }
            acquire(chosen.model());
            return new RoutedModel(chosen, d);
        }
    }

    @Override
    public void release(ServedModel model) {
        releaseModel(model.model());
    }

    private void acquire(LanguageModel m) {
        inUse.merge(m, 1, Integer::sum);
    }

    private void releaseModel(LanguageModel m) {
        boolean close = false;
        synchronized (lock) {
            Integer n = inUse.get(m);
            if (n == null) {
                return;
            }
            if (n <= 1) {
                inUse.remove(m);
                close = retired.remove(m);
            } else {
                inUse.put(m, n - 1);
            }
        }
        if (close) {
            LOG.info("closing {}: its last request has finished", m);
            m.close();
        }
    }

    /**
     * Makes {@code next} the current generation; models of the old one that {@code next} does not reuse are closed now
     * when idle, else when their last request releases them.
     *
     * @param next the new generation
     * @return the models closed now
     */
    List<LanguageModel> swap(Generation next) {
        List<LanguageModel> closeNow = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed: " + this);
            }
            Generation old = current;
            current = next;
            Set<LanguageModel> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            kept.addAll(next.loaded());
            for (LanguageModel m : old.loaded()) {
                if (kept.contains(m)) {
                    continue;
                }
                if (inUse.containsKey(m)) {
                    retired.add(m);
                } else {
                    closeNow.add(m);
                }
            }
        }
        closeNow.forEach(LanguageModel::close);
        return closeNow;
    }

    /** @return how many requests hold a model (for tests and logs) */
    int inUse(LanguageModel m) {
        synchronized (lock) {
            return inUse.getOrDefault(m, 0);
        }
    }

    /** Closes every model (after the server has stopped). Idempotent. */
    void close() {
        List<LanguageModel> all = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all.addAll(current.loaded());
            all.addAll(retired);
            retired.clear();
        }
        all.forEach(LanguageModel::close);
    }

    @Override
    public String toString() {
        return "ConfiguredRegistry" + current.list();
    }
}
