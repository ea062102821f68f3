/**
 * Training and data monitors: {@link io.autoglm.automl.monitor.DriftDetector} (KL/PSI data drift),
 * {@link io.autoglm.automl.monitor.PredictionDriftMonitor},
 * {@link io.autoglm.automl.monitor.ExplosionDetector} (gradient explosions, NaN/Inf),
 * {@link io.autoglm.automl.monitor.PlateauDetector} (plateaus and degradation). They report
 * {@link io.autoglm.automl.monitor.MonitorEvent}s to listeners; {@link io.autoglm.automl.monitor.Actions}
 * holds ready reactions (lower the rate, restore a {@link io.autoglm.automl.monitor.LastGoodCheckpoint},
 * alert). Every event is also logged through SLF4J at warn level.
 */
package io.autoglm.automl.monitor;
