package io.autoglm.routing;

import java.util.Locale;

/**
 * A real, deterministic embedding for tests of the router's logic: lower-cased words hashed into 256 buckets
 * (bag of words). Texts that share words are similar; it knows nothing else.
 */
final class WordHashEmbedding implements EmbeddingFunction {
    int calls;

    @Override
    public synchronized float[] embed(String text) {
        calls++;
        float[] v = new float[256];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), 256)] += 1;
            }
        }
        v[255] += 0.01f; // never the zero vector
        return v;
    }

    @Override
    public String name() {
        return "word-hash";
    }
}
