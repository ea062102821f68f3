package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

    /** AUC by its definition: the share of (positive, negative) pairs ranked right, ties one half. */
    private static double bruteForceAuc(double[] s, boolean[] y) {
        double ok = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (y[i] && !y[j]) {
                    pairs++;
                    ok += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        return ok / pairs;
    }

    @Test
    void auc_equalsThePairCount_withTies() {
        Random r = new Random(3);
        for (int rep = 0; rep < 20; rep++) {
            int n = 50 + r.nextInt(200);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextDouble() < 0.2;
                s[i] = Math.round((r.nextGaussian() + (y[i] ? 1 : 0)) * 4) / 4.0; // many ties
            }
            y[0] = true;
            y[1] = false;
            assertThat(Metrics.auc(s, y)).isCloseTo(bruteForceAuc(s, y), within(1e-12));
        }
    }

    @Test
    void auc_knownValues() {
        boolean[] y = {false, false, true, true};
        assertThat(Metrics.auc(new double[] {0.1, 0.4, 0.35, 0.8}, y)).isEqualTo(0.75);
        assertThat(Metrics.auc(new double[] {0.1, 0.2, 0.3, 0.4}, y)).isEqualTo(1.0);
        assertThat(Metrics.auc(new double[] {0.5, 0.5, 0.5, 0.5}, y)).isEqualTo(0.5);
        assertThat(Metrics.auc(new double[] {0.5, 0.5}, new boolean[] {true, true})).isNaN();
    }

    @Test
    void recallAtFpr_countsOnlyThresholdsWithinTheBudget() {
        // 100 negatives at 0..0.99, 10 positives: 5 above every negative, 5 in between
        double[] s = new double[110];
        boolean[] y = new boolean[110];
        for (int i = 0; i < 100; i++) {
            s[i] = i / 100.0;
        }
        for (int i = 0; i < 5; i++) {
            s[100 + i] = 2 + i;
            y[100 + i] = true;
            s[105 + i] = 0.985 - i * 0.1; // 0.985 is above 1 negative (0.99) ... below
            y[105 + i] = true;
        }
        // at FPR <= 1 % one negative may pass: threshold 0.99 -> positives >= 0.99 are the 5 top ones
        assertThat(Metrics.recallAtFpr(s, y, 0.01)).isEqualTo(0.6); // 0.985 passes once 0.99 is in
        assertThat(Metrics.recallAtFpr(s, y, 0.0)).isEqualTo(0.5);
        assertThat(Metrics.recallAtFpr(s, y, 1.0)).isEqualTo(1.0);
    }

    @Test
    void roc_andPr_endpoints() {
        double[] s = {0.9, 0.8, 0.3, 0.2};
        boolean[] y = {true, false, true, false};
        List<Metrics.Point> roc = Metrics.roc(s, y);
        assertThat(roc.getFirst()).isEqualTo(new Metrics.Point(0, 0));
        assertThat(roc.getLast()).isEqualTo(new Metrics.Point(1, 1));
        assertThat(roc).contains(new Metrics.Point(0, 0.5), new Metrics.Point(0.5, 0.5), new Metrics.Point(0.5, 1));
        List<Metrics.Point> pr = Metrics.precisionRecall(s, y);
        assertThat(pr.getFirst()).isEqualTo(new Metrics.Point(0.5, 1));
        assertThat(pr.getLast()).isEqualTo(new Metrics.Point(1, 0.5));
    }

    @Test
    void calibration_ece_brier() {
        // predictions 0.1 (observed 1 in 10) and 0.7 (observed 7 in 10): perfectly calibrated
        double[] p = new double[20];
        boolean[] y = new boolean[20];
        for (int i = 0; i < 10; i++) {
            p[i] = 0.1;
            y[i] = i == 0;
            p[10 + i] = 0.7;
            y[10 + i] = i < 7;
        }
        assertThat(Metrics.expectedCalibrationError(p, y, 10)).isCloseTo(0, within(1e-12));
        assertThat(Metrics.calibration(p, y, 10)).hasSize(2);
        // shift every prediction by 0.1: ECE 0.1
        double[] q = p.clone();
        for (int i = 0; i < q.length; i++) {
            q[i] += 0.1;
        }
        assertThat(Metrics.expectedCalibrationError(q, y, 10)).isCloseTo(0.1, within(1e-12));
        assertThat(Metrics.brier(new double[] {1, 0}, new boolean[] {true, true})).isEqualTo(0.5);
    }
}
