package io.autoglm.examples.train;

import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialPrunedException;
import io.autoglm.automl.search.TrialState;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Hyperparameter tuning of the {@link Trainer} through the automl {@link Study} API: TPE over the
 * learning rate (log scale, 1e-4..1), the momentum (0..0.95) and, for the MLP, the hidden width
 * (16..128, log), maximising the final validation accuracy. Every epoch reports the validation
 * accuracy to the trial; a median pruner (3 startup trials, 2 warm-up epochs) stops trials that trail
 * the median of the completed ones.
 */
public final class MlpTuning {
    private MlpTuning() {
    }

    /**
     * Outcome of a tuning run.
     *
     * @param bestAccuracy best final validation accuracy
     * @param bestParams its parameters
     * @param complete trials that ran all epochs
     * @param pruned trials stopped early by the pruner
     * @param studyJson the study as JSON (every trial)
     */
    public record Outcome(double bestAccuracy, Map<String, Object> bestParams, int complete, int pruned,
            String studyJson) {
    }

    /**
     * @param split standardised data
     * @param model softmax or mlp
     * @param schedule the schedule every trial uses
     * @param trials number of trials, {@code > 0}
     * @param epochs epochs per trial, {@code > 0}
     * @param seed seed of the sampler and of every trial's training
     * @param onTrial called after each finished trial (may be a no-op)
     * @return the outcome
     */
    public static Outcome tune(Dataset.Split split, String model, Trainer.Schedule schedule, int trials, int epochs,
            long seed, Consumer<FrozenTrial> onTrial) {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(onTrial, "onTrial");
        if (trials <= 0) {
            throw new IllegalArgumentException("trials must be > 0, was " + trials);
        }
        try (Study study = Study.builder().name("train-" + model + "-" + schedule).direction(StudyDirection.MAXIMIZE)
                .sampler(Samplers.tpe().multivariate(false).nStartupTrials(Math.min(5, trials)).seed(seed).build())
                .pruner(Pruners.median().nStartupTrials(3).nWarmupSteps(2).build()).build()) {
            for (int i = 0; i < trials; i++) {
                study.optimize(t -> {
                    double lr = t.suggestFloatLog("lr", 1e-4, 1.0);
                    double momentum = t.suggestFloat("momentum", 0.0, 0.95);
                    int hidden = model.equals("mlp") ? t.suggestIntLog("hidden", 16, 128) : 64;
                    Trainer.Config cfg = new Trainer.Config(model, schedule, lr, epochs, seed, 32, momentum, hidden,
                            false, 0);
                    Trainer.Result r = Trainer.train(split, cfg, s -> {
                        double acc = s.valAccuracy();
                        t.report(acc, s.epoch());
                        if (t.shouldPrune()) {
                            throw new TrialPrunedException("pruned at epoch " + s.epoch() + " with val accuracy "
                                    + acc);
                        }
                    });
                    return r.last().valAccuracy();
                }, 1);
                onTrial.accept(study.trials().getLast());
            }
            int complete = study.trials(EnumSet.of(TrialState.COMPLETE)).size();
            int pruned = study.trials(EnumSet.of(TrialState.PRUNED)).size();
            return new Outcome(study.bestValue(), study.bestParams(), complete, pruned, study.toJson());
        }
    }
}
