package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.gguf.GgmlType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowQuantizerTest {

    private static float[] normal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) BlockCodecBitExactnessTest.gauss(r);
        }
        return x;
    }

    @Test
    void quantize_withSeveralThreads_givesTheSameBytesAsOneCall() {
        int rows = 96;
        int cols = 1024;
        float[] x = normal(rows * cols, 1);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K}) {
            BlockCodec codec = BlockCodecs.of(t);
            byte[] single = new byte[(int) t.rowSize((long) rows * cols)];
            codec.quantize(x, 0, single, 0, rows * cols);
            for (int threads : new int[] {1, 2, 3, 8}) {
                byte[] multi = new byte[single.length];
                BlockCodecs.quantizeRows(codec, x, rows, cols, multi, threads);
                assertThat(multi).as(t + " with " + threads + " threads").isEqualTo(single);
            }
            float[] back1 = new float[rows * cols];
            codec.dequantize(single, 0, back1, 0, rows * cols);
            float[] back3 = new float[rows * cols];
            try (RowQuantizer rq = new RowQuantizer(3)) {
                rq.dequantize(codec, single, 0, rows, cols, back3, 0);
            }
            assertThat(back3).isEqualTo(back1);
        }
    }

    @Test
    void quantize_withNaN_namesRowAndColumn() {
        int rows = 64;
        int cols = 512;
        float[] x = normal(rows * cols, 2);
        x[37 * cols + 300] = Float.NaN;
        byte[] out = new byte[(int) GgmlType.Q4_0.rowSize((long) rows * cols)];
        try (RowQuantizer rq = new RowQuantizer(2)) {
            assertThatThrownBy(() -> rq.quantize(BlockCodecs.of(GgmlType.Q4_0), x, 0, rows, cols, out, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("row 37")
                    .hasMessageContaining("element 300 ");
        }
    }

    @Test
    void constructorAndShapes_areValidated_andCloseIsIdempotent() {
        assertThatThrownBy(() -> new RowQuantizer(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads must be in [1, 1024], was 0");
        RowQuantizer rq = new RowQuantizer(2);
        BlockCodec q4k = BlockCodecs.of(GgmlType.Q4_K);
        assertThatThrownBy(() -> rq.quantize(q4k, new float[1000], 0, 2, 500, new byte[1000], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 256");
        assertThatThrownBy(() -> rq.quantize(q4k, new float[256], 0, 2, 256, new byte[1000], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        rq.close();
        rq.close();
        assertThatThrownBy(() -> rq.quantize(q4k, new float[256], 0, 1, 256, new byte[144], 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void of_unsupportedType_isRejected() {
        assertThatThrownBy(() -> BlockCodecs.of(GgmlType.IQ2_XXS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("IQ2_XXS");
        assertThat(BlockCodecs.supported()).hasSize(13).contains(GgmlType.Q4_K, GgmlType.BF16);
        assertThat(BlockCodecs.isSupported(GgmlType.Q8_K)).isFalse();
    }
}
