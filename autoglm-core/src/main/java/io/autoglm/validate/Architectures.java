package io.autoglm.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The tensor sets of the architectures the validator knows in full, as llama.cpp's loader creates them
 * ({@code llama_model::load_tensors}): names, shapes from the hyperparameters, and which ones may be absent.
 */
final class Architectures {
    private Architectures() {
    }

    private static final Set<String> NAMES = Set.of("llama", "qwen2", "qwen3");

    static Set<String> names() {
        return NAMES;
    }

    /**
     * One tensor llama.cpp creates.
     *
     * @param name tensor name
     * @param shape dimensions (trailing dimensions of 1 in the file are accepted, as llama.cpp does)
     * @param required false for tensors llama.cpp creates only when present
     */
    record Expected(String name, long[] shape, boolean required) {
    }

    /**
     * @param arch an architecture
     * @param h its hyperparameters, already checked
     * @return the tensors it needs, or null when the architecture is not described
     */
    static List<Expected> tensors(String arch, Hparams h) {
        if (!NAMES.contains(arch)) {
            return null;
        }
        List<Expected> l = new ArrayList<>();
        long e = h.nEmbd();
        long v = h.nVocab();
        l.add(new Expected("token_embd.weight", new long[] {e, v}, true));
        l.add(new Expected("output_norm.weight", new long[] {e}, true));
        l.add(new Expected("output.weight", new long[] {e, v}, false)); // absent: the output reuses token_embd
        if (arch.equals("llama")) {
            l.add(new Expected("rope_freqs.weight", new long[] {h.nRot() / 2}, false));
        }
        for (int i = 0; i < h.nLayer(); i++) {
            String p = "blk." + i + ".";
            long q = h.headK() * h.heads()[i];
            long k = h.headK() * h.headsKv()[i];
            long vv = h.headV() * h.headsKv()[i];
            long ff = h.ff()[i];
            l.add(new Expected(p + "attn_norm.weight", new long[] {e}, true));
            l.add(new Expected(p + "attn_q.weight", new long[] {e, q}, true));
            l.add(new Expected(p + "attn_k.weight", new long[] {e, k}, true));
            l.add(new Expected(p + "attn_v.weight", new long[] {e, vv}, true));
            l.add(new Expected(p + "attn_output.weight", new long[] {q, e}, true));
            l.add(new Expected(p + "ffn_norm.weight", new long[] {e}, true));
            switch (arch) {
                case "llama" -> {
                    l.add(new Expected(p + "attn_q.bias", new long[] {q}, false));
                    l.add(new Expected(p + "attn_k.bias", new long[] {k}, false));
                    l.add(new Expected(p + "attn_v.bias", new long[] {vv}, false));
                    l.add(new Expected(p + "attn_output.bias", new long[] {e}, false));
                }
                case "qwen2" -> {
                    l.add(new Expected(p + "attn_q.bias", new long[] {q}, true));
                    l.add(new Expected(p + "attn_k.bias", new long[] {k}, true));
                    l.add(new Expected(p + "attn_v.bias", new long[] {vv}, true));
                }
                case "qwen3" -> {
                    l.add(new Expected(p + "attn_q_norm.weight", new long[] {h.headK()}, true));
                    l.add(new Expected(p + "attn_k_norm.weight", new long[] {h.headK()}, true));
                }
                default -> throw new AssertionError(arch);
            }
            if (h.experts() == 0) {
                l.add(new Expected(p + "ffn_gate.weight", new long[] {e, ff}, true));
                l.add(new Expected(p + "ffn_down.weight", new long[] {ff, e}, true));
                l.add(new Expected(p + "ffn_up.weight", new long[] {e, ff}, true));
                if (arch.equals("llama")) {
                    l.add(new Expected(p + "ffn_gate.bias", new long[] {ff}, false));
                    l.add(new Expected(p + "ffn_down.bias", new long[] {e}, false));
                    l.add(new Expected(p + "ffn_up.bias", new long[] {ff}, false));
                }
            } else {
                long x = h.experts();
                l.add(new Expected(p + "ffn_gate_inp.weight", new long[] {e, x}, true));
                l.add(new Expected(p + "ffn_gate_exps.weight", new long[] {e, ff, x}, true));
                l.add(new Expected(p + "ffn_down_exps.weight", new long[] {ff, e, x}, true));
                l.add(new Expected(p + "ffn_up_exps.weight", new long[] {e, ff, x}, true));
            }
        }
        return l;
    }

    /**
     * Hyperparameters the tensor shapes depend on.
     *
     * @param nEmbd embedding length
     * @param nLayer layers
     * @param nVocab vocabulary size
     * @param heads attention heads per layer
     * @param headsKv key/value heads per layer
     * @param ff feed-forward length per layer
     * @param headK key length per head
     * @param headV value length per head
     * @param nRot rope dimensions
     * @param experts experts (0 for a dense model)
     */
    record Hparams(long nEmbd, int nLayer, long nVocab, long[] heads, long[] headsKv, long[] ff, long headK, long headV,
            long nRot, long experts) {
    }
}
