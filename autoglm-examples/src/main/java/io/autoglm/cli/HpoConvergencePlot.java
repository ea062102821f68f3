package io.autoglm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
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

    private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final String CAPTION = "median (line) and quartiles (band) of best-so-far regret over seeds; log scale";
    private static final int MARGIN = 20;
    private static final int SWATCH = 24;
    private static final int LINE_HEIGHT = 22;

    /**
     * A legend entry placed on the image: a colour swatch at (x, baseline - 10) and its label after it.
     *
     * @param label the text
     * @param x left edge of the swatch
     * @param baseline text baseline
     * @param width swatch, gap and label width in pixels
     * @param swatch whether it has a colour swatch (the caption's words have none)
     */
    record LegendItem(String label, int x, int baseline, int width, boolean swatch) {
    }

    /**
     * Lays the legend out in rows inside {@code width}: the sampler entries flow left to right and wrap, then
     * the caption follows on its own rows, wrapped at words.
     *
     * @param samplers sampler names, one swatch each
     * @param width image width
     * @param top baseline of the first row
     * @param fm metrics of the legend font
     * @return the placed items; every one lies within [MARGIN, width - MARGIN]
     */
    static List<LegendItem> legend(List<String> samplers, int width, int top, FontMetrics fm) {
        List<LegendItem> items = new java.util.ArrayList<>();
        int right = width - MARGIN;
        int x = MARGIN;
        int y = top;
        for (String s : samplers) {
            int w = SWATCH + 6 + fm.stringWidth(s);
            if (x > MARGIN && x + w > right) {
                x = MARGIN;
                y += LINE_HEIGHT;
            }
            items.add(new LegendItem(s, x, y, w, true));
            x += w + 24;
        }
        x = MARGIN;
        y += LINE_HEIGHT;
        StringBuilder line = new StringBuilder();
        for (String word : CAPTION.split(" ")) {
            String next = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && x + fm.stringWidth(next) > right) {
                items.add(new LegendItem(line.toString(), x, y, fm.stringWidth(line.toString()), false));
                y += LINE_HEIGHT;
                line.setLength(0);
                line.append(word);
            } else {
                line.setLength(0);
                line.append(next);
            }
        }
        items.add(new LegendItem(line.toString(), x, y, fm.stringWidth(line.toString()), false));
        return items;
    }

    static void write(List<HpoBenchRun> runs, Path out) {
        System.setProperty("java.awt.headless", "true");
        Map<HpoBenchmarkFunction, Map<String, List<HpoBenchRun>>> groups = HpoBenchRun.group(runs);
        int panels = groups.size();
        int cols = Math.min(3, panels);
        int rows = (panels + cols - 1) / cols;
        int pw = 480;
        int ph = 340;
        int width = cols * pw;
        List<String> samplers = runs.stream().map(HpoBenchRun::sampler).distinct().toList();
        // measure the legend first: the image is as tall as the panels plus every legend row
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(LEGEND_FONT);
        List<LegendItem> legend = legend(samplers, width, rows * ph + 25, pg.getFontMetrics());
        pg.dispose();
        int height = legend.getLast().baseline() + 15;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        int p = 0;
        for (var e : groups.entrySet()) {
            panel(g, e.getKey(), e.getValue(), samplers, (p % cols) * pw, (p / cols) * ph, pw, ph);
            p++;
        }
        g.setFont(LEGEND_FONT);
        for (LegendItem item : legend) {
            int textX = item.x();
            if (item.swatch()) {
                g.setColor(COLORS[samplers.indexOf(item.label()) % COLORS.length]);
                g.fillRect(item.x(), item.baseline() - 10, SWATCH, 10);
                textX += SWATCH + 6;
            }
            g.setColor(Color.BLACK);
            g.drawString(item.label(), textX, item.baseline());
        }
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
                med[t] = Stats.median(v);
                q1[t] = Stats.quantile(v, 0.25);
                q3[t] = Stats.quantile(v, 0.75);
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
