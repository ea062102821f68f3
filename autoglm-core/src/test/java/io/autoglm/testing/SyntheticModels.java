package io.autoglm.testing;

import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Writes random-weight {@code llama} (and {@code qwen3}) models of any shape with a real vocabulary, for tests and
 * benchmarks that need shapes the shipped models lack (rows that are multiples of 256 so the
 * K-quants apply, many layers, a ~100M-parameter model).
 *
 * <pre>{@code
 * Path model = SyntheticModels.llama(io.autoglm.testing.fixtures.TestModels.vocab("ggml-vocab-llama-spm.gguf"))
 *         .embd(256).layers(8).heads(8).headsKv(4).ff(768).type(GgmlType.F16).write(dir.resolve("m.gguf"));
 * }</pre>
 *
 * <p>It lives in {@code io.autoglm.testing} (core's test-jar) rather than {@code io.autoglm.gguf}: other modules
 * compile their tests against the named module {@code io.autoglm.core}, and a second {@code io.autoglm.gguf}
 * package on the class path would be a split package that javac ignores.
 *
 * <p>All {@code tokenizer.*} keys of the vocab file are copied; every llama hparam llama.cpp reads
 * is written. Weights are N(0, 1/row length), norms are 1. Generation is streamed row by row,
 * so large models never sit on the heap. The same seed gives the same file.
 */
public final class SyntheticModels {
    private SyntheticModels() {
    }

    /**
     * @param vocabGguf a GGUF file (vocab-only or a full model) whose {@code tokenizer.*} keys are copied
     * @return a builder with a small default shape (256 embd, 4 layers, 8 heads, 4 kv heads, 768 ff, ctx 512, F16)
     */
    public static Builder llama(Path vocabGguf) {
        return new Builder(vocabGguf, "llama");
    }

    /**
     * A {@code qwen3} model (llama.cpp added the architecture after b4916): the llama layout plus
     * per-head RMS norms of the queries and keys ({@code blk.N.attn_q_norm.weight},
     * {@code blk.N.attn_k_norm.weight}, one weight per head dimension) and {@code qwen3.*} hparams.
     *
     * @param vocabGguf a GGUF file whose {@code tokenizer.*} keys are copied
     * @return a builder with the same defaults as {@link #llama}
     */
    public static Builder qwen3(Path vocabGguf) {
        return new Builder(vocabGguf, "qwen3").name("synthetic-qwen3");
    }

    /**
     * A {@code qwen2} model (an architecture both llama.cpp b4916 and the current generation load): the llama layout
     * plus F32 biases on the query, key and value projections ({@code blk.N.attn_q.bias} of the embedding length,
     * {@code attn_k.bias}/{@code attn_v.bias} of the key/value width) and {@code qwen2.*} hparams.
     *
     * @param vocabGguf a GGUF file whose {@code tokenizer.*} keys are copied
     * @return a builder with the same defaults as {@link #llama}
     */
    public static Builder qwen2(Path vocabGguf) {
        return new Builder(vocabGguf, "qwen2").name("synthetic-qwen2");
    }

    /** Shape and type of a synthetic llama. */
    public static final class Builder {
        private final Path vocab;
        private final String arch;
        private int embd = 256;
        private int layers = 4;
        private int heads = 8;
        private int headsKv = 4;
        private int ff = 768;
        private int context = 512;
        private GgmlType type = GgmlType.F16;
        private long seed = 42;
        private boolean tied;
        private String name = "synthetic-llama";

        private Builder(Path vocab, String arch) {
            this.vocab = Objects.requireNonNull(vocab, "vocab");
            this.arch = arch;
        }

        private static int positive(String what, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, was " + v);
            }
            return v;
        }

        /** @param v embedding length @return this */
        public Builder embd(int v) {
            embd = positive("embd", v);
            return this;
        }

        /** @param v layer count @return this */
        public Builder layers(int v) {
            layers = positive("layers", v);
            return this;
        }

        /** @param v attention heads @return this */
        public Builder heads(int v) {
            heads = positive("heads", v);
            return this;
        }

        /** @param v key/value heads (GQA) @return this */
        public Builder headsKv(int v) {
            headsKv = positive("headsKv", v);
            return this;
        }

        /** @param v feed-forward length @return this */
        public Builder ff(int v) {
            ff = positive("ff", v);
            return this;
        }

        /** @param v training context length @return this */
        public Builder context(int v) {
            context = positive("context", v);
            return this;
        }

        /** @param v F32 or F16 for the matrices (norms stay F32) @return this */
        public Builder type(GgmlType v) {
            if (v != GgmlType.F32 && v != GgmlType.F16) {
                throw new IllegalArgumentException("type must be F32 or F16, was " + v);
            }
            type = v;
            return this;
        }

        /** @param v random seed @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v true to omit {@code output.weight} (the output then reuses token_embd) @return this */
        public Builder tiedEmbeddings(boolean v) {
            tied = v;
            return this;
        }

        /** @param v {@code general.name} @return this */
        public Builder name(String v) {
            name = Objects.requireNonNull(v, "name");
            return this;
        }

        /** @return parameters of the model this builder writes (needs the vocab size, so opens the vocab file) */
        public long parameterCount() {
            try (GgufFile v = GgufFile.open(vocab)) {
                return count(v.vocabSize());
            }
        }

        private long count(long nVocab) {
            long headDim = embd / heads;
            long kv = headDim * headsKv;
            long perLayer = 2L * embd + 2L * embd * embd + 2L * embd * kv + 3L * embd * ff
                    + (arch.equals("qwen3") ? 2L * headDim : 0) + (arch.equals("qwen2") ? embd + 2L * kv : 0);
            return nVocab * embd * (tied ? 1 : 2) + embd + layers * perLayer;
        }

        /**
         * Writes the model.
         *
         * @param out output file
         * @return {@code out}
         * @throws IOException when writing fails
         */
        public Path write(Path out) throws IOException {
            if (embd % heads != 0 || heads % headsKv != 0) {
                throw new IllegalArgumentException("embd (" + embd + ") must divide by heads (" + heads + ") and heads by headsKv ("
                        + headsKv + ")");
            }
            GgufWriter w = new GgufWriter();
            int nVocab;
            try (GgufFile v = GgufFile.open(vocab)) {
                nVocab = v.vocabSize();
                if (nVocab <= 0) {
                    throw new IllegalArgumentException(vocab + " has no tokenizer.ggml.tokens");
                }
                int headDim = embd / heads;
                String a = arch;
                w.putString("general.architecture", a);
                w.putString("general.name", name);
                w.putUint32("general.file_type", type == GgmlType.F32 ? 0 : 1);
                w.putUint32(a + ".vocab_size", nVocab);
                w.putUint32(a + ".context_length", context);
                w.putUint32(a + ".embedding_length", embd);
                w.putUint32(a + ".block_count", layers);
                w.putUint32(a + ".feed_forward_length", ff);
                w.putUint32(a + ".rope.dimension_count", headDim);
                w.putUint32(a + ".attention.head_count", heads);
                w.putUint32(a + ".attention.head_count_kv", headsKv);
                w.putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
                w.putFloat32(a + ".rope.freq_base", 10000f);
                for (Map.Entry<String, GgufValue> e : v.metadata().entrySet()) {
                    if (e.getKey().startsWith("tokenizer.")) {
                        w.put(e.getKey(), e.getValue());
                    }
                }
            }
            int kv = embd / heads * headsKv;
            matrix(w, "token_embd.weight", embd, nVocab);
            norm(w, "output_norm.weight");
            if (!tied) {
                matrix(w, "output.weight", embd, nVocab);
            }
            for (int l = 0; l < layers; l++) {
                String p = "blk." + l + ".";
                norm(w, p + "attn_norm.weight");
                matrix(w, p + "attn_q.weight", embd, embd);
                if (arch.equals("qwen2")) {
                    bias(w, p + "attn_q.bias", embd);
                    bias(w, p + "attn_k.bias", kv);
                    bias(w, p + "attn_v.bias", kv);
                }
                matrix(w, p + "attn_k.weight", embd, kv);
                if (arch.equals("qwen3")) {
                    norm(w, p + "attn_q_norm.weight", embd / heads);
                    norm(w, p + "attn_k_norm.weight", embd / heads);
                }
                matrix(w, p + "attn_v.weight", embd, kv);
                matrix(w, p + "attn_output.weight", embd, embd);
                norm(w, p + "ffn_norm.weight");
                matrix(w, p + "ffn_gate.weight", embd, ff);
                matrix(w, p + "ffn_down.weight", ff, embd);
                matrix(w, p + "ffn_up.weight", embd, ff);
            }
            w.write(out);
            return out;
        }

        private void norm(GgufWriter w, String tensor) {
            norm(w, tensor, embd);
        }

        private void norm(GgufWriter w, String tensor, int n) {
            w.addTensor(tensor, GgmlType.F32, new long[] {n}, out -> {
                ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    b.putFloat(1f);
                }
                out.write(b.flip());
            });
        }

        private void bias(GgufWriter w, String tensor, int n) {
            long tensorSeed = seed * 1_000_003L + tensor.hashCode();
            w.addTensor(tensor, GgmlType.F32, new long[] {n}, out -> {
                Random rnd = new Random(tensorSeed);
                ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    b.putFloat((float) rnd.nextGaussian() * 0.02f);
                }
                out.write(b.flip());
            });
        }

        private void matrix(GgufWriter w, String tensor, int cols, int rows) {
            GgmlType t = type;
            long tensorSeed = seed * 1_000_003L + tensor.hashCode();
            w.addTensor(tensor, t, new long[] {cols, rows}, out -> {
                Random rnd = new Random(tensorSeed);
                float std = (float) (1.0 / Math.sqrt(cols));
                ByteBuffer b = ByteBuffer.allocate(cols * (t == GgmlType.F32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
                for (int r = 0; r < rows; r++) {
                    b.clear();
                    for (int c = 0; c < cols; c++) {
                        float x = (float) rnd.nextGaussian() * std;
                        if (t == GgmlType.F32) {
                            b.putFloat(x);
                        } else {
                            b.putShort(Float.floatToFloat16(x));
                        }
                    }
                    out.write(b.flip());
                }
            });
        }
    }
}
