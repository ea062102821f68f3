package io.autoglm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import javax.imageio.ImageIO;

/** Draws best-so-far regret vs trial (median line, quartile band, log y), one panel per function. */
final class HpoConvergencePlot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
    private static final double FLOOR = 1e-6;

    private HpoConvergencePlot() {
    }

    static void write(List<HpoBenchRun> runs, Path out) {
        System.setProperty("java.awt.headless", "true");
        Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> groups = HpoBenchRun.group(runs);
        int panels = groups.size();
        int cols = Math.min(3, panels);
        int rows = (panels + cols - 1) / cols;
        int pw = 480;
        int ph = 340;
        BufferedImage img = new BufferedImage(cols * pw, rows * ph + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        List<String> samplers = runs.stream().map(HpoBenchRun::sampler).distinct().toList();
        int p = 0;
        for (var e : groups.entrySet()) {
            panel(g, e.getKey(), e.getValue(), samplers, (p % cols) * pw, (p / cols) * ph, pw, ph);
            p++;
        }
        // legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int x = 20;
        int y = rows * ph + 25;
        for (int i = 0; i < samplers.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(x, y - 10, 24, 10);
            g.setColor(Color.BLACK);
            g.drawString(samplers.get(i), x + 30, y);
            x += 40 + g.getFontMetrics().stringWidth(samplers.get(i)) + 20;
        }
        g.drawString("median (line) and quartiles (band) of best-so-far regret over seeds; log scale", x + 20, y);
        g.dispose();
        try {
            ImageIO.write(img, "png", out.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static void panel(Graphics2D g, HpoBenchmarkFunction fn, Map<String, List<HpoBenchRun>> bySampler,
            List<String> samplers, int ox, int oy, int w, int h) {
        int left = ox + 60;
        int right = ox + w - 15;
        int top = oy + 30;
        int bottom = oy + h - 40;
        int trials = bySampler.values().iterator().next().get(0).bestSoFar().length;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<HpoBenchRun> rs : bySampler.values()) {
            for (HpoBenchRun r : rs) {
                for (int t = 0; t < trials; t++) {
                    double v = Math.log10(Math.max(FLOOR, r.regretAt(t)));
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        lo = Math.floor(lo);
        hi = Math.ceil(hi);
        if (hi <= lo) {
            hi = lo + 1;
        }
        double yLo = lo;
        double yHi = hi;
        // pixel column of a trial index, pixel row of a log10 regret
        IntToDoubleFunction x = t -> left + (double) (t + 1) / trials * (right - left);
        DoubleUnaryOperator y = v -> bottom - (v - yLo) / (yHi - yLo) * (bottom - top);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(fn.cliName(), left, oy + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(new Color(0xdddddd));
        for (int d = (int) lo; d <= (int) hi; d++) {
            int yy = (int) y.applyAsDouble(d);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, yy, right, yy);
            g.setColor(Color.DARK_GRAY);
            g.drawString("1e" + d, ox + 18, yy + 4);
        }
        for (int t = 0; t <= trials; t += Math.max(10, trials / 5 / 10 * 10)) {
            int xx = (int) (left + (double) t / trials * (right - left));
            g.setColor(Color.DARK_GRAY);
            g.drawString(Integer.toString(t), xx - 8, bottom + 15);
        }
        g.drawString("trial", (left + right) / 2 - 10, bottom + 30);
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        for (var e : bySampler.entrySet()) {
            Color c = COLORS[samplers.indexOf(e.getKey()) % COLORS.length];
            List<HpoBenchRun> rs = e.getValue();
            double[] med = new double[trials];
            double[] q1 = new double[trials];
            double[] q3 = new double[trials];
            for (int t = 0; t < trials; t++) {
                final int tt = t;
                double[] v = rs.stream().mapToDouble(r -> Math.log10(Math.max(FLOOR, r.regretAt(tt)))).toArray();
                med[t] = HpoBenchRun.median(v);
                q1[t] = HpoBenchRun.quantile(v, 0.25);
                q3[t] = HpoBenchRun.quantile(v, 0.75);
            }
            Path2D band = trace(q3, x, y);
            for (int t = trials - 1; t >= 0; t--) {
                band.lineTo(x.applyAsDouble(t), y.applyAsDouble(q1[t]));
            }
            band.closePath();
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            g.fill(band);
            Path2D line = trace(med, x, y);
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            g.draw(line);
            g.setStroke(new BasicStroke(1f));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "regret (min %.4g)", fn.minimum), left + 5, top + 14);
    }

    /**
     * @param values one value per trial
     * @param x pixel column of a trial index
     * @param y pixel row of a value
     * @return an open path through the values in trial order
     */
    private static Path2D trace(double[] values, IntToDoubleFunction x, DoubleUnaryOperator y) {
        Path2D path = new Path2D.Double();
        path.moveTo(x.applyAsDouble(0), y.applyAsDouble(values[0]));
        for (int t = 1; t < values.length; t++) {
            path.lineTo(x.applyAsDouble(t), y.applyAsDouble(values[t]));
        }
        return path;
    }
}
