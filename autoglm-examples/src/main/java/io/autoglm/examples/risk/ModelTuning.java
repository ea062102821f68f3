package io.autoglm.examples.risk;

import io.autoglm.automl.cv.Fold;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialPrunedException;
import io.autoglm.automl.search.TrialState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Tunes the booster's hyperparameters with {@code autoglm-automl}: a (multivariate) TPE sampler, ASHA pruning over
 * boosting rounds (rungs at {@code evalEvery * 3^k} rounds for k &ge; 1, i.e. 30 and 90 rounds by
 * default; at each rung only the top third goes on), and time-ordered
 * cross-validation: the training days are cut into {@code folds + 1} consecutive blocks and fold
 * {@code k} trains on blocks {@code 0..k} and validates on block {@code k + 1}, so the future never
 * trains the past. A trial's value is the mean validation AUC over the folds after all its rounds;
 * the value after every {@code evalEvery} rounds is reported to the pruner. The tree depth is searched
 * in [2, 4]: exact SHAP values cost O(trees x leaves x depth^2) per transaction, and the online
 * latency budget (0.5 ms for 2,000 transactions a second) does not leave room for deeper trees.
 *
 * <pre>{@code
 * ModelTuning.Result r = ModelTuning.builder().trials(20).maxRounds(300).seed(1).build().tune(x, y, ts);
 * BoostedModel.Params best = r.best();
 * }</pre>
 */
public final class ModelTuning {
    private final int trials;
    private final int folds;
    private final int maxRounds;
    private final int evalEvery;
    private final long seed;
    private final int threads;

    private ModelTuning(Builder b) {
        this.trials = b.trials;
        this.folds = b.folds;
        this.maxRounds = b.maxRounds;
        this.evalEvery = b.evalEvery;
        this.seed = b.seed;
        this.threads = b.threads;
    }

    /** @return a builder: 20 trials, 3 folds, 200 rounds, evaluated every 10, seed 1, 1 thread */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The outcome.
     *
     * @param best the best parameters (with {@code maxRounds} rounds)
     * @param bestAuc its mean validation AUC
     * @param complete trials that ran to the end
     * @param pruned trials stopped by ASHA
     * @param trials every trial
     * @param folds the time-ordered folds
     */
    public record Result(BoostedModel.Params best, double bestAuc, int complete, int pruned, List<FrozenTrial> trials,
            List<Fold> folds) {
    }

    /**
     * Time-ordered folds: the rows (in time order) are cut into {@code k + 1} blocks of equal time span.
     *
     * @param ts row times, ascending
     * @param k folds, {@code >= 1}
     * @return the folds
     */
    public static List<Fold> timeOrderedFolds(long[] ts, int k) {
        Objects.requireNonNull(ts, "ts");
        for (int i = 1; i < ts.length; i++) {
            if (ts[i] < ts[i - 1]) {
                throw new IllegalArgumentException("ts must be ascending; ts[" + i + "]=" + ts[i] + " < ts[" + (i - 1) + "]="
                        + ts[i - 1]);
            }
        }
        if (ts.length < 10 * (k + 1)) {
            throw new IllegalArgumentException("need at least " + 10 * (k + 1) + " rows for " + k + " folds, had " + ts.length);
        }
        long t0 = ts[0];
        double span = (ts[ts.length - 1] + 1 - t0) / (double) (k + 1);
        int[] blockEnd = new int[k + 1];
        for (int b = 0; b <= k; b++) {
            long cut = t0 + (long) Math.ceil(span * (b + 1));
            int idx = Arrays.binarySearch(ts, cut);
            if (idx < 0) {
                idx = -idx - 1;
            } else {
                while (idx > 0 && ts[idx - 1] == cut) {
                    idx--;
                }
            }
            blockEnd[b] = b == k ? ts.length : idx;
        }
        List<Fold> out = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            int trainEnd = blockEnd[f];
            int testEnd = blockEnd[f + 1];
            out.add(new Fold(range(0, trainEnd), range(trainEnd, testEnd)));
        }
        return out;
    }

    private static int[] range(int a, int b) {
        int[] r = new int[b - a];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    private record FoldData(double[][] x, boolean[] y, DMatrix valid, boolean[] validY) {
    }

    /**
     * Runs the search.
     *
     * @param x rows in time order
     * @param y labels
     * @param ts row times, ascending
     * @param onTrial told about each finished trial (may be null)
     * @return the result
     */
    public Result tune(double[][] x, boolean[] y, long[] ts, Consumer<FrozenTrial> onTrial) {
        List<Fold> cv = timeOrderedFolds(ts, folds);
        List<FoldData> data = new ArrayList<>();
        try {
            for (Fold f : cv) {
                int[] tr = f.train();
                int[] te = f.test();
                double[][] fx = new double[tr.length][];
                boolean[] fy = new boolean[tr.length];
                for (int i = 0; i < tr.length; i++) {
                    fx[i] = x[tr[i]];
                    fy[i] = y[tr[i]];
                }
                double[][] vx = new double[te.length][];
                boolean[] vy = new boolean[te.length];
                for (int i = 0; i < te.length; i++) {
                    vx[i] = x[te[i]];
                    vy[i] = y[te[i]];
                }
                data.add(new FoldData(fx, fy, BoostedModel.matrix(vx), vy));
            }
            Study study = Study.builder().name("risk-xgboost").direction(StudyDirection.MAXIMIZE)
                    .sampler(Samplers.tpe().nStartupTrials(Math.min(5, trials)).seed(seed).build())
                    .pruner(Pruners.successiveHalving().minResource(evalEvery).reductionFactor(3).minEarlyStoppingRate(1)
                            .build())
                    .build();
            try (study) {
                for (int t = 0; t < trials; t++) {
                    study.optimize(trial -> {
                        BoostedModel.Params p = new BoostedModel.Params(
                                trial.suggestFloatLog("eta", 0.03, 0.3),
                                trial.suggestInt("max_depth", 2, 4),
                                trial.suggestFloatLog("min_child_weight", 0.5, 20),
                                trial.suggestFloat("subsample", 0.6, 1.0),
                                trial.suggestFloat("colsample_bytree", 0.5, 1.0),
                                trial.suggestFloatLog("lambda", 0.1, 10), maxRounds);
                        List<BoostedModel.Training> runs = new ArrayList<>();
                        try {
                            for (FoldData fd : data) {
                                runs.add(new BoostedModel.Training(fd.x(), fd.y(), null, p, seed, threads));
                            }
                            double auc = Double.NaN;
                            for (int r = evalEvery; r <= maxRounds; r += evalEvery) {
                                double sum = 0;
                                for (int f = 0; f < runs.size(); f++) {
                                    runs.get(f).boost(evalEvery);
                                    sum += Metrics.auc(runs.get(f).predict(data.get(f).valid()), data.get(f).validY());
                                }
                                auc = sum / runs.size();
                                trial.report(auc, r);
                                if (trial.shouldPrune()) {
                                    throw new TrialPrunedException("pruned at round " + r);
                                }
                            }
                            return auc;
                        } finally {
                            runs.forEach(BoostedModel.Training::close);
                        }
                    }, 1);
                    if (onTrial != null) {
                        onTrial.accept(study.trials().getLast());
                    }
                }
                FrozenTrial best = study.bestTrial();
                int rounds = maxRounds;
                var bp = best.params();
                BoostedModel.Params params = new BoostedModel.Params(num(bp.get("eta")), (int) num(bp.get("max_depth")),
                        num(bp.get("min_child_weight")), num(bp.get("subsample")), num(bp.get("colsample_bytree")),
                        num(bp.get("lambda")), rounds);
                int complete = study.trials(EnumSet.of(TrialState.COMPLETE)).size();
                int pruned = study.trials(EnumSet.of(TrialState.PRUNED)).size();
                return new Result(params, best.values().getFirst(), complete, pruned, study.trials(), cv);
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed during tuning: " + e.getMessage(), e);
        } finally {
            data.forEach(d -> d.valid().dispose());
        }
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private int trials = 20;
        private int folds = 3;
        private int maxRounds = 200;
        private int evalEvery = 10;
        private long seed = 1;
        private int threads = 1;

        private Builder() {
        }

        /** @param v trials, {@code >= 1} @return this */
        public Builder trials(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("trials must be >= 1, was " + v);
            }
            trials = v;
            return this;
        }

        /** @param v time-ordered folds, in [1, 10] @return this */
        public Builder folds(int v) {
            if (v < 1 || v > 10) {
                throw new IllegalArgumentException("folds must be in [1, 10], was " + v);
            }
            folds = v;
            return this;
        }

        /** @param v boosting rounds of a full trial, {@code >= 10} @return this */
        public Builder maxRounds(int v) {
            if (v < 10) {
                throw new IllegalArgumentException("maxRounds must be >= 10, was " + v);
            }
            maxRounds = v;
            return this;
        }

        /** @param v rounds between evaluations (ASHA's minimum resource), {@code >= 1} @return this */
        public Builder evalEvery(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("evalEvery must be >= 1, was " + v);
            }
            evalEvery = v;
            return this;
        }

        /** @param v seed of the sampler and of XGBoost @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v XGBoost threads, {@code >= 1} @return this */
        public Builder threads(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + v);
            }
            threads = v;
            return this;
        }

        /** @return the tuner */
        public ModelTuning build() {
            if (maxRounds < evalEvery) {
                throw new IllegalArgumentException("maxRounds must be >= evalEvery=" + evalEvery + ", was " + maxRounds);
            }
            return new ModelTuning(this);
        }
    }
}
