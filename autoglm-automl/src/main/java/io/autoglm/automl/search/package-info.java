/**
 * Define-by-run hyperparameter search: {@link io.autoglm.automl.search.Study} (built by
 * {@link io.autoglm.automl.search.Study#builder()}), {@link io.autoglm.automl.search.Trial}, the samplers
 * ({@link io.autoglm.automl.search.RandomSampler}, {@link io.autoglm.automl.search.GridSampler},
 * {@link io.autoglm.automl.search.TpeSampler}, {@link io.autoglm.automl.search.GpSampler}) and the pruners
 * ({@link io.autoglm.automl.search.Pruners}).
 *
 * <pre>{@code
 * Study study = Study.builder().name("lr-search").direction(StudyDirection.MINIMIZE)
 *         .sampler(TpeSampler.builder().build()).pruner(Pruners.successiveHalving(1, 3, 0)).seed(42).build();
 * study.optimize(trial -> {
 *     double lr = trial.suggestFloat("lr", 1e-5, 1e-1, true);
 *     int layers = trial.suggestInt("layers", 1, 4);
 *     double loss = Double.NaN;
 *     for (int epoch = 0; epoch < 20; epoch++) {
 *         loss = trainOneEpoch(lr, layers);
 *         trial.report(loss, epoch);
 *         if (trial.shouldPrune()) {
 *             throw new TrialPrunedException();
 *         }
 *     }
 *     return loss;
 * }, 100, Duration.ofHours(1), 2);
 * System.out.println(study.bestParams());
 * }</pre>
 */
package io.autoglm.automl.search;
