/** Feedback-driven per-sample weights: {@link io.autoglm.automl.feedback.FeedbackWeights}. */
package io.autoglm.automl.feedback;
