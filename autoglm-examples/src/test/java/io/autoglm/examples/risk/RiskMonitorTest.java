package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The monitor's alert logic on controlled score streams (the demo test checks it on the real pipeline). */
class RiskMonitorTest {
    private static final long T0 = TransactionGenerator.START_TS;

    /** Rows per hour with a daily cycle; scores log-normal-ish, higher at night (as fraud is). */
    private static int perHour(int h) {
        return 40 + (int) (120 * Math.max(0, Math.sin(Math.PI * (h - 6) / 16.0)));
    }

    private static double score(Random r, int hourOfDay, double shift) {
        double night = hourOfDay < 6 ? 0.5 : 0;
        return 1 / (1 + Math.exp(-(-4 + night + shift + r.nextGaussian())));
    }

    private static RiskMonitor referenced(Random r) {
        int n = 0;
        for (int h = 0; h < 48; h++) {
            n += perHour(h % 24);
        }
        double[][] rows = new double[n][];
        double[] s = new double[n];
        long[] ts = new long[n];
        int k = 0;
        for (int h = 0; h < 48; h++) {
            for (int i = 0; i < perHour(h % 24); i++) {
                rows[k] = row(r, 0);
                s[k] = score(r, h % 24, 0);
                ts[k++] = T0 + h * 3600L + i;
            }
        }
        RiskMonitor m = RiskMonitor.builder().build();
        m.setReference(rows, s, ts, 0.97, 1);
        return m;
    }

    private static double[] row(Random r, double shift) {
        double[] x = new double[Features.count()];
        x[0] = Math.exp(3 + r.nextGaussian() + shift);
        x[1] = r.nextInt(3);
        x[Features.CATEGORY] = r.nextInt(5);
        x[Features.CHANNEL] = r.nextInt(2);
        return x;
    }

    private static void hour(RiskMonitor m, Random r, long h, double shift) {
        int n = perHour((int) (h % 24));
        double[][] rows = new double[n][];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            rows[i] = row(r, shift);
            s[i] = score(r, (int) (h % 24), shift);
        }
        m.observeHour(T0 + h * 3600, rows, s);
    }

    @Test
    void stationaryWeek_raisesNoAlarm_despiteTheDailyCycle() {
        Random r = new Random(1);
        RiskMonitor m = referenced(r);
        for (long h = 48; h < 48 + 7 * 24; h++) {
            hour(m, r, h, 0);
        }
        assertThat(m.alerts()).filteredOn(Alert::isAlarm).isEmpty();
        assertThat(m.hours()).hasSize(7 * 24);
        assertThat(m.hours().stream().filter(x -> !Double.isNaN(x.psi())).mapToDouble(RiskMonitor.HourReport::psi).max()
                .orElseThrow()).isLessThan(0.1);
    }

    @Test
    void shiftedScores_raiseOnePredictionDriftAlert_withinHours_namingTheFeature() {
        Random r = new Random(2);
        RiskMonitor m = referenced(r);
        for (long h = 48; h < 72; h++) {
            hour(m, r, h, 0);
        }
        long driftHour = 72 + 8; // 08:00 on day 3
        for (long h = 72; h < driftHour; h++) {
            hour(m, r, h, 0);
        }
        for (long h = driftHour; h < driftHour + 24; h++) {
            hour(m, r, h, 1.0);
        }
        var alarms = m.alerts().stream().filter(a -> a.type() == Alert.Type.PREDICTION_DRIFT).toList();
        assertThat(alarms).hasSize(1); // raised once while it stays above the threshold
        double delayHours = (alarms.getFirst().ts() + 3600 - (T0 + driftHour * 3600)) / 3600.0;
        assertThat(delayHours).isBetween(1.0, 4.0);
        assertThat(m.alarmActive()).isTrue();
        assertThat(m.alerts()).anyMatch(a -> a.type() == Alert.Type.FEATURE_DRIFT && a.message().contains("amount"));
        assertThat(m.snapshot().activeAlerts()).contains(Alert.Type.PREDICTION_DRIFT);
        assertThat(m.snapshot().predictionPsi()).isGreaterThan(0.15);
    }

    @Test
    void aucDecay_firesOnlyForADropAboveOneTenth() {
        Random r = new Random(3);
        RiskMonitor m = referenced(r);
        double[] s = new double[1000];
        boolean[] y = new boolean[1000];
        for (int i = 0; i < s.length; i++) {
            y[i] = i % 20 == 0;
            s[i] = r.nextGaussian() + (y[i] ? 2.4 : 0); // AUC about 0.95
        }
        assertThat(m.observeDay(T0, s, y).alarm()).isFalse();
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextGaussian() + (y[i] ? 0.8 : 0); // AUC about 0.71
        }
        RiskMonitor.DayReport bad = m.observeDay(T0 + 86_400, s, y);
        assertThat(bad.alarm()).isTrue();
        assertThat(m.alerts()).filteredOn(a -> a.type() == Alert.Type.AUC_DECAY).hasSize(1);
        assertThat(m.snapshot().dailyAuc()).isEqualTo(bad.auc());
    }

    @Test
    void snapshot_rendersPrometheusText() {
        Random r = new Random(4);
        RiskMonitor m = referenced(r);
        for (long h = 48; h < 72; h++) {
            hour(m, r, h, 0);
        }
        m.recordRetrain(true);
        String text = m.snapshot().toPrometheusText();
        assertThat(text).contains("# TYPE autoglm_risk_prediction_psi gauge\nautoglm_risk_prediction_psi 0.")
                .contains("autoglm_risk_feature_psi{feature=\"amount\"} ")
                .contains("autoglm_risk_alert_active{type=\"prediction_drift\"} 0")
                .contains("autoglm_risk_retrains_total 1").contains("autoglm_risk_promotions_total 1")
                .contains("autoglm_risk_model_version 1");
        assertThat(m.snapshot().scored()).isGreaterThan(0);
    }

    @Test
    void misuse_isRejected() {
        RiskMonitor m = RiskMonitor.builder().build();
        assertThatThrownBy(() -> m.observeHour(T0, new double[0][], new double[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("setReference must be called before observeHour");
        assertThatThrownBy(() -> RiskMonitor.builder().windowHours(0)).hasMessage("windowHours must be in [1, 24], was 0");
        assertThatThrownBy(() -> m.setReference(new double[5][], new double[5], new long[5], 0.9, 1))
                .hasMessage("reference must have at least 100 rows, had 5");
    }
}
