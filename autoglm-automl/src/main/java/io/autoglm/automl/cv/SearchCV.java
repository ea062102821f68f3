package io.autoglm.automl.cv;

import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.GridSampler;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Sampler;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.Trial;
import io.autoglm.automl.search.TrialState;
import io.autoglm.automl.storage.Storage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Randomized or grid search of a {@link Learner}'s hyperparameters scored by cross-validation, as
 * scikit-learn's RandomizedSearchCV and GridSearchCV. Each candidate is one trial of a maximising
 * {@link Study}; its value is the mean fold score, and the fold scores are stored as the user
 * attribute {@code fold_scores}. Any {@link Sampler} (TPE, GP) can replace random sampling, and a
 * shared {@link Storage} makes the search resumable and distributable.
 *
 * <pre>{@code
 * SearchCV.Result<Model> r = SearchCV.builder(learner)
 *         .data(x, y)
 *         .folds(Folds.stratifiedKFold(y, 5, true, 1))
 *         .param("k", Distributions.ofInt(1, 30))
 *         .param("metric", Distributions.ofCategorical(List.of("l1", "l2")))
 *         .iterations(40).seed(7)
 *         .build().run();
 * r.bestParams(); r.bestScore(); r.bestModel();
 * }</pre>
 *
 * @param <M> the learner's model type
 */
public final class SearchCV<M> {
    private final Builder<M> b;

    private SearchCV(Builder<M> b) {
        this.b = b;
    }

    /**
     * @param learner the learner to tune
     * @param <M> its model type
     * @return a builder
     */
    public static <M> Builder<M> builder(Learner<M> learner) {
        return new Builder<>(learner);
    }

    /**
     * One evaluated candidate.
     *
     * @param number trial number
     * @param params hyperparameters as the learner saw them
     * @param meanScore mean of the fold scores
     * @param stdScore population standard deviation of the fold scores
     * @param foldScores score of each fold
     */
    public record Candidate(int number, Map<String, Object> params, double meanScore, double stdScore, List<Double> foldScores) {
        /** Copies. */
        public Candidate {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            foldScores = List.copyOf(foldScores);
        }
    }

    /**
     * The outcome of a search.
     *
     * @param best the best candidate
     * @param candidates every successfully evaluated candidate, by trial number
     * @param failed number of candidates whose fit or score failed
     * @param bestModel the learner refitted on all rows with the best parameters, when refit is on
     * @param <M> model type
     */
    public record Result<M>(Candidate best, List<Candidate> candidates, int failed, Optional<M> bestModel) {
        /** Copies. */
        public Result {
            Objects.requireNonNull(best, "best");
            candidates = List.copyOf(candidates);
            Objects.requireNonNull(bestModel, "bestModel");
        }

        /** @return the best candidate's parameters */
        public Map<String, Object> bestParams() {
            return best.params();
        }

        /** @return the best mean cross-validation score */
        public double bestScore() {
            return best.meanScore();
        }
    }

    /**
     * Runs the search.
     *
     * @return the result
     * @throws AutoMLException when every candidate failed (the message carries the first failure)
     */
    public Result<M> run() {
        Map<Integer, Map<String, Object>> seen = new ConcurrentHashMap<>();
        int nTrials;
        Sampler sampler;
        if (b.grid != null) {
            GridSampler g = Samplers.grid().params(b.grid).seed(b.seed).build();
            sampler = g;
            nTrials = g.size();
        } else {
            sampler = b.sampler != null ? b.sampler : Samplers.random().seed(b.seed).build();
            nTrials = b.iterations;
        }
        Study.Builder sb = Study.builder().direction(StudyDirection.MAXIMIZE).sampler(sampler).pruner(Pruners.none().build());
        if (b.storage != null) {
            sb.storage(b.storage).loadIfExists(true);
        }
        if (b.studyName != null) {
            sb.name(b.studyName);
        }
        List<FrozenTrial> trials;
        try (Study study = sb.build()) {
            study.optimize(trial -> {
                Map<String, Object> params = suggest(trial);
                seen.put(trial.number(), params);
                double[] scores = CrossValidation.scores(b.learner, b.x, b.y, b.folds, params);
                List<Double> list = new ArrayList<>();
                for (double s : scores) {
                    list.add(s);
                }
                trial.setUserAttr("fold_scores", list);
                trial.setUserAttr("std_score", std(scores));
                return mean(scores);
            }, nTrials, null, b.parallelism);
            trials = study.trials();
        }
        List<Candidate> candidates = new ArrayList<>();
        int failed = 0;
        String firstFailure = null;
        for (FrozenTrial t : trials) {
            if (!seen.containsKey(t.number())) {
                continue; // a trial of an earlier run in a shared storage
            }
            if (t.state() == TrialState.COMPLETE) {
                @SuppressWarnings("unchecked")
                List<Number> folds = (List<Number>) t.userAttrs().get("fold_scores");
                candidates.add(new Candidate(t.number(), seen.get(t.number()), t.value(),
                        ((Number) t.userAttrs().get("std_score")).doubleValue(), folds.stream().map(Number::doubleValue).toList()));
            } else {
                failed++;
                if (firstFailure == null) {
                    firstFailure = String.valueOf(t.systemAttrs().get("fail_reason"));
                }
            }
        }
        if (candidates.isEmpty()) {
            throw new AutoMLException("all " + failed + " candidates failed; first failure: " + firstFailure);
        }
        Candidate best = candidates.stream().max(Comparator.comparingDouble(Candidate::meanScore)
                .thenComparing(Comparator.comparingInt(Candidate::number).reversed())).orElseThrow();
        Optional<M> model = Optional.empty();
        if (b.refit) {
            try {
                model = Optional.of(b.learner.fit(b.x, b.y, best.params()));
            } catch (Exception e) {
                throw new AutoMLException("refitting the best candidate " + best.params() + " on all rows failed: " + e, e);
            }
        }
        return new Result<>(best, candidates, failed, model);
    }

    private Map<String, Object> suggest(Trial trial) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (b.grid != null) {
            b.grid.forEach((name, values) -> params.put(name, trial.suggestCategorical(name, values)));
            return params;
        }
        b.space.forEach((name, d) -> params.put(name, switch (d) {
            case Distribution.FloatDistribution f -> f.step() != null ? trial.suggestFloatStep(name, f.low(), f.high(), f.step())
                    : f.log() ? trial.suggestFloatLog(name, f.low(), f.high()) : trial.suggestFloat(name, f.low(), f.high());
            case Distribution.IntDistribution i -> i.log() ? trial.suggestIntLog(name, i.low(), i.high())
                    : trial.suggestIntStep(name, i.low(), i.high(), i.step());
            case Distribution.CategoricalDistribution c -> trial.suggestCategorical(name, c.choices());
        }));
        return params;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    static double std(double[] a) {
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / a.length);
    }

    /**
     * Configures a search. Either a random space ({@link #param}) or a grid ({@link #grid}) is required.
     *
     * @param <M> model type
     */
    public static final class Builder<M> {
        private final Learner<M> learner;
        private double[][] x;
        private double[] y;
        private List<Fold> folds;
        private final Map<String, Distribution> space = new LinkedHashMap<>();
        private Map<String, List<Object>> grid;
        private int iterations = 20;
        private long seed;
        private Sampler sampler;
        private int parallelism = 1;
        private boolean refit = true;
        private Storage storage;
        private String studyName;

        private Builder(Learner<M> learner) {
            this.learner = Objects.requireNonNull(learner, "learner");
        }

        /**
         * @param x rows (not copied; do not modify during the search)
         * @param y targets, one per row
         * @return this
         */
        public Builder<M> data(double[][] x, double[] y) {
            CrossValidation.checkData(x, y);
            this.x = x;
            this.y = y;
            return this;
        }

        /** @param folds the cross-validation folds (default: 5-fold, shuffled with the seed) @return this */
        public Builder<M> folds(List<Fold> folds) {
            Objects.requireNonNull(folds, "folds");
            if (folds.isEmpty()) {
                throw new IllegalArgumentException("folds must not be empty");
            }
            this.folds = List.copyOf(folds);
            return this;
        }

        /**
         * Adds a parameter of the randomized search.
         *
         * @param name parameter name
         * @param distribution where it is drawn from (see {@link io.autoglm.automl.search.Distributions})
         * @return this
         */
        public Builder<M> param(String name, Distribution distribution) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(distribution, "distribution");
            if (grid != null) {
                throw new IllegalStateException("a search has either a grid or a random space, not both");
            }
            space.put(name, distribution);
            return this;
        }

        /**
         * Sets an exhaustive grid: every combination of the values is evaluated once.
         *
         * @param grid parameter name to its values (non-empty lists of strings, numbers, booleans)
         * @return this
         */
        public Builder<M> grid(Map<String, ? extends List<?>> grid) {
            Objects.requireNonNull(grid, "grid");
            if (!space.isEmpty()) {
                throw new IllegalStateException("a search has either a grid or a random space, not both");
            }
            if (grid.isEmpty()) {
                throw new IllegalArgumentException("grid must have at least one parameter");
            }
            Map<String, List<Object>> g = new LinkedHashMap<>();
            grid.forEach((k, v) -> {
                Objects.requireNonNull(k, "grid parameter name");
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("grid values of '" + k + "' must not be empty");
                }
                new Distribution.CategoricalDistribution(new ArrayList<>(v)); // validates the value types
                g.put(k, new ArrayList<>(v));
            });
            this.grid = g;
            return this;
        }

        /** @param n candidates of a randomized search, &gt;= 1 (default 20) @return this */
        public Builder<M> iterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("iterations must be >= 1, was " + n);
            }
            this.iterations = n;
            return this;
        }

        /**
         * @param seed seed of the default random or grid sampler and of the default folds (default 0); a sampler
         *     given to {@link #sampler(Sampler)} keeps its own seed
         * @return this
         */
        public Builder<M> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param sampler replaces random sampling in a randomized search (for example TPE) @return this */
        public Builder<M> sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        /** @param threads candidates evaluated at once, &gt;= 1 (default 1) @return this */
        public Builder<M> parallelism(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1, was " + threads);
            }
            this.parallelism = threads;
            return this;
        }

        /** @param refit refit the best candidate on all rows (default true) @return this */
        public Builder<M> refit(boolean refit) {
            this.refit = refit;
            return this;
        }

        /**
         * Records the search in a storage as the named study (resumed when it exists).
         *
         * @param storage the storage (not closed by the search)
         * @param studyName the study name
         * @return this
         */
        public Builder<M> storage(Storage storage, String studyName) {
            this.storage = Objects.requireNonNull(storage, "storage");
            this.studyName = Objects.requireNonNull(studyName, "studyName");
            return this;
        }

        /**
         * @return the search
         * @throws IllegalStateException when data or the search space is missing
         */
        public SearchCV<M> build() {
            if (x == null) {
                throw new IllegalStateException("data(x, y) is required");
            }
            if (grid == null && space.isEmpty()) {
                throw new IllegalStateException("param(...) or grid(...) is required");
            }
            if (grid != null && sampler != null) {
                throw new IllegalStateException("a grid search has its own sampler; sampler(...) is for randomized searches");
            }
            if (folds == null) {
                folds = Folds.kFold(x.length, Math.min(5, x.length), true, seed);
            }
            CrossValidation.checkFolds(folds, x.length);
            Builder<M> copy = new Builder<>(learner);
            copy.x = x;
            copy.y = y;
            copy.folds = folds;
            copy.space.putAll(space);
            copy.grid = grid == null ? null : new LinkedHashMap<>(grid);
            copy.iterations = iterations;
            copy.seed = seed;
            copy.sampler = sampler;
            copy.parallelism = parallelism;
            copy.refit = refit;
            copy.storage = storage;
            copy.studyName = studyName;
            return new SearchCV<>(copy);
        }
    }

}
