package io.autoglm.examples.risk;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The walk-through's HTML report: the figures, and JFreeChart plots rendered to PNG and embedded
 * (ROC and precision-recall curves against the baseline, score histograms by class, SHAP summary,
 * calibration, prediction drift per hour and AUC per day with the alerts, the drift and the
 * promotions marked). One self-contained file.
 */
public final class RiskReport {
    private static final int W = 760;
    private static final int H = 420;
    private static final Color XGB = new Color(0x1f77b4);
    private static final Color LOGIT = new Color(0xff7f0e);
    private static final Color ALERT = new Color(0xd62728);
    private static final Color PROMOTE = new Color(0x2ca02c);

    private RiskReport() {
    }

    /**
     * @param r a run's result
     * @param out the HTML file to write
     */
    public static void write(RiskDemo.Result r, Path out) {
        System.setProperty("java.awt.headless", "true");
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(out, html(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + out + ": " + e.getMessage(), e);
        }
    }

    static List<JFreeChart> charts(RiskDemo.Result r) {
        List<JFreeChart> c = new ArrayList<>();
        c.add(roc(r));
        c.add(pr(r));
        c.add(histogram(r));
        c.add(shap(r));
        c.add(calibration(r));
        c.add(drift(r));
        c.add(auc(r));
        return c;
    }

    static String html(RiskDemo.Result r) {
        RiskDemo.Config c = r.config();
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AutoGLM risk-control report</title>")
                .append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
                .append("th{background:#f4f4f4}img{display:block;margin:1em 0;border:1px solid #ddd}</style></head><body>");
        b.append("<h1>Financial risk control: walk-through report</h1>");
        b.append(String.format(Locale.ROOT, "<p>%d simulated days, %,d transactions (%,d fraud), seed %d, database %s. "
                + "Monitoring starts on day %d; %s; figures on the last %d days, which no model trained on.</p>",
                c.days(), c.transactions(), r.fraudRows(), c.seed(), esc(c.db()), c.trainDays(),
                r.driftTs() < 0 ? "no drift injected" : "drift injected on day " + c.driftDay(), c.evalDays()));
        b.append("<h2>Figures</h2><table><tr><th>figure</th><th>value</th><th>target</th></tr>");
        row(b, "held-out AUC, XGBoost", f4(r.auc()), "&ge; 0.95");
        row(b, "held-out AUC, logistic baseline", f4(r.logisticAuc()), "");
        row(b, "recall at 1 % FPR, XGBoost", f4(r.recallAt1pctFpr()), "");
        row(b, "recall at 1 % FPR, logistic baseline", f4(r.logisticRecallAt1pctFpr()), "");
        row(b, "online scoring, one thread", String.format(Locale.ROOT, "%,.0f tx/s (%,d transactions)", r.scoringTps(),
                r.onlineScored()), "&ge; 2,000 tx/s");
        row(b, "online latency p50 / p99", String.format(Locale.ROOT, "%.3f / %.3f ms", r.scoringP50Ms(), r.scoringP99Ms()),
                "p99 &le; 10 ms");
        row(b, "online scoring in CPU time of the scoring thread", String.format(Locale.ROOT, "%,.0f tx/s, p99 %.3f ms",
                r.scoringCpuTps(), r.scoringCpuP99Ms()), "");
        row(b, "online vs batch feature mismatches", Integer.toString(r.parityMismatches()), "0");
        row(b, "drift alarm delay", Double.isNaN(r.driftAlarmDelayHours()) ? "none"
                : String.format(Locale.ROOT, "%.0f h", r.driftAlarmDelayHours()), "within hours");
        row(b, "false alarms before the drift", r.falseAlarms() + " in " + r.stationaryDays() + " days",
                "&le; 1 per week");
        row(b, "calibration on the reference days", String.format(Locale.ROOT, "ECE %.4f, Brier %.5f", r.ece(), r.brier()), "");
        row(b, "tuning", String.format(Locale.ROOT, "%d trials, %d pruned by ASHA, best CV AUC %.4f",
                r.tuning().trials().size(), r.tuning().pruned(), r.tuning().bestAuc()), "");
        row(b, "best parameters", esc(r.tuning().best().asMap().toString()), "");
        row(b, "decisions", esc(r.decisionCounts().toString()), "");
        row(b, "wall time", String.format(Locale.ROOT, "%.1f s", r.seconds()), "");
        b.append("</table>");
        String[] titles = {"ROC curve", "Precision-recall curve", "Scores by class", "SHAP summary", "Calibration",
            "Prediction drift per hour", "AUC per day"};
        List<JFreeChart> charts = charts(r);
        for (int i = 0; i < charts.size(); i++) {
            b.append("<h2>").append(titles[i]).append("</h2><img alt=\"").append(titles[i]).append("\" src=\"data:image/png;base64,")
                    .append(png(charts.get(i))).append("\">");
        }
        b.append("<h2>Alerts</h2><table><tr><th>day</th><th>type</th><th>message</th></tr>");
        for (Alert a : r.alerts()) {
            b.append(String.format(Locale.ROOT, "<tr><td>%.2f</td><td>%s</td><td>%s</td></tr>", day(a.ts()), a.type(),
                    esc(a.message())));
        }
        b.append("</table><h2>Retraining</h2><table><tr><th>day</th><th>candidate AUC</th><th>current AUC</th><th>outcome</th></tr>");
        for (RiskDemo.Retrain t : r.retrains()) {
            b.append(String.format(Locale.ROOT, "<tr><td>%.2f</td><td>%.4f</td><td>%.4f</td><td>%s (v%d)</td></tr>", day(t.ts()),
                    t.candidateAuc(), t.currentAuc(), t.promoted() ? "promoted" : "kept current", t.version()));
        }
        b.append("</table>");
        if (!r.caseNotes().isEmpty()) {
            b.append("<h2>Case notes (review queue)</h2><table><tr><th>tx</th><th>reasons</th><th>note</th></tr>");
            for (RiskDemo.CaseNoteExample n : r.caseNotes()) {
                b.append("<tr><td>").append(n.tx().txId()).append("</td><td>").append(esc(String.join("; ", n.decision().reasons())))
                        .append("</td><td><code>").append(esc(n.note().json())).append("</code></td></tr>");
            }
            b.append("</table>");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v, String target) {
        b.append("<tr><td>").append(k).append("</td><td>").append(v).append("</td><td>").append(target).append("</td></tr>");
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static double day(long ts) {
        return (ts - TransactionGenerator.START_TS) / 86400.0;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String png(JFreeChart chart) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(bytes, chart, W, H);
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static XYSeries series(String name, List<Metrics.Point> pts) {
        XYSeries s = new XYSeries(name, false, true);
        int step = Math.max(1, pts.size() / 2000);
        for (int i = 0; i < pts.size(); i += step) {
            s.add(pts.get(i).x(), pts.get(i).y());
        }
        Metrics.Point last = pts.getLast();
        s.add(last.x(), last.y());
        return s;
    }

    private static JFreeChart lines(String title, String x, String y, XYSeriesCollection d) {
        JFreeChart ch = ChartFactory.createXYLineChart(title, x, y, d, PlotOrientation.VERTICAL, true, false, false);
        XYPlot p = ch.getXYPlot();
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(true, false);
        Color[] colors = {XGB, LOGIT, Color.GRAY};
        for (int i = 0; i < d.getSeriesCount(); i++) {
            rr.setSeriesPaint(i, colors[Math.min(i, colors.length - 1)]);
            rr.setSeriesStroke(i, new BasicStroke(2f));
        }
        p.setRenderer(rr);
        return ch;
    }

    static JFreeChart roc(RiskDemo.Result r) {
        XYSeriesCollection d = new XYSeriesCollection();
        d.addSeries(series(String.format(Locale.ROOT, "XGBoost (AUC %.4f)", r.auc()), Metrics.roc(r.evalScores(), r.evalLabels())));
        d.addSeries(series(String.format(Locale.ROOT, "logistic (AUC %.4f)", r.logisticAuc()),
                Metrics.roc(r.evalLogistic(), r.evalLabels())));
        XYSeries diag = new XYSeries("chance");
        diag.add(0, 0);
        diag.add(1, 1);
        d.addSeries(diag);
        JFreeChart ch = lines("ROC, last " + r.config().evalDays() + " days", "false positive rate", "true positive rate", d);
        ValueMarker m = new ValueMarker(0.01, ALERT, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {4f, 4f}, 0f));
        m.setLabel("1 % FPR");
        m.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        ch.getXYPlot().addDomainMarker(m);
        return ch;
    }

    static JFreeChart pr(RiskDemo.Result r) {
        XYSeriesCollection d = new XYSeriesCollection();
        d.addSeries(series("XGBoost", Metrics.precisionRecall(r.evalScores(), r.evalLabels())));
        d.addSeries(series("logistic", Metrics.precisionRecall(r.evalLogistic(), r.evalLabels())));
        return lines("Precision-recall, last " + r.config().evalDays() + " days", "recall", "precision", d);
    }

    static JFreeChart histogram(RiskDemo.Result r) {
        HistogramDataset d = new HistogramDataset();
        d.setType(HistogramType.RELATIVE_FREQUENCY);
        List<Double> legit = new ArrayList<>();
        List<Double> fraud = new ArrayList<>();
        for (int i = 0; i < r.evalScores().length; i++) {
            (r.evalLabels()[i] ? fraud : legit).add(r.evalScores()[i]);
        }
        d.addSeries("legitimate (" + legit.size() + ")", legit.stream().mapToDouble(Double::doubleValue).toArray(), 40, 0, 1);
        if (!fraud.isEmpty()) {
            d.addSeries("fraud (" + fraud.size() + ")", fraud.stream().mapToDouble(Double::doubleValue).toArray(), 40, 0, 1);
        }
        JFreeChart ch = ChartFactory.createHistogram("XGBoost scores by class (share of the class, log scale)", "score",
                "share", d, PlotOrientation.VERTICAL, true, false, false);
        XYPlot p = ch.getXYPlot();
        p.setBackgroundPaint(Color.WHITE);
        LogAxis y = new LogAxis("share of the class");
        y.setSmallestValue(1e-4);
        p.setRangeAxis(y);
        XYBarRenderer br = (XYBarRenderer) p.getRenderer();
        br.setSeriesPaint(0, new Color(31, 119, 180, 160));
        br.setSeriesPaint(1, new Color(214, 39, 40, 160));
        br.setShadowVisible(false);
        br.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
        addMarker(p, 0.85, "reject > 0.85", ALERT, false);
        addMarker(p, 0.30, "review", LOGIT, false);
        return ch;
    }

    static JFreeChart shap(RiskDemo.Result r) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        r.meanAbsShap().entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> d.addValue(e.getValue(), "mean |SHAP|", e.getKey()));
        JFreeChart ch = ChartFactory.createBarChart("SHAP summary: mean |contribution| (log-odds), last "
                + r.config().evalDays() + " days", "feature", "mean |SHAP value|", d, PlotOrientation.HORIZONTAL, false, false,
                false);
        ch.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        ch.getCategoryPlot().getRenderer().setSeriesPaint(0, XGB);
        ((org.jfree.chart.renderer.category.BarRenderer) ch.getCategoryPlot().getRenderer()).setBarPainter(
                new org.jfree.chart.renderer.category.StandardBarPainter());
        return ch;
    }

    static JFreeChart calibration(RiskDemo.Result r) {
        XYSeriesCollection d = new XYSeriesCollection();
        XYSeries s = new XYSeries("XGBoost (ECE " + String.format(Locale.ROOT, "%.4f", r.ece()) + ")");
        for (Metrics.CalibrationBin bin : r.calibrationBins()) {
            s.add(bin.meanPredicted(), bin.observedRate());
        }
        d.addSeries(s);
        XYSeries diag = new XYSeries("perfect");
        diag.add(0, 0);
        diag.add(1, 1);
        d.addSeries(new XYSeries("(none)"));
        d.addSeries(diag);
        JFreeChart ch = lines("Calibration on the reference days (10 bins)", "mean predicted probability",
                "observed fraud rate", d);
        ((XYLineAndShapeRenderer) ch.getXYPlot().getRenderer()).setSeriesShapesVisible(0, true);
        return ch;
    }

    static JFreeChart drift(RiskDemo.Result r) {
        XYSeriesCollection d = new XYSeriesCollection();
        XYSeries psi = new XYSeries("score PSI (trailing window, at least 6 h and 1,000 scores)");
        for (RiskMonitor.HourReport h : r.hours()) {
            if (!Double.isNaN(h.psi())) {
                psi.add(day(h.ts() + 3600), h.psi());
            }
        }
        d.addSeries(psi);
        JFreeChart ch = lines("Prediction drift per hour (red: alerts, green: promotions)", "day", "PSI", d);
        XYPlot p = ch.getXYPlot();
        ValueMarker t = new ValueMarker(0.15, ALERT, new BasicStroke(1f));
        t.setLabel("alert > 0.15");
        t.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        t.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        p.addRangeMarker(t);
        markEvents(r, p, Alert.Type.PREDICTION_DRIFT);
        return ch;
    }

    static JFreeChart auc(RiskDemo.Result r) {
        XYSeriesCollection d = new XYSeriesCollection();
        XYSeries a = new XYSeries("AUC on the day's feedback labels");
        XYSeries lim = new XYSeries("baseline - 0.1 (alert below)");
        for (RiskMonitor.DayReport day : r.days()) {
            a.add(day(day.ts()) + 1, day.auc());
            lim.add(day(day.ts()) + 1, day.baseline() - 0.1);
        }
        d.addSeries(a);
        d.addSeries(lim);
        JFreeChart ch = lines("AUC per day (red: alerts, green: promotions)", "day", "AUC", d);
        XYPlot p = ch.getXYPlot();
        p.getRangeAxis().setRange(Math.max(0, lim.getMinY() - 0.05), 1.0);
        markEvents(r, p, Alert.Type.AUC_DECAY);
        return ch;
    }

    private static void markEvents(RiskDemo.Result r, XYPlot p, Alert.Type type) {
        if (r.driftTs() >= 0) {
            addMarker(p, day(r.driftTs()), "drift", Color.BLACK, true);
        }
        for (Alert a : r.alerts()) {
            if (a.type() == type) {
                addMarker(p, day(a.ts()) + (type == Alert.Type.PREDICTION_DRIFT ? 1 / 24.0 : 1), null, ALERT, false);
            }
        }
        for (RiskDemo.Retrain t : r.retrains()) {
            if (t.promoted()) {
                addMarker(p, day(t.ts()), null, PROMOTE, false);
            }
        }
    }

    private static void addMarker(XYPlot p, double x, String label, Color color, boolean dashed) {
        ValueMarker m = new ValueMarker(x, color, dashed ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f) : new BasicStroke(1.5f));
        if (label != null) {
            m.setLabel(label);
        }
        m.setLabelPaint(color);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        p.addDomainMarker(m, Layer.FOREGROUND);
    }
}
