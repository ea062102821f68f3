package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.testing.fixtures.TestModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TensorTypeRulesTest {

    /** use_more_bits(i, 32) from the reference facts, written out independently of the formula. */
    static final Set<Integer> MORE_BITS_32 = Set.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);

    static List<TensorTypeRules.Tensor> llama(int layers, int embd, int kv, int ff, int vocab, boolean tied) {
        List<TensorTypeRules.Tensor> t = new ArrayList<>();
        if (!tied) {
            t.add(new TensorTypeRules.Tensor("output.weight", new long[] {embd, vocab}, GgmlType.F16));
        }
        t.add(new TensorTypeRules.Tensor("output_norm.weight", new long[] {embd}, GgmlType.F32));
        t.add(new TensorTypeRules.Tensor("token_embd.weight", new long[] {embd, vocab}, GgmlType.F16));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            t.add(new TensorTypeRules.Tensor(p + "attn_k.weight", new long[] {embd, kv}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "attn_norm.weight", new long[] {embd}, GgmlType.F32));
            t.add(new TensorTypeRules.Tensor(p + "attn_output.weight", new long[] {embd, embd}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "attn_q.weight", new long[] {embd, embd}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "attn_v.weight", new long[] {embd, kv}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "ffn_down.weight", new long[] {ff, embd}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "ffn_gate.weight", new long[] {embd, ff}, GgmlType.F16));
            t.add(new TensorTypeRules.Tensor(p + "ffn_norm.weight", new long[] {embd}, GgmlType.F32));
            t.add(new TensorTypeRules.Tensor(p + "ffn_up.weight", new long[] {embd, ff}, GgmlType.F16));
        }
        return t;
    }

    static Map<String, GgmlType> table(TensorTypeRules.Facts f, List<TensorTypeRules.Tensor> ts, Quantization q, boolean pure) {
        List<TensorTypeRules.Choice> c = TensorTypeRules.plan(f, ts, q, pure);
        Map<String, GgmlType> m = new LinkedHashMap<>();
        for (int i = 0; i < ts.size(); i++) {
            m.put(ts.get(i).name(), c.get(i).type());
        }
        return m;
    }

    static final TensorTypeRules.Facts LLAMA_8B = new TensorTypeRules.Facts("llama", 32, 32, 8, 0);
    static final List<TensorTypeRules.Tensor> MODEL_32 = llama(32, 4096, 1024, 14336, 128256, false);

    private static void assertLayers(Map<String, GgmlType> m, String tensor, java.util.function.IntFunction<GgmlType> expected) {
        for (int l = 0; l < 32; l++) {
            assertThat(m.get("blk." + l + "." + tensor)).as("layer %d %s", l, tensor).isEqualTo(expected.apply(l));
        }
    }

    private static void assertCommon(Map<String, GgmlType> m) {
        assertThat(m.get("output_norm.weight")).isEqualTo(GgmlType.F32);
        assertLayers(m, "attn_norm.weight", l -> GgmlType.F32);
        assertLayers(m, "ffn_norm.weight", l -> GgmlType.F32);
    }

    @Test
    void q4KM_bumpsAttnVAndFfnDownOnUseMoreBitsLayers_outputQ6K() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q4_K_M, false);
        assertCommon(m);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(m.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertLayers(m, "attn_v.weight", l -> MORE_BITS_32.contains(l) ? GgmlType.Q6_K : GgmlType.Q4_K);
        assertLayers(m, "ffn_down.weight", l -> MORE_BITS_32.contains(l) ? GgmlType.Q6_K : GgmlType.Q4_K);
        for (String t : List.of("attn_q.weight", "attn_k.weight", "attn_output.weight", "ffn_gate.weight", "ffn_up.weight")) {
            assertLayers(m, t, l -> GgmlType.Q4_K);
        }
        assertThat(m.values().stream().filter(t -> t == GgmlType.Q6_K).count()).isEqualTo(1 + 16 + 16);
    }

    @Test
    void q4KS_bumpsFirstFourAttnVAndFirstEighthFfnDownToQ5K() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q4_K_S, false);
        assertCommon(m);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(m.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertLayers(m, "attn_v.weight", l -> l < 4 ? GgmlType.Q5_K : GgmlType.Q4_K);
        assertLayers(m, "ffn_down.weight", l -> l < 4 ? GgmlType.Q5_K : GgmlType.Q4_K);
        assertLayers(m, "attn_output.weight", l -> GgmlType.Q4_K);
        assertLayers(m, "ffn_up.weight", l -> GgmlType.Q4_K);
    }

    @Test
    void q5KM_bumpsUseMoreBitsLayersToQ6K() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q5_K_M, false);
        assertCommon(m);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(m.get("token_embd.weight")).isEqualTo(GgmlType.Q5_K);
        assertLayers(m, "attn_v.weight", l -> MORE_BITS_32.contains(l) ? GgmlType.Q6_K : GgmlType.Q5_K);
        assertLayers(m, "ffn_down.weight", l -> MORE_BITS_32.contains(l) ? GgmlType.Q6_K : GgmlType.Q5_K);
        assertLayers(m, "attn_q.weight", l -> GgmlType.Q5_K);
    }

    @Test
    void q5KS_hasOnlyTheOutputBump() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q5_K_S, false);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertLayers(m, "attn_v.weight", l -> GgmlType.Q5_K);
        assertLayers(m, "ffn_down.weight", l -> GgmlType.Q5_K);
    }

    @Test
    void q3KM_followsCurrentLlamaCpp() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q3_K_M, false);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(m.get("token_embd.weight")).isEqualTo(GgmlType.Q3_K);
        assertLayers(m, "attn_v.weight", l -> l < 2 ? GgmlType.Q5_K : GgmlType.Q4_K);
        assertLayers(m, "ffn_down.weight", l -> l < 2 ? GgmlType.Q5_K : GgmlType.Q4_K);
        assertLayers(m, "attn_output.weight", l -> GgmlType.Q4_K);
        assertLayers(m, "attn_q.weight", l -> GgmlType.Q3_K);
        assertLayers(m, "ffn_gate.weight", l -> GgmlType.Q3_K);
    }

    @Test
    void q2K_bumpsAttnVByGqa_ffnDownAndAttnOutputToQ3K() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q2_K, false);
        assertThat(m.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertLayers(m, "attn_v.weight", l -> GgmlType.Q4_K); // n_gqa = 4
        assertLayers(m, "ffn_down.weight", l -> GgmlType.Q3_K);
        assertLayers(m, "attn_output.weight", l -> GgmlType.Q3_K);
        assertLayers(m, "attn_q.weight", l -> GgmlType.Q2_K);
        Map<String, GgmlType> mha = table(new TensorTypeRules.Facts("llama", 32, 32, 32, 0), llama(32, 4096, 4096, 11008, 32000, false),
                Quantization.Q2_K, false);
        assertLayers(mha, "attn_v.weight", l -> GgmlType.Q3_K); // n_gqa = 1
    }

    @Test
    void singleTypePresets_useTheBaseTypeAndOutputRule() {
        Map<String, GgmlType> q6 = table(LLAMA_8B, MODEL_32, Quantization.Q6_K, false);
        assertThat(q6.values()).containsOnly(GgmlType.Q6_K, GgmlType.F32);
        Map<String, GgmlType> q8 = table(LLAMA_8B, MODEL_32, Quantization.Q8_0, false);
        assertThat(q8.values()).containsOnly(GgmlType.Q8_0, GgmlType.F32);
        Map<String, GgmlType> q4 = table(LLAMA_8B, MODEL_32, Quantization.Q4_0, false);
        assertThat(q4.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertLayers(q4, "ffn_down.weight", l -> GgmlType.Q4_0); // Q4_1 bump only with an imatrix
        Map<String, GgmlType> f16 = table(LLAMA_8B, MODEL_32, Quantization.F16, false);
        assertThat(f16.get("output.weight")).isEqualTo(GgmlType.F16);
        assertThat(f16.values()).containsOnly(GgmlType.F16, GgmlType.F32);
        Map<String, GgmlType> bf16 = table(LLAMA_8B, MODEL_32, Quantization.BF16, false);
        assertThat(bf16.values()).containsOnly(GgmlType.BF16, GgmlType.F32);
    }

    @Test
    void pure_givesEveryQuantizableTensorTheBaseType_evenTheOutput() {
        Map<String, GgmlType> m = table(LLAMA_8B, MODEL_32, Quantization.Q4_K_M, true);
        assertThat(m.values()).containsOnly(GgmlType.Q4_K, GgmlType.F32);
    }

    @Test
    void tiedEmbeddings_giveTokenEmbdTheOutputRule() {
        Map<String, GgmlType> m = table(LLAMA_8B, llama(32, 4096, 1024, 14336, 128256, true), Quantization.Q4_K_M, false);
        assertThat(m).doesNotContainKey("output.weight");
        assertThat(m.get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
    }

    @Test
    void llama70B_bumpsAttnVFromQ4KToQ5K() {
        TensorTypeRules.Facts f = new TensorTypeRules.Facts("llama", 80, 64, 8, 0);
        Map<String, GgmlType> m = table(f, llama(80, 8192, 1024, 28672, 32000, false), Quantization.Q4_K_M, false);
        for (int l = 0; l < 80; l++) {
            assertThat(m.get("blk." + l + ".attn_v.weight")).isIn(GgmlType.Q5_K, GgmlType.Q6_K);
        }
        assertThat(m.get("blk.10.attn_v.weight")).isEqualTo(GgmlType.Q5_K); // not a use_more_bits layer for n=80
    }

    @Test
    void loaderOrder_putsNonLayerTensorsFirstByName_thenLayersNumerically() {
        List<String> names = new ArrayList<>(List.of("blk.10.attn_q.weight", "token_embd.weight", "blk.2.ffn_up.weight",
                "output.weight", "blk.2.attn_k.weight", "output_norm.weight"));
        names.sort(TensorTypeRules.LOADER_ORDER);
        assertThat(names).containsExactly("output.weight", "output_norm.weight", "token_embd.weight", "blk.2.attn_k.weight",
                "blk.2.ffn_up.weight", "blk.10.attn_q.weight");
    }

    @Test
    void stories260K_rowsOf64And172_fallBackAsCurrentLlamaCpp_andF16WhenNothingFits() {
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            Map<String, TensorPlan> q4km = byName(ModelQuantizer.plan(f, Quantization.Q4_K_M, false));
            assertThat(q4km.get("output.weight").targetType()).isEqualTo(GgmlType.Q8_0);
            assertThat(q4km.get("token_embd.weight").targetType()).isEqualTo(GgmlType.Q5_0);
            assertThat(q4km.get("token_embd.weight").fallback()).isTrue();
            assertThat(q4km.get("blk.0.attn_q.weight").targetType()).isEqualTo(GgmlType.Q5_0);
            // n = 5 attn_v tensors: use_more_bits for layers 2 and 4 -> Q6_K -> Q8_0
            assertThat(q4km.get("blk.2.attn_v.weight").targetType()).isEqualTo(GgmlType.Q8_0);
            assertThat(q4km.get("blk.4.attn_v.weight").targetType()).isEqualTo(GgmlType.Q8_0);
            assertThat(q4km.get("blk.1.attn_v.weight").targetType()).isEqualTo(GgmlType.Q5_0);
            assertThat(q4km.get("blk.0.ffn_gate.weight").targetType()).isEqualTo(GgmlType.Q5_0);
            assertThat(q4km.get("blk.0.ffn_down.weight").targetType()).isEqualTo(GgmlType.F16);
            assertThat(q4km.get("blk.0.ffn_norm.weight").targetType()).isEqualTo(GgmlType.F32);

            Map<String, TensorPlan> q2k = byName(ModelQuantizer.plan(f, Quantization.Q2_K, false));
            assertThat(q2k.get("blk.0.attn_q.weight").targetType()).isEqualTo(GgmlType.Q4_0);
            assertThat(q2k.get("blk.0.attn_v.weight").targetType()).isEqualTo(GgmlType.Q4_0); // Q3_K (n_gqa 2) -> Q4_0
            assertThat(q2k.get("blk.0.ffn_down.weight").targetType()).isEqualTo(GgmlType.F16);
            Map<String, TensorPlan> q3km = byName(ModelQuantizer.plan(f, Quantization.Q3_K_M, false));
            assertThat(q3km.get("blk.3.ffn_up.weight").targetType()).isEqualTo(GgmlType.Q4_0);
            assertThat(q3km.get("blk.0.attn_v.weight").targetType()).isEqualTo(GgmlType.Q5_1);  // Q5_K -> Q5_1

            Map<String, TensorPlan> q40 = byName(ModelQuantizer.plan(f, Quantization.Q4_0, false));
            assertThat(q40.get("output.weight").targetType()).isEqualTo(GgmlType.Q8_0);
            assertThat(q40.get("blk.0.ffn_down.weight").targetType()).isEqualTo(GgmlType.F16);
            assertThat(q40.get("blk.0.ffn_up.weight").targetType()).isEqualTo(GgmlType.Q4_0);

            Map<String, TensorPlan> q6 = byName(ModelQuantizer.plan(f, Quantization.Q6_K, false));
            assertThat(q6.get("blk.0.attn_q.weight").targetType()).isEqualTo(GgmlType.Q8_0);
            Map<String, TensorPlan> q5km = byName(ModelQuantizer.plan(f, Quantization.Q5_K_M, false));
            assertThat(q5km.get("blk.0.attn_q.weight").targetType()).isEqualTo(GgmlType.Q5_1);

            Map<String, TensorPlan> f16 = byName(ModelQuantizer.plan(f, Quantization.F16, false));
            assertThat(f16.get("blk.0.ffn_down.weight").targetType()).isEqualTo(GgmlType.F16);
            assertThat(f16.values()).noneMatch(TensorPlan::fallback);
            for (Quantization q : presets()) {
                List<TensorPlan> plan = ModelQuantizer.plan(f, q, false);
                assertThat(plan).hasSize(48);
                for (TensorPlan p : plan) {
                    assertThat(p.shape()[0] % p.targetType().blockSize()).as("%s %s", q, p).isZero();
                }
            }
        }
    }

    static List<Quantization> presets() {
        return List.of(Quantization.values()).stream().filter(q -> q != Quantization.NONE && q != Quantization.AUTO).toList();
    }

    static Map<String, TensorPlan> byName(List<TensorPlan> plan) {
        Map<String, TensorPlan> m = new LinkedHashMap<>();
        plan.forEach(p -> m.put(p.name(), p));
        return m;
    }
}
