/**
 * Typed multi-stage pipelines (preprocess -> train -> evaluate) with timing, retries, cancellation
 * and a JSON report: {@link io.autoglm.automl.pipeline.Pipeline}.
 */
package io.autoglm.automl.pipeline;
