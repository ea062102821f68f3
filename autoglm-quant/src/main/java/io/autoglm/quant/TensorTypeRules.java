package io.autoglm.quant;

import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's per-tensor type choice ({@code llama_tensor_get_type} and its helpers in current
 * {@code src/llama-quant.cpp}) for the presets AutoGLM offers, as a pure function of tensor names,
 * shapes, model facts and preset. Two deliberate differences from llama.cpp, both from issue 3:
 * when no fallback type fits a row length the tensor is written as F16 (llama.cpp stops), and
 * Q2_K/Q3_K fall back to Q4_0 (current llama.cpp does so too; b4916 used IQ4_NL).
 */
final class TensorTypeRules {
    private TensorTypeRules() {
    }

    /** Model hyper-parameters the rules look at. */
    record Facts(String arch, int nLayer, int nHead, int nHeadKv, int nExpert) {
        int nGqa() {
            return nHeadKv <= 0 ? 0 : nHead / nHeadKv;
        }

        boolean isFalcon() {
            return "falcon".equals(arch);
        }

        /** llama.cpp only distinguishes the 70B model type for these rules. */
        boolean is70B() {
            return "llama".equals(arch) && nLayer == 80 && nHead != nHeadKv;
        }
    }

    /** A tensor as the rules see it. */
    record Tensor(String name, long[] shape, GgmlType type) {
    }

    /** The choice for one tensor. */
    record Choice(GgmlType type, boolean quantizable, boolean fallback) {
    }

    enum Category { TOKEN_EMBD, ATTENTION_Q, ATTENTION_V, ATTENTION_K, ATTENTION_QKV, ATTENTION_KV_B, ATTENTION_OUTPUT,
        FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER }

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    /** The order llama.cpp's model loader visits tensors in: non-layer tensors by name, then layers in numeric order. */
    static final Comparator<String> LOADER_ORDER = (a, b) -> {
        int la = layerOf(a);
        int lb = layerOf(b);
        if (la != lb) {
            return Integer.compare(la, lb);
        }
        return a.compareTo(b);
    };

    /** @return the layer number of a {@code blk.N.} name, or -1 */
    static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
            try {
                return Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return -1;
    }

    /** @return the base ggml type of a preset ({@code llama_ftype_get_default_type}) */
    static GgmlType defaultType(Quantization q) {
        return switch (q) {
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> GgmlType.Q4_0;
            case Q4_1 -> GgmlType.Q4_1;
            case Q5_0 -> GgmlType.Q5_0;
            case Q5_1 -> GgmlType.Q5_1;
            case Q2_K -> GgmlType.Q2_K;
            case Q3_K_M -> GgmlType.Q3_K;
            case Q4_K_S, Q4_K_M -> GgmlType.Q4_K;
            case Q5_K_S, Q5_K_M -> GgmlType.Q5_K;
            case Q6_K -> GgmlType.Q6_K;
            case NONE, AUTO -> throw new IllegalArgumentException("preset must be a concrete type, was " + q);
        };
    }

    static Category category(String name) {
        if (name.equals("output.weight")) {
            return Category.OUTPUT;
        }
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) {
            return Category.TOKEN_EMBD;
        }
        if (name.contains("attn_qkv.weight")) {
            return Category.ATTENTION_QKV;
        }
        if (name.contains("attn_kv_b.weight")) {
            return Category.ATTENTION_KV_B;
        }
        if (name.contains("attn_v.weight")) {
            return Category.ATTENTION_V;
        }
        if (name.contains("attn_k.weight")) {
            return Category.ATTENTION_K;
        }
        if (name.contains("attn_q.weight")) {
            return Category.ATTENTION_Q;
        }
        if (name.contains("attn_output.weight")) {
            return Category.ATTENTION_OUTPUT;
        }
        if (name.contains("ffn_up")) {
            return Category.FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return Category.FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return Category.FFN_DOWN;
        }
        return Category.OTHER;
    }

    private static boolean isAttnV(Category c) {
        return c == Category.ATTENTION_V || c == Category.ATTENTION_QKV || c == Category.ATTENTION_KV_B;
    }

    /** ggml_n_dims: 1 + index of the last dimension larger than 1. */
    static int effectiveDims(long[] shape) {
        for (int i = shape.length - 1; i >= 1; i--) {
            if (shape[i] > 1) {
                return i + 1;
            }
        }
        return 1;
    }

    private static final String[] NEVER = {"_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
        "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
        "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
        "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
        ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd"};

    /** {@code tensor_allows_quantization}: 2D+ tensors named {@code *weight}, except norms, routers and small special tensors. */
    static boolean allowsQuantization(String name, long[] shape) {
        if (effectiveDims(shape) < 2 || !name.endsWith("weight")) {
            return false;
        }
        if (name.equals("position_embd.weight") || name.equals("token_types.weight")) {
            return false;
        }
        for (String s : NEVER) {
            if (name.contains(s)) {
                return false;
            }
        }
        return true;
    }

    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /**
     * @param facts model hyper-parameters
     * @param tensors every tensor, in loader order
     * @param preset the preset
     * @param pure true to give every quantizable tensor the base type (still with row-length fallbacks)
     * @return one choice per tensor, in the same order
     */
    static List<Choice> plan(Facts facts, List<Tensor> tensors, Quantization preset, boolean pure) {
        GgmlType base = defaultType(preset);
        State s = new State();
        s.tied = true;
        for (Tensor t : tensors) {
            Category c = category(t.name);
            if (isAttnV(c)) {
                s.nAttnV++;
            }
            if (c == Category.OUTPUT) {
                s.tied = false;
            }
        }
        s.nFfnDown = facts.nLayer() > 0 ? facts.nLayer()
                : (int) tensors.stream().filter(t -> category(t.name) == Category.FFN_DOWN).count();
        List<Choice> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            if (!allowsQuantization(t.name, t.shape)) {
                out.add(new Choice(t.type, false, false));
                continue;
            }
            GgmlType type = base;
            boolean fallback = false;
            if (base.isQuantized()) {
                if (!pure) {
                    type = choose(s, facts, t, category(t.name), type, preset);
                }
                long ncols = t.shape[0];
                if (ncols % type.blockSize() != 0) {
                    fallback = true;
                    GgmlType fb = switch (type) {
                        case Q2_K, Q3_K, TQ1_0, TQ2_0 -> GgmlType.Q4_0;
                        case Q4_K -> GgmlType.Q5_0;
                        case Q5_K -> GgmlType.Q5_1;
                        case Q6_K -> GgmlType.Q8_0;
                        case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS -> GgmlType.IQ4_NL;
                        default -> GgmlType.F16; // llama.cpp stops here; issue 3: write F16 instead
                    };
                    type = ncols % fb.blockSize() == 0 ? fb : GgmlType.F16;
                }
            }
            out.add(new Choice(type, true, fallback));
        }
        return out;
    }

    private static final class State {
        int nAttnV;
        int iAttnV;
        int nFfnDown;
        int iFfnDown;
        boolean tied;
    }

    private static GgmlType choose(State s, Facts f, Tensor t, Category c, GgmlType type, Quantization q) {
        if (c == Category.OUTPUT || (s.tied && c == Category.TOKEN_EMBD)) {
            if (f.isFalcon() || t.shape[0] % type.blockSize() != 0) {
                return GgmlType.Q8_0;
            }
            return type != GgmlType.Q8_0 ? GgmlType.Q6_K : type;
        }
        if (c == Category.TOKEN_EMBD) {
            return type; // only IQ/TQ presets change token_embd
        }
        if (isAttnV(c)) {
            if (q == Quantization.Q2_K) {
                type = f.nGqa() >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (q == Quantization.Q3_K_M) {
                type = s.iAttnV < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if ((q == Quantization.Q4_K_M || q == Quantization.Q5_K_M) && useMoreBits(s.iAttnV, s.nAttnV)) {
                type = GgmlType.Q6_K;
            } else if (q == Quantization.Q4_K_S && s.iAttnV < 4) {
                type = GgmlType.Q5_K;
            }
            if (f.is70B() && (type == GgmlType.Q3_K || type == GgmlType.Q4_K)) {
                type = GgmlType.Q5_K;
            }
            if (f.nExpert() == 8) {
                type = GgmlType.Q8_0;
            }
            s.iAttnV++;
            return type;
        }
        if (c == Category.ATTENTION_K) {
            return f.nExpert() == 8 ? GgmlType.Q8_0 : type;
        }
        if (c == Category.FFN_DOWN) {
            int iLayer = s.iFfnDown;
            int nLayer = s.nFfnDown;
            if (f.nExpert() > 1) {
                iLayer = layerOf(t.name);
                if (iLayer < 0 || iLayer >= nLayer) {
                    throw new IllegalArgumentException("bad layer " + iLayer + " for tensor " + t.name + "; must be in [0, " + nLayer + ")");
                }
            }
            boolean umb = useMoreBits(iLayer, nLayer);
            if (q == Quantization.Q2_K) {
                type = GgmlType.Q3_K;
            } else if (q == Quantization.Q3_K_M) {
                type = iLayer < nLayer / 16 ? GgmlType.Q5_K : !f.isFalcon() || umb ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (q == Quantization.Q4_K_M) {
                if (f.isFalcon()) {
                    type = iLayer < nLayer / 16 ? GgmlType.Q6_K : umb ? GgmlType.Q5_K : GgmlType.Q4_K;
                } else if (umb) {
                    type = GgmlType.Q6_K;
                }
            } else if (q == Quantization.Q5_K_M && umb) {
                type = GgmlType.Q6_K;
            } else if (q == Quantization.Q4_K_S && !f.isFalcon() && iLayer < nLayer / 8) {
                type = GgmlType.Q5_K;
            }
            s.iFfnDown++;
            return type;
        }
        if (c == Category.ATTENTION_OUTPUT) {
            if (!f.isFalcon()) {
                if (f.nExpert() == 8) {
                    if (q == Quantization.Q2_K || q == Quantization.Q3_K_M || q == Quantization.Q4_K_S || q == Quantization.Q4_K_M) {
                        type = GgmlType.Q5_K;
                    }
                } else if (q == Quantization.Q2_K) {
                    type = GgmlType.Q3_K;
                } else if (q == Quantization.Q3_K_M) {
                    type = GgmlType.Q4_K;
                }
            }
            return type;
        }
        return type;
    }
}
