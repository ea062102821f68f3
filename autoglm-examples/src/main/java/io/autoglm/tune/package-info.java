/**
 * Deployment auto-tuning: searches the serving settings of one model (quantization preset, threads, batch and
 * micro-batch sizes, parallel sequences, context and, on the current llama.cpp generation, flash attention) with
 * {@code autoglm-automl}'s TPE sampler, measures each candidate with a real engine benchmark and a KL-divergence
 * check against the unquantized model, skips candidates whose estimated memory exceeds the budget, and writes the
 * best as a deploy config. Used by {@code autoglm tune}; see {@link io.autoglm.tune.DeploymentTuner}.
 *
 * <p>This package lives in {@code autoglm-examples} because it needs core, quant and automl together, and neither core
 * nor automl may depend on the others.
 */
package io.autoglm.tune;
