package io.autoglm.examples.risk;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A snapshot of the monitor's figures, safe to read from any thread (for example a metrics endpoint).
 * {@link #toPrometheusText()} renders it in Prometheus' text exposition format: the seam a server's
 * {@code /metrics} route can call until the server module registers these as Micrometer gauges.
 *
 * @param modelVersion the serving model's version
 * @param scored transactions scored so far
 * @param lastHourTs start of the last hour observed, epoch seconds (0 before the first)
 * @param predictionPsi PSI of the scores in the trailing window against the reference
 * @param predictionKl KL divergence of the same
 * @param featurePsi per feature, PSI in the trailing window
 * @param dailyAuc AUC on the last day's labelled feedback (NaN before the first day)
 * @param baselineAuc the serving model's AUC on its own hold-out days
 * @param activeAlerts alert types currently above threshold
 * @param alarmsRaised prediction-drift and AUC-decay alerts raised so far
 * @param retrains retraining runs so far
 * @param promotions models promoted by the feedback loop so far
 */
public record RiskMetrics(int modelVersion, long scored, long lastHourTs, double predictionPsi, double predictionKl,
        Map<String, Double> featurePsi, double dailyAuc, double baselineAuc, Set<Alert.Type> activeAlerts,
        int alarmsRaised, int retrains, int promotions) {

    /** Copies the collections. */
    public RiskMetrics {
        featurePsi = Map.copyOf(featurePsi);
        activeAlerts = Set.copyOf(activeAlerts);
    }

    /** @return the figures as Prometheus text exposition (gauges and counters prefixed {@code autoglm_risk_}) */
    public String toPrometheusText() {
        StringBuilder b = new StringBuilder();
        gauge(b, "model_version", "serving model version", modelVersion);
        counter(b, "scored_total", "transactions scored", scored);
        gauge(b, "prediction_psi", "PSI of the score distribution in the trailing window", predictionPsi);
        gauge(b, "prediction_kl", "KL divergence of the score distribution in the trailing window", predictionKl);
        b.append("# HELP autoglm_risk_feature_psi PSI of each feature in the trailing window\n");
        b.append("# TYPE autoglm_risk_feature_psi gauge\n");
        new TreeMap<>(featurePsi).forEach((k, v) -> b.append("autoglm_risk_feature_psi{feature=\"").append(k).append("\"} ")
                .append(num(v)).append('\n'));
        gauge(b, "daily_auc", "AUC on the last day's labelled feedback", dailyAuc);
        gauge(b, "baseline_auc", "serving model's hold-out AUC", baselineAuc);
        b.append("# HELP autoglm_risk_alert_active 1 while the alert's figure is above its threshold\n");
        b.append("# TYPE autoglm_risk_alert_active gauge\n");
        for (Alert.Type t : Alert.Type.values()) {
            b.append("autoglm_risk_alert_active{type=\"").append(t.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(activeAlerts.contains(t) ? 1 : 0).append('\n');
        }
        counter(b, "alarms_total", "prediction-drift and AUC-decay alerts raised", alarmsRaised);
        counter(b, "retrains_total", "retraining runs", retrains);
        counter(b, "promotions_total", "models promoted by the feedback loop", promotions);
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        b.append("# HELP autoglm_risk_").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE autoglm_risk_").append(name).append(" gauge\n");
        b.append("autoglm_risk_").append(name).append(' ').append(num(v)).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, double v) {
        b.append("# HELP autoglm_risk_").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE autoglm_risk_").append(name).append(" counter\n");
        b.append("autoglm_risk_").append(name).append(' ').append(num(v)).append('\n');
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
