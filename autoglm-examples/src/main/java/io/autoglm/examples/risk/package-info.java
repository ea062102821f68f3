/**
 * The financial risk-control walk-through (issue 15): generated transactions with labelled fraud in
 * SQLite or PostgreSQL ({@link io.autoglm.examples.risk.TransactionGenerator},
 * {@link io.autoglm.examples.risk.RiskDatabase}); sliding-window features computed by the database
 * in batch and per transaction ({@link io.autoglm.examples.risk.Features}); XGBoost tuned with
 * {@code autoglm-automl}'s TPE sampler and ASHA pruner over time-ordered folds
 * ({@link io.autoglm.examples.risk.ModelTuning}) against a logistic baseline; rules with reasons
 * and SHAP contributions ({@link io.autoglm.examples.risk.RuleEngine}); case notes written by a
 * language model under a JSON grammar ({@link io.autoglm.examples.risk.CaseNotes}); drift and AUC
 * monitoring ({@link io.autoglm.examples.risk.RiskMonitor}, {@link io.autoglm.examples.risk.RiskMetrics});
 * the feedback loop ({@link io.autoglm.examples.risk.FeedbackLoop}); the online path
 * ({@link io.autoglm.examples.risk.OnlineScorer}, {@link io.autoglm.examples.risk.ScoreStream}); the
 * simulation ({@link io.autoglm.examples.risk.RiskDemo}), its report
 * ({@link io.autoglm.examples.risk.RiskReport}) and the {@code autoglm risk} command
 * ({@link io.autoglm.examples.risk.RiskCommand}).
 */
package io.autoglm.examples.risk;
