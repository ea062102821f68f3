package io.autoglm.examples.risk;

import io.autoglm.automl.feedback.FeedbackWeights;
import io.autoglm.automl.pipeline.Pipeline;
import io.autoglm.automl.pipeline.PipelineResult;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The feedback loop's retraining run, an {@code autoglm-automl} {@link Pipeline}:
 * <ol>
 *   <li>{@code collect}: labelled rows of the recent past (analysts' labels from the review queue,
 *       chargebacks, older confirmed labels) and a hold-out of the most recent days;</li>
 *   <li>{@code weight}: {@link FeedbackWeights}: a row an analyst labelled gets the signal +2 and a row
 *       of the last {@code recentDays} the signal +1 (rate 1, bounds [0.2, 5], mean 1), so verified
 *       and recent behaviour count more;</li>
 *   <li>{@code train} (up to 2 attempts): the booster with the tuned parameters and the logistic
 *       baseline, both with those sample weights;</li>
 *   <li>{@code evaluate}: candidate and current model on the hold-out.</li>
 * </ol>
 * The candidate is promoted only if its hold-out AUC beats the current model's by more than
 * {@code minGain}. Otherwise the caller may take the hold-out, scored by the current model, as the
 * monitor's new reference: the drift has been looked at and the model held its own on it.
 */
public final class FeedbackLoop {
    private final BoostedModel.Params params;
    private final long seed;
    private final int threads;
    private final double minGain;
    private final double recentDays;

    /**
     * Labelled data of one retraining run.
     *
     * @param x training rows
     * @param y their labels
     * @param analystLabelled whether an analyst labelled each row
     * @param ts their times
     * @param holdoutX hold-out rows (the most recent, never trained on)
     * @param holdoutY their labels
     * @param holdoutTs their times
     */
    public record Data(double[][] x, boolean[] y, boolean[] analystLabelled, long[] ts, double[][] holdoutX,
            boolean[] holdoutY, long[] holdoutTs) {
    }

    /**
     * What a run produced.
     *
     * @param candidate the new models (the caller owns them; close them if not promoted), or null when the run
     *     failed
     * @param candidateAuc the candidate's hold-out AUC
     * @param currentAuc the current model's hold-out AUC
     * @param promote whether the candidate should serve
     * @param holdoutScores the candidate's hold-out scores (the new monitoring reference when promoted)
     * @param currentHoldoutScores the current model's hold-out scores (the new reference when it stays)
     * @param reportJson the pipeline's report
     * @param data the data it used
     */
    public record Outcome(ModelPair candidate, double candidateAuc, double currentAuc, boolean promote,
            double[] holdoutScores, double[] currentHoldoutScores, String reportJson, Data data) {
    }

    private record Weighted(Data data, double[] weights) {
    }

    private record Trained(Data data, ModelPair models) {
    }

    /**
     * @param params booster parameters (from tuning)
     * @param seed XGBoost seed
     * @param threads XGBoost threads
     * @param minGain AUC gain the candidate needs over the current model, {@code >= 0}
     * @param recentDays rows younger than this many days before the hold-out get the recency signal
     */
    public FeedbackLoop(BoostedModel.Params params, long seed, int threads, double minGain, double recentDays) {
        this.params = Objects.requireNonNull(params, "params");
        if (!(minGain >= 0)) {
            throw new IllegalArgumentException("minGain must be >= 0, was " + minGain);
        }
        this.seed = seed;
        this.threads = threads;
        this.minGain = minGain;
        this.recentDays = recentDays;
    }

    /**
     * Runs one retraining.
     *
     * @param collect supplies the labelled data
     * @param current the serving models
     * @return the outcome (candidate null when a stage failed; the report says which)
     */
    public Outcome retrain(Supplier<Data> collect, ModelPair current) {
        Pipeline<Supplier<Data>, Outcome> p = Pipeline.<Supplier<Data>>builder("risk-retrain")
                .stage("collect", (s, ctx) -> {
                    Data d = s.get();
                    if (d.x().length == 0 || d.holdoutX().length == 0) {
                        throw new IllegalStateException("no labelled rows to train or evaluate on");
                    }
                    return d;
                })
                .stage("weight", (d, ctx) -> {
                    FeedbackWeights w = FeedbackWeights.builder(d.x().length).rate(1).bounds(0.2, 5).build();
                    long recentFrom = d.holdoutTs()[0] - (long) (recentDays * Features.DAY);
                    int[] idx = new int[d.x().length];
                    double[] signal = new double[d.x().length];
                    for (int i = 0; i < idx.length; i++) {
                        idx[i] = i;
                        signal[i] = (d.analystLabelled()[i] ? 2 : 0) + (d.ts()[i] >= recentFrom ? 1 : 0);
                    }
                    w.update(idx, signal);
                    return new Weighted(d, w.weights());
                })
                .stage("train", 2, (wd, ctx) -> {
                    BoostedModel b = BoostedModel.train(wd.data().x(), wd.data().y(), wd.weights(), params, seed, threads);
                    LogisticModel l = LogisticModel.fit(wd.data().x(), wd.data().y(), wd.weights(), 1.0);
                    return new Trained(wd.data(), new ModelPair(b, l));
                })
                .stage("evaluate", (t, ctx) -> {
                    double[] cand = t.models().booster().scores(t.data().holdoutX());
                    double[] cur = current.booster().scores(t.data().holdoutX());
                    double ca = Metrics.auc(cand, t.data().holdoutY());
                    double cu = Metrics.auc(cur, t.data().holdoutY());
                    boolean promote = !Double.isNaN(ca) && (Double.isNaN(cu) || ca > cu + minGain);
                    return new Outcome(t.models(), ca, cu, promote, cand, cur, null, t.data());
                })
                .build();
        PipelineResult<Outcome> r = p.run(collect);
        String report = r.report().toJson();
        if (!r.succeeded()) {
            return new Outcome(null, Double.NaN, Double.NaN, false, new double[0], new double[0], report, null);
        }
        Outcome o = r.output();
        return new Outcome(o.candidate(), o.candidateAuc(), o.currentAuc(), o.promote(), o.holdoutScores(),
                o.currentHoldoutScores(), report, o.data());
    }
}
