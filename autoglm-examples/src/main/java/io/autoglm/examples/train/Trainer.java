package io.autoglm.examples.train;

import io.autoglm.automl.feedback.FeedbackWeights;
import io.autoglm.automl.lr.GradientVarianceAdaptive;
import io.autoglm.automl.lr.LearningRateSchedule;
import io.autoglm.automl.lr.LearningRateSchedules;
import io.autoglm.automl.lr.ReduceLROnPlateau;
import io.autoglm.automl.monitor.Actions;
import io.autoglm.automl.monitor.ExplosionDetector;
import io.autoglm.automl.monitor.LastGoodCheckpoint;
import io.autoglm.automl.monitor.MonitorEvent;
import io.autoglm.automl.monitor.PlateauDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Mini-batch SGD with momentum ({@code v = mu v + g; theta -= lr v}) for {@link Model}s, with an
 * automl learning-rate schedule and monitors plugged in: an {@link ExplosionDetector} on every
 * gradient norm and a {@link PlateauDetector} on every validation loss. With {@code recover} on, an
 * explosion skips the update, restores the last good checkpoint (taken at the start and at the end of
 * every epoch whose parameters and validation loss are finite, with a validation loss within 1.5x the
 * best so far) and multiplies the rate by 0.1 (not below 1e-4 x the initial rate). Deterministic for a given seed.
 */
public final class Trainer {
    private Trainer() {
    }

    /** The schedules the trainer knows. */
    public enum Schedule {
        /** Constant rate. */
        CONSTANT,
        /** x0.1 after each third of the epochs. */
        STEP,
        /** One epoch of linear warm-up from 0.1x, then cosine annealing to 0 over the remaining epochs. */
        COSINE,
        /** One-cycle with the rate as the peak. */
        ONECYCLE,
        /** Reduce-on-plateau on the validation loss, patience 3 (PyTorch defaults otherwise). */
        PLATEAU,
        /** Gradient-variance adaptive, defaults of {@link GradientVarianceAdaptive}. */
        ADAPTIVE
    }

    /**
     * Run settings.
     *
     * @param model {@code softmax} or {@code mlp}
     * @param schedule the schedule
     * @param lr the (initial / peak) learning rate, {@code > 0}
     * @param epochs epochs, {@code > 0}
     * @param seed seed of the split's shuffle is separate; this one seeds initialisation and batch order
     * @param batchSize mini-batch size
     * @param momentum momentum in [0, 1)
     * @param hidden hidden units of the MLP
     * @param recover whether explosions trigger restore + lower LR (otherwise they are only reported)
     * @param feedbackRate 0 for uniform sample weights; otherwise the rate of {@link FeedbackWeights} fed with
     *     each sample's loss minus its batch's mean loss after every batch (hard samples gain weight)
     */
    public record Config(String model, Schedule schedule, double lr, int epochs, long seed, int batchSize,
            double momentum, int hidden, boolean recover, double feedbackRate) {

        /** Validates. */
        public Config {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(schedule, "schedule");
            if (!model.equals("softmax") && !model.equals("mlp")) {
                throw new IllegalArgumentException("model must be softmax or mlp, was " + model);
            }
            if (!(lr > 0 && Double.isFinite(lr))) {
                throw new IllegalArgumentException("lr must be finite and > 0, was " + lr);
            }
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be > 0, was " + epochs);
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
            }
            if (hidden <= 0) {
                throw new IllegalArgumentException("hidden must be > 0, was " + hidden);
            }
            if (!(feedbackRate >= 0 && Double.isFinite(feedbackRate))) {
                throw new IllegalArgumentException("feedbackRate must be finite and >= 0, was " + feedbackRate);
            }
        }

        /**
         * @param model softmax or mlp
         * @param schedule schedule
         * @param lr learning rate
         * @param epochs epochs
         * @param seed seed
         * @return a config with batch 32, momentum 0.9, 64 hidden units, recovery and feedback off
         */
        public static Config of(String model, Schedule schedule, double lr, int epochs, long seed) {
            return new Config(model, schedule, lr, epochs, seed, 32, 0.9, 64, false, 0);
        }

        /** @param on recovery on/off @return a copy */
        public Config withRecover(boolean on) {
            return new Config(model, schedule, lr, epochs, seed, batchSize, momentum, hidden, on, feedbackRate);
        }

        /** @param rate feedback-weighting rate, 0 for off @return a copy */
        public Config withFeedback(double rate) {
            return new Config(model, schedule, lr, epochs, seed, batchSize, momentum, hidden, recover, rate);
        }
    }

    /**
     * One epoch's numbers.
     *
     * @param epoch 1-based epoch
     * @param trainLoss mean training loss over the epoch's batches (NaN if any was NaN)
     * @param valLoss validation loss after the epoch
     * @param valAccuracy validation accuracy after the epoch
     * @param lr the learning rate at the end of the epoch
     * @param events monitor events of the epoch
     */
    public record EpochStats(int epoch, double trainLoss, double valLoss, double valAccuracy, double lr,
            List<MonitorEvent> events) {
        /** Copies the list. */
        public EpochStats {
            events = List.copyOf(events);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "epoch %3d  train_loss %.4f  val_loss %.4f  val_acc %.4f  lr %.6g%s",
                    epoch, trainLoss, valLoss, valAccuracy, lr, events.isEmpty() ? "" : "  events " + events.size());
        }
    }

    /**
     * A finished run.
     *
     * @param config the settings
     * @param epochs per-epoch numbers
     * @param explosions explosion events (non-finite or beyond k x median gradient norms)
     * @param restores checkpoint restores done
     * @param sampleWeights the final per-training-row weights (all 1 without feedback)
     * @param model the trained model
     */
    public record Result(Config config, List<EpochStats> epochs, long explosions, int restores,
            double[] sampleWeights, Model model) {
        /** Copies the list. */
        public Result {
            epochs = List.copyOf(epochs);
        }

        /** @return the last epoch's numbers */
        public EpochStats last() {
            return epochs.getLast();
        }
    }

    static LearningRateSchedule schedule(Config c, int stepsPerEpoch) {
        long total = (long) stepsPerEpoch * c.epochs();
        return switch (c.schedule()) {
            case CONSTANT -> LearningRateSchedules.constant(c.lr());
            case STEP -> LearningRateSchedules.step(c.lr(), Math.max(1, total / 3), 0.1);
            case COSINE -> c.epochs() < 2
                    ? LearningRateSchedules.cosineWarmRestarts(c.lr(), total, 1, 0)
                    : LearningRateSchedules.warmup(LearningRateSchedules.cosineWarmRestarts(c.lr(),
                            total - stepsPerEpoch, 1, 0), stepsPerEpoch, 0.1);
            case ONECYCLE -> LearningRateSchedules.oneCycle(c.lr(), Math.max(2, total));
            case PLATEAU -> ReduceLROnPlateau.builder(c.lr()).patience(3).build();
            case ADAPTIVE -> GradientVarianceAdaptive.builder(c.lr()).build();
        };
    }

    private static boolean allFinite(double[] p) {
        for (double v : p) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Trains a fresh model.
     *
     * @param split standardised train/validation data
     * @param c settings
     * @param onEpoch called after every epoch (may be a no-op)
     * @return the run's numbers
     */
    public static Result train(Dataset.Split split, Config c, Consumer<EpochStats> onEpoch) {
        Dataset train = split.train();
        Dataset val = split.val();
        if (train.features() != val.features()) {
            throw new IllegalArgumentException("train has " + train.features() + " features, validation "
                    + val.features());
        }
        int classes = Math.max(train.classes(), val.classes());
        Model model = c.model().equals("mlp")
                ? Model.mlp(train.features(), c.hidden(), classes, c.seed())
                : Model.softmax(train.features(), classes, c.seed());
        double[] p = model.parameters();
        double[] v = new double[p.length];
        double[] g = new double[p.length];
        int n = train.size();
        int stepsPerEpoch = (n + c.batchSize() - 1) / c.batchSize();
        LearningRateSchedule lr = schedule(c, stepsPerEpoch);

        List<MonitorEvent> epochEvents = new ArrayList<>();
        ExplosionDetector explosion = ExplosionDetector.builder().factor(10).minSamples(5).aboveWindowMax(2).build();
        explosion.addListener(epochEvents::add);
        LastGoodCheckpoint<double[]> checkpoint = new LastGoodCheckpoint<>(p::clone, saved -> {
            System.arraycopy(saved, 0, p, 0, p.length);
            Arrays.fill(v, 0);
        });
        checkpoint.save();
        double bestVal = model.evaluate(val).loss();
        if (c.recover()) {
            explosion.addListener(Actions.all(Actions.restoreCheckpoint(checkpoint),
                    Actions.lowerLearningRate(lr, 0.1, c.lr() * 1e-4)));
        }
        PlateauDetector plateau = PlateauDetector.builder().patience(5).degradationRuns(3).build();
        plateau.addListener(epochEvents::add);

        FeedbackWeights feedback = FeedbackWeights.builder(n).rate(c.feedbackRate()).bounds(0.2, 5).build();
        double[] weights = c.feedbackRate() > 0 ? feedback.weights() : null;
        double[] losses = new double[c.batchSize()];
        int[] batchRows = new int[c.batchSize()];
        double[] signals = new double[c.batchSize()];
        Random rnd = new Random(c.seed() * 31 + 7);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<EpochStats> stats = new ArrayList<>();
        long step = 0;
        for (int epoch = 1; epoch <= c.epochs(); epoch++) {
            epochEvents.clear();
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < n; from += c.batchSize()) {
                int to = Math.min(n, from + c.batchSize());
                double loss = model.lossAndGradient(train.x(), train.y(), order, from, to, g, weights, losses);
                double sq = 0;
                for (double gi : g) {
                    sq += gi * gi;
                }
                double norm = Math.sqrt(sq);
                boolean ok = explosion.observe(step, norm);
                if (!Double.isFinite(loss) && ok) {
                    epochEvents.add(new MonitorEvent(MonitorEvent.Type.NON_FINITE_LOSS, step, loss,
                            "non-finite training loss " + loss, java.util.Map.of()));
                }
                lossSum += loss;
                batches++;
                if (ok || !c.recover()) {
                    double rate = lr.learningRate();
                    for (int i = 0; i < p.length; i++) {
                        v[i] = c.momentum() * v[i] + g[i];
                        p[i] -= rate * v[i];
                    }
                    if (Double.isFinite(norm)) {
                        lr.reportGradientNorm(norm);
                    }
                }
                if (weights != null && Double.isFinite(loss)) {
                    int m = to - from;
                    double mean = 0;
                    for (int i = 0; i < m; i++) {
                        mean += losses[i];
                    }
                    mean /= m;
                    boolean finite = Double.isFinite(mean);
                    for (int i = 0; i < m; i++) {
                        batchRows[i] = order[from + i];
                        signals[i] = losses[i] - mean;
                    }
                    if (finite) {
                        feedback.update(Arrays.copyOf(batchRows, m), Arrays.copyOf(signals, m));
                        weights = feedback.weights();
                    }
                }
                lr.step();
                step++;
            }
            Model.Evaluation ev = model.evaluate(val);
            plateau.observe(ev.loss());
            if (Double.isFinite(ev.loss())) {
                lr.reportMetric(ev.loss());
            }
            // a checkpoint is "good" when its parameters are finite and its validation loss is finite and
            // within 1.5x the best seen (an epoch that survived an explosion can still end in a bad place)
            if (Double.isFinite(ev.loss()) && ev.loss() <= 1.5 * bestVal && allFinite(p)) {
                checkpoint.save();
                bestVal = Math.min(bestVal, ev.loss());
            }
            EpochStats s = new EpochStats(epoch, lossSum / batches, ev.loss(), ev.accuracy(), lr.learningRate(),
                    epochEvents);
            stats.add(s);
            onEpoch.accept(s);
        }
        return new Result(c, stats, explosion.explosions(), checkpoint.restores(), feedback.weights(), model);
    }
}
