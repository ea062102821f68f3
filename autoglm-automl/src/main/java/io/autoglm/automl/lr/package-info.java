/**
 * Learning-rate schedules behind one interface, {@link io.autoglm.automl.lr.LearningRateSchedule}:
 * constant, step, exponential, cosine with warm restarts, linear warm-up, one-cycle,
 * reduce-on-plateau and the gradient-variance adaptive schedule. Build them with
 * {@link io.autoglm.automl.lr.LearningRateSchedules}.
 */
package io.autoglm.automl.lr;
