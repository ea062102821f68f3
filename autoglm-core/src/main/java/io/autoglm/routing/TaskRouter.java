package io.autoglm.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises the task a request asks for and recommends a model for it.
 *
 * <p>Recognition: the request text (an excerpt of at most {@link Builder#maxChars(int)} characters: its head and its
 * tail, where instructions usually are) is embedded, compared by cosine similarity with every labelled example, and
 * the {@link Builder#k(int) k} nearest vote for their tasks with weights {@code exp((s - s_max) / temperature)}
 * (the nearest weighs 1). A task's probability is its share of the votes.
 *
 * <p>Recommendation: each candidate model is scored as {@link RoutingWeights} documents (expected task fit plus quality,
 * minus relative latency and memory), and the best wins (ties: the model given first).
 *
 * <pre>{@code
 * TaskRouter router = TaskRouter.builder(EmbeddingProvider.create("minilm"))
 *         .model(ModelProfile.builder("chat").quality(0.6).latencyMillis(20).build())
 *         .model(ModelProfile.builder("coder").tasks("code", "math").quality(0.8).latencyMillis(45).build())
 *         .build();
 * RoutingDecision d = router.route("Write a Java method that reverses a linked list");
 * System.out.println(d.model() + ": " + d.reason());    // coder: task code (...)
 * }</pre>
 *
 * Thread-safe once built; the examples are embedded once, by {@link Builder#build()}.
 */
public final class TaskRouter {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRouter.class);

    private final EmbeddingFunction embedding;
    private final List<TaskExample> examples;
    private final float[][] vectors;
    private final int k;
    private final double temperature;
    private final int maxChars;
    private final List<ModelProfile> models;
    private final RoutingWeights weights;
    private final Set<String> tasks;

    private TaskRouter(Builder b, float[][] vectors) {
        this.embedding = b.embedding;
        this.examples = List.copyOf(b.examples);
        this.vectors = vectors;
        this.k = Math.min(b.k, examples.size());
        this.temperature = b.temperature;
        this.maxChars = b.maxChars;
        this.models = List.copyOf(b.models.values());
        this.weights = b.weights;
        Set<String> t = new LinkedHashSet<>();
        examples.forEach(e -> t.add(e.task()));
        this.tasks = Set.copyOf(t);
    }

    /**
     * @param embedding embeds requests and examples
     * @return a builder with the default examples, k = 7, temperature 0.2, 400 characters, default weights, no models
     */
    public static Builder builder(EmbeddingFunction embedding) {
        return new Builder(embedding);
    }

    /** @return the tasks the examples cover */
    public Set<String> tasks() {
        return tasks;
    }

    /** @return the labelled examples */
    public List<TaskExample> examples() {
        return examples;
    }

    /** @return the candidate models, in the order given */
    public List<ModelProfile> models() {
        return models;
    }

    /** @return the score weights */
    public RoutingWeights weights() {
        return weights;
    }

    /** @return the embedding function */
    public EmbeddingFunction embedding() {
        return embedding;
    }

    /**
     * @param text a request's text
     * @return the recognised task with its probability and nearest examples
     * @throws IllegalArgumentException when the text is blank
     */
    public TaskPrediction classify(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("text must not be blank");
        }
        float[] q = normalized(embedding.embed(excerpt(text, maxChars)), "the request");
        if (q.length != vectors[0].length) {
            throw new IllegalStateException("the embedding function returned " + q.length + " values for the request but "
                    + vectors[0].length + " for the examples");
        }
        // the k most similar examples (partial selection: n is small)
        int n = vectors.length;
        int[] idx = new int[k];
        double[] sim = new double[k];
        java.util.Arrays.fill(sim, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            double s = dot(q, vectors[i]);
            if (s > sim[k - 1]) {
                int j = k - 1;
                while (j > 0 && sim[j - 1] < s) {
                    sim[j] = sim[j - 1];
                    idx[j] = idx[j - 1];
                    j--;
                }
                sim[j] = s;
                idx[j] = i;
            }
        }
        Map<String, Double> votes = new HashMap<>();
        double total = 0;
        List<TaskPrediction.Neighbour> neighbours = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            double w = Math.exp((sim[j] - sim[0]) / temperature);
            TaskExample e = examples.get(idx[j]);
            votes.merge(e.task(), w, Double::sum);
            total += w;
            neighbours.add(new TaskPrediction.Neighbour(e.task(), e.text(), sim[j]));
        }
        Map<String, Double> probs = new LinkedHashMap<>();
        double t = total;
        votes.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(en -> probs.put(en.getKey(), en.getValue() / t));
        Map.Entry<String, Double> top = probs.entrySet().iterator().next();
        return new TaskPrediction(top.getKey(), top.getValue(), probs, neighbours);
    }

    /**
     * @param text a request's text
     * @return the best model among all candidates, and why
     * @throws IllegalStateException when the router has no models
     */
    public RoutingDecision route(String text) {
        return route(text, m -> true);
    }

    /**
     * @param text a request's text; blank text is routed by the profiles alone (no task fit)
     * @param allowed which candidate models may be chosen (e.g. those an API key may use)
     * @return the best allowed model, and why
     * @throws IllegalStateException when no candidate is allowed
     */
    public RoutingDecision route(String text, Predicate<String> allowed) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(allowed, "allowed");
        long t0 = System.nanoTime();
        List<ModelProfile> cands = new ArrayList<>();
        for (ModelProfile m : models) {
            if (allowed.test(m.name())) {
                cands.add(m);
            }
        }
        if (cands.isEmpty()) {
            throw new IllegalStateException(models.isEmpty() ? "the router has no models: add ModelProfiles to its builder"
                    : "none of the router's models " + models.stream().map(ModelProfile::name).toList() + " is allowed");
        }
        TaskPrediction p = text.isBlank() ? new TaskPrediction("none", 0, Map.of(), List.of()) : classify(text);
        double maxLatency = cands.stream().mapToDouble(ModelProfile::latencyMillis).max().orElse(0);
        double maxMemory = cands.stream().mapToDouble(ModelProfile::memoryBytes).max().orElse(0);
        List<RoutingDecision.Candidate> scored = new ArrayList<>();
        for (ModelProfile m : cands) {
            double fit = 0;
            for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                fit += e.getValue() * (m.tasks().isEmpty() ? weights.generalistFit() : m.tasks().contains(e.getKey()) ? 1 : 0);
            }
            double lat = maxLatency > 0 ? m.latencyMillis() / maxLatency : 0;
            double mem = maxMemory > 0 ? m.memoryBytes() / maxMemory : 0;
            double score = weights.task() * fit + weights.quality() * m.quality() - weights.latency() * lat
                    - weights.memory() * mem;
            scored.add(new RoutingDecision.Candidate(m.name(), score, fit, m.quality(), lat, mem));
        }
        // stable sort: ties keep the order the models were given in
        scored.sort(Comparator.comparingDouble(RoutingDecision.Candidate::score).reversed());
        RoutingDecision.Candidate best = scored.get(0);
        StringBuilder why = new StringBuilder();
        if (text.isBlank()) {
            why.append("no text to recognise, picked by profile alone");
        } else {
            why.append(String.format(Locale.ROOT, "task %s (%.2f of %d nearest examples)", p.task(), p.confidence(), k));
        }
        why.append(String.format(Locale.ROOT, "; %s scores %.2f (fit %.2f, quality %.2f, latency %.2f, memory %.2f)",
                best.model(), best.score(), best.fit(), best.quality(), best.latencyCost(), best.memoryCost()));
        if (scored.size() > 1) {
            why.append(String.format(Locale.ROOT, ", next %s %.2f", scored.get(1).model(), scored.get(1).score()));
        }
        long nanos = System.nanoTime() - t0;
        LOG.debug("routed to {}: {}", best.model(), why);
        return new RoutingDecision(best.model(), p, scored, why.toString(), nanos);
    }

    /**
     * @param text any text
     * @param maxChars most characters to keep, &gt;= 16
     * @return the text itself when short enough, else its first 70% and last 30% of {@code maxChars} joined by " … "
     *     (cut at spaces where one is near)
     */
    public static String excerpt(String text, int maxChars) {
        String s = text.strip();
        if (s.length() <= maxChars) {
            return s;
        }
        int head = maxChars * 7 / 10;
        int tail = maxChars - head;
        int h = s.lastIndexOf(' ', head);
        int hEnd = h > head / 2 ? h : head;
        int t = s.indexOf(' ', s.length() - tail);
        int tStart = t >= 0 && t < s.length() - tail / 2 ? t + 1 : s.length() - tail;
        return s.substring(0, hEnd) + " … " + s.substring(tStart);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static float[] normalized(float[] v, String what) {
        if (v == null || v.length == 0) {
            throw new IllegalStateException("the embedding function returned no values for " + what);
        }
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalStateException("the embedding function returned a zero or non-finite vector for " + what);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    @Override
    public String toString() {
        return "TaskRouter[" + embedding.name() + ", " + examples.size() + " examples of " + tasks + ", k=" + k + ", models "
                + models.stream().map(ModelProfile::name).toList() + "]";
    }

    /** Builder; setters validate at once. */
    public static final class Builder {
        private final EmbeddingFunction embedding;
        private final List<TaskExample> examples = new ArrayList<>(TaskExamples.defaults());
        private int k = 7;
        private double temperature = 0.2;
        private int maxChars = 400;
        private final Map<String, ModelProfile> models = new LinkedHashMap<>();
        private RoutingWeights weights = RoutingWeights.DEFAULT;

        private Builder(EmbeddingFunction embedding) {
            this.embedding = Objects.requireNonNull(embedding, "embedding");
        }

        /** @param v false to drop the default examples (keep only those added) @return this */
        public Builder defaultExamples(boolean v) {
            examples.removeAll(TaskExamples.defaults());
            if (v) {
                examples.addAll(0, TaskExamples.defaults());
            }
            return this;
        }

        /** @param v examples to add (e.g. {@link TaskExamples#load}) @return this */
        public Builder examples(Collection<TaskExample> v) {
            Objects.requireNonNull(v, "examples").forEach(e -> examples.add(Objects.requireNonNull(e, "example")));
            return this;
        }

        /**
         * @param task a task name (new or default)
         * @param text an example request for it
         * @return this
         */
        public Builder example(String task, String text) {
            examples.add(new TaskExample(task, text));
            return this;
        }

        /** @param v neighbours that vote, 1..100 (default 7) @return this */
        public Builder k(int v) {
            if (v < 1 || v > 100) {
                throw new IllegalArgumentException("k must be in [1, 100], was " + v);
            }
            k = v;
            return this;
        }

        /** @param v vote temperature in cosine units, 0.001..10 (default 0.2; larger = closer to equal votes) @return this */
        public Builder temperature(double v) {
            if (!(v >= 0.001 && v <= 10)) {
                throw new IllegalArgumentException("temperature must be in [0.001, 10], was " + v);
            }
            temperature = v;
            return this;
        }

        /** @param v most characters of a request that are embedded, 16..100000 (default 400) @return this */
        public Builder maxChars(int v) {
            if (v < 16 || v > 100_000) {
                throw new IllegalArgumentException("maxChars must be in [16, 100000], was " + v);
            }
            maxChars = v;
            return this;
        }

        /** @param v a candidate model; names must differ @return this */
        public Builder model(ModelProfile v) {
            Objects.requireNonNull(v, "model");
            if (models.putIfAbsent(v.name(), v) != null) {
                throw new IllegalArgumentException("model '" + v.name() + "' is given twice");
            }
            return this;
        }

        /** @param v candidate models (added) @return this */
        public Builder models(Collection<ModelProfile> v) {
            Objects.requireNonNull(v, "models").forEach(this::model);
            return this;
        }

        /** @param v score weights @return this */
        public Builder weights(RoutingWeights v) {
            weights = Objects.requireNonNull(v, "weights");
            return this;
        }

        /**
         * Embeds the examples.
         *
         * @return the router
         * @throws IllegalStateException when there are no examples or the embedding function misbehaves
         */
        public TaskRouter build() {
            if (examples.isEmpty()) {
                throw new IllegalStateException("no task examples: keep the defaults or add some");
            }
            long t0 = System.nanoTime();
            List<float[]> raw = embedding.embedAll(examples.stream().map(e -> excerpt(e.text(), maxChars)).toList());
            if (raw.size() != examples.size()) {
                throw new IllegalStateException("the embedding function returned " + raw.size() + " vectors for "
                        + examples.size() + " examples");
            }
            float[][] v = new float[raw.size()][];
            for (int i = 0; i < v.length; i++) {
                v[i] = normalized(raw.get(i), "example " + (i + 1) + " ('" + examples.get(i).task() + "')");
                if (v[i].length != v[0].length) {
                    throw new IllegalStateException("the embedding function returned vectors of " + v[0].length + " and "
                            + v[i].length + " values");
                }
            }
            LOG.debug("embedded {} task examples with {} in {} ms", v.length, embedding.name(),
                    (System.nanoTime() - t0) / 1_000_000);
            return new TaskRouter(this, v);
        }
    }
}
