package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.gguf.GgmlType;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link BlockCodecs#validate} agrees with ggml_validate_row_data on normal and on overflowing input. */
class BlockCodecsValidateTest {

    static Stream<GgmlType> types() {
        return BlockCodecBitExactnessTest.types();
    }

    @ParameterizedTest
    @MethodSource("types")
    void validate_agreesWithGgml_onNormalAndHugeInput(GgmlType type) {
        BlockCodec codec = BlockCodecs.of(type);
        int n = 4 * Math.max(32, type.blockSize());
        SplittableRandom r = new SplittableRandom(3);
        for (double scale : new double[] {1, 1e5, 1e30, 1e37}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (Math.max(-3, Math.min(3, BlockCodecBitExactnessTest.gauss(r))) * scale);
            }
            x[n / 2] = (float) (scale * 1.1); // at least one big value
            byte[] q = new byte[(int) type.rowSize(n)];
            codec.quantize(x, 0, q, 0, n);
            assertThat(q).isEqualTo(NativeQuants.quantize(type, x, n));
            boolean ggmlValid = NativeQuants.validate(type, q);
            if (ggmlValid) {
                assertThatCode(() -> BlockCodecs.validate(type, q, 0, n)).as(type + " scale " + scale).doesNotThrowAnyException();
            } else {
                assertThatThrownBy(() -> BlockCodecs.validate(type, q, 0, n)).as(type + " scale " + scale)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(type.name());
            }
            if (scale == 1) {
                assertThat(ggmlValid).as(type + " N(0,1) must be valid").isTrue();
            }
            // Q3_K/Q6_K: x*x overflows in the scale search, every scale becomes 0 and the block stays valid
            if (scale == 1e30 && type != GgmlType.F32 && type != GgmlType.BF16 && type != GgmlType.Q3_K
                    && type != GgmlType.Q6_K) {
                assertThat(ggmlValid).as(type + " 1e30 overflows fp16 scales").isFalse();
            }
        }
    }
}
