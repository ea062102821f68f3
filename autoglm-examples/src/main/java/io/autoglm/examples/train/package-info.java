/**
 * The trainer proof of the automl training helpers: softmax regression and a small MLP trained with
 * mini-batch SGD and momentum on the shared digits / breast_cancer datasets, with learning-rate
 * schedules, monitors, feedback weights, pipelines and hyperparameter tuning from {@code autoglm-automl}
 * plugged in ({@link io.autoglm.examples.train.Trainer}, the {@code autoglm train} command
 * {@link io.autoglm.examples.train.TrainCommand}, {@link io.autoglm.examples.train.AdaptiveComparison}).
 */
package io.autoglm.examples.train;
