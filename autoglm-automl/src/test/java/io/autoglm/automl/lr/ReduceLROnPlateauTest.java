package io.autoglm.automl.lr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Scripted metric sequences with the learning rates PyTorch's ReduceLROnPlateau produces, worked out by
 * hand from its step(): improvement test against best (rel: a < best * (1 - threshold) in min mode),
 * bad-epoch count, cooldown decrement that zeroes the bad count, reduction when bad > patience to
 * max(lr * factor, min_lr) only if the drop exceeds eps, then cooldown reset and bad = 0.
 */
class ReduceLROnPlateauTest {

    private static double[] feed(ReduceLROnPlateau s, double... metrics) {
        double[] lrs = new double[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            s.reportMetric(metrics[i]);
            lrs[i] = s.learningRate();
        }
        return lrs;
    }

    @Test
    void defaults_reduceTenfoldOnTheTwelfthFlatEvaluationAndEveryEleventhAfter() {
        // e1 improves on +inf (best = 1); e2..e11 are bad epochs 1..10 (not > patience 10);
        // e12 is bad epoch 11 > 10 -> lr 1 * 0.1; bad reset to 0 (best stays 1), so e13..e22 are bad 1..10
        // and e23 is bad 11 -> 0.01.
        ReduceLROnPlateau s = LearningRateSchedules.reduceOnPlateau(1.0);
        double[] flat = new double[24];
        java.util.Arrays.fill(flat, 1.0);
        double[] lrs = feed(s, flat);
        for (int i = 0; i < 11; i++) {
            assertThat(lrs[i]).as("evaluation " + (i + 1)).isEqualTo(1.0);
        }
        for (int i = 11; i < 22; i++) {
            assertThat(lrs[i]).as("evaluation " + (i + 1)).isCloseTo(0.1, within(1e-15));
        }
        assertThat(lrs[22]).isCloseTo(0.01, within(1e-16));
        assertThat(lrs[23]).isCloseTo(0.01, within(1e-16));
    }

    @Test
    void defaults_relativeThresholdIgnoresImprovementsSmallerThan1e4() {
        // best = 1.0; 0.99995 is not < 1.0 * (1 - 1e-4) = 0.9999, so it is a bad epoch; 11 of them reduce.
        ReduceLROnPlateau s = LearningRateSchedules.reduceOnPlateau(1.0);
        s.reportMetric(1.0);
        for (int i = 0; i < 10; i++) {
            s.reportMetric(0.99995);
        }
        assertThat(s.learningRate()).isEqualTo(1.0);
        assertThat(s.badEpochs()).isEqualTo(10);
        s.reportMetric(0.99995);
        assertThat(s.learningRate()).isCloseTo(0.1, within(1e-15));
        // whereas 0.9998 < 0.9999 is an improvement and resets the count
        ReduceLROnPlateau t = LearningRateSchedules.reduceOnPlateau(1.0);
        t.reportMetric(1.0);
        t.reportMetric(0.9998);
        assertThat(t.badEpochs()).isZero();
        assertThat(t.best()).isEqualTo(0.9998);
    }

    @Test
    void scriptedSequence_withPatienceCooldownMinLrAndEps() {
        // lr 1, factor 0.5, patience 2, threshold 0.1 rel, cooldown 1, min_lr 0.2:
        // e1 10  : improves on inf, best 10                                   lr 1
        // e2 9.5 : 9.5 < 9.0? no, bad 1                                       lr 1
        // e3 9.2 : bad 2                                                      lr 1
        // e4 9.1 : bad 3 > 2 -> lr 0.5, cooldown 1, bad 0                     lr 0.5
        // e5 9.3 : bad 1; in cooldown -> cooldown 0, bad 0                    lr 0.5
        // e6 9.4 : bad 1                                                      lr 0.5
        // e7 8.0 : 8.0 < 9.0 improves, best 8, bad 0                          lr 0.5
        // e8..e9 : bad 1, 2                                                   lr 0.5
        // e10    : bad 3 -> lr 0.25, cooldown 1                               lr 0.25
        // e11    : cooldown -> bad 0; e12, e13: bad 1, 2                      lr 0.25
        // e14    : bad 3 -> max(0.125, 0.2) = 0.2 (drop 0.05 > eps)           lr 0.2
        // e15    : cooldown; e16, e17: bad 1, 2                               lr 0.2
        // e18    : bad 3 -> max(0.1, 0.2) = 0.2, drop 0 <= eps: unchanged     lr 0.2
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(1.0).factor(0.5).patience(2).threshold(0.1).cooldown(1)
                .minLr(0.2).build();
        double[] lrs = feed(s, 10, 9.5, 9.2, 9.1, 9.3, 9.4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8);
        assertThat(lrs).containsExactly(new double[] {1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25,
            0.2, 0.2, 0.2, 0.2, 0.2}, within(1e-15));
    }

    @Test
    void maxModeAbsoluteThreshold_reducesWhenAccuracyStopsRising() {
        // max mode, abs threshold 0.01, patience 1: improvement iff a > best + 0.01
        // e1 0.5 improves; e2 0.505 bad 1; e3 0.52 improves (0.52 > 0.51); e4 0.525 bad 1; e5 0.4 bad 2 > 1 -> 0.1
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(1.0).mode(ReduceLROnPlateau.Mode.MAX)
                .thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS).threshold(0.01).patience(1).build();
        assertThat(feed(s, 0.5, 0.505, 0.52, 0.525, 0.4)).containsExactly(new double[] {1, 1, 1, 1, 0.1},
                within(1e-15));
    }

    @Test
    void stepAlone_neverChangesTheRate() {
        ReduceLROnPlateau s = LearningRateSchedules.reduceOnPlateau(0.3);
        for (int i = 0; i < 1000; i++) {
            s.step();
        }
        assertThat(s.learningRate()).isEqualTo(0.3);
        assertThat(s.stepCount()).isEqualTo(1000);
    }

    @Test
    void badConfiguration_isRejected() {
        assertThatThrownBy(() -> ReduceLROnPlateau.builder(0.1).factor(1.0)).hasMessageContaining("factor");
        assertThatThrownBy(() -> ReduceLROnPlateau.builder(0.1).patience(-1)).hasMessageContaining("patience");
        assertThatThrownBy(() -> ReduceLROnPlateau.builder(-0.1)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> ReduceLROnPlateau.builder(0.1).minLr(-1)).hasMessageContaining("minLr");
    }
}
