/**
 * Define-by-run hyperparameter search: {@link io.autoglm.automl.search.Study} (built by
 * {@link io.autoglm.automl.search.Study#builder()}), {@link io.autoglm.automl.search.Trial}, the samplers
 * (from {@link io.autoglm.automl.search.Samplers}: TPE, Gaussian process, random, grid), the pruners (from
 * {@link io.autoglm.automl.search.Pruners}), and {@link io.autoglm.automl.search.KnownTrial} for results
 * obtained elsewhere. Samplers and pruners are all built the same way, {@code Samplers.kind()...build()} and
 * {@code Pruners.kind()...build()}; every sampler takes a seed.
 *
 * <pre>{@code
 * Study study = Study.builder().name("lr-search").direction(StudyDirection.MINIMIZE)
 *         .sampler(Samplers.tpe().seed(42).build())
 *         .pruner(Pruners.successiveHalving().minResource(1).reductionFactor(3).build())
 *         .build();
 * study.optimize(trial -> {
 *     double lr = trial.suggestFloatLog("lr", 1e-5, 1e-1);
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
 * int bestLayers = study.bestTrial().intParam("layers");
 * }</pre>
 */
package io.autoglm.automl.search;
