package io.autoglm.automl.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeedbackWeightsTest {

    @Test
    void positiveSignal_raisesTheWeightAndKeepsTheMeanAtOne() {
        FeedbackWeights w = FeedbackWeights.builder(4).rate(0.5).build();
        w.update(0, 2.0); // w0 = 1 + 0.5*2 = 2; sum 5 -> x 4/5: {1.6, 0.8, 0.8, 0.8}
        assertThat(w.weights()).containsExactly(new double[] {1.6, 0.8, 0.8, 0.8}, within(1e-12));
        assertThat(Arrays.stream(w.weights()).sum()).isCloseTo(4, within(1e-12));
    }

    @Test
    void weights_areClippedToTheirBoundsAfterRenormalising() {
        FeedbackWeights w = FeedbackWeights.builder(10).rate(1).bounds(0.5, 2).build();
        for (int k = 0; k < 20; k++) {
            w.update(new int[] {0, 1}, new double[] {5, -5});
        }
        double[] v = w.weights();
        assertThat(v[0]).isCloseTo(2, within(1e-9));
        assertThat(v[1]).isCloseTo(0.5, within(1e-9));
        for (double x : v) {
            assertThat(x).isBetween(0.5 - 1e-9, 2 + 1e-9);
        }
        assertThat(Arrays.stream(v).sum()).isCloseTo(10, within(1e-9));
    }

    @Test
    void badInput_isRejectedAndChangesNothing() {
        FeedbackWeights w = FeedbackWeights.builder(3).build();
        assertThatThrownBy(() -> w.update(new int[] {0, 1}, new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> w.update(5, 1)).hasMessageContaining("5");
        assertThatThrownBy(() -> w.update(new int[] {0}, new double[] {1, 2})).hasMessageContaining("signals");
        assertThat(w.weights()).containsExactly(1, 1, 1);
        assertThatThrownBy(() -> FeedbackWeights.builder(3).rate(-0.1)).hasMessageContaining("rate")
                .hasMessageContaining("-0.1");
        assertThatThrownBy(() -> FeedbackWeights.builder(0)).hasMessageContaining("samples");
        assertThatThrownBy(() -> FeedbackWeights.builder(3).bounds(2, 3)).hasMessageContaining("minWeight");
    }
}
