package io.autoglm.engine;

import io.autoglm.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/** Log-probabilities from raw logits (a log-softmax), for {@code GenerationOptions.logprobs}. */
final class Logprobs {
    private Logprobs() {
    }

    /**
     * @param logits one row of raw logits
     * @param token the sampled token
     * @param top how many most likely alternatives to list
     * @param vocab token pieces
     * @return the token's log-probability and its alternatives
     */
    static TokenLogprob of(float[] logits, int token, int top, Vocabulary vocab) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (v > max) {
                max = v;
            }
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double logZ = max + Math.log(sum);
        List<TokenLogprob> alternatives = List.of();
        if (top > 0) {
            int[] best = topK(logits, top);
            alternatives = new ArrayList<>(best.length);
            for (int id : best) {
                alternatives.add(new TokenLogprob(id, vocab.rawPiece(id), Math.min(0.0, logits[id] - logZ), List.of()));
            }
        }
        return new TokenLogprob(token, vocab.rawPiece(token), Math.min(0.0, logits[token] - logZ), alternatives);
    }

    /** @return the ids of the {@code k} largest logits, largest first (ties: smaller id first) */
    static int[] topK(float[] logits, int k) {
        int n = Math.min(k, logits.length);
        int[] ids = new int[n];
        float[] vals = new float[n];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (size == n && !(v > vals[n - 1])) {
                continue;
            }
            int pos = size < n ? size++ : n - 1;
            while (pos > 0 && v > vals[pos - 1]) {
                vals[pos] = vals[pos - 1];
                ids[pos] = ids[pos - 1];
                pos--;
            }
            vals[pos] = v;
            ids[pos] = i;
        }
        return ids;
    }
}
