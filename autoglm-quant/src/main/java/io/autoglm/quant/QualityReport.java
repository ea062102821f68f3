package io.autoglm.quant;

import java.nio.file.Path;

/**
 * How closely a quantized model follows its source over a text, per scored token position.
 *
 * @param base the source model
 * @param quantized the quantized model
 * @param contextSize tokens per window
 * @param stride tokens between window starts
 * @param windows windows evaluated
 * @param scoredTokens positions scored (each predicts the next token of the text)
 * @param meanKl mean of KL(P_base || P_quantized) over scored positions, in nats
 * @param p99Kl 99th percentile of the per-position KL, in nats
 * @param maxKl largest per-position KL, in nats
 * @param top1Agreement fraction of positions where both models' most likely next token is the same, 0..1
 * @param basePerplexity perplexity of the source model on the text
 * @param quantizedPerplexity perplexity of the quantized model on the text
 */
public record QualityReport(Path base, Path quantized, int contextSize, int stride, int windows, long scoredTokens,
        double meanKl, double p99Kl, double maxKl, double top1Agreement, double basePerplexity, double quantizedPerplexity) {
}
