package io.autoglm.examples.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runnable proof of the gradient-variance adaptive schedule: on digits with the MLP, find the best
 * constant learning rate of a grid, then start both a constant and the adaptive schedule from 10x and
 * from 1/100x that rate, and print the mean final validation accuracy over seeds as a Markdown table.
 *
 * <pre>
 * java -cp autoglm.jar io.autoglm.examples.train.AdaptiveComparison [--data-dir DIR] [--seeds 5] [--epochs 20]
 * </pre>
 */
public final class AdaptiveComparison {
    /** The constant-rate grid searched for the best rate. */
    public static final double[] GRID = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3};

    private AdaptiveComparison() {
    }

    /**
     * Outcome of one comparison.
     *
     * @param bestLr the best constant rate of the grid
     * @param gridAccuracy mean final validation accuracy of each grid rate
     * @param rows mean final validation accuracy of each (schedule, start rate) run, keyed "constant@lr" /
     *     "adaptive@lr"
     * @param seeds the seeds used
     * @param epochs epochs per run
     */
    public record Comparison(double bestLr, Map<Double, Double> gridAccuracy, Map<String, Double> rows,
            List<Long> seeds, int epochs) {

        /** @return mean accuracy of the best constant rate */
        public double bestAccuracy() {
            return gridAccuracy.get(bestLr);
        }

        /**
         * @param schedule constant or adaptive
         * @param factor start rate relative to the best constant (10 or 0.01)
         * @return the mean accuracy of that run
         */
        public double accuracy(String schedule, double factor) {
            return rows.get(key(schedule, bestLr * factor));
        }

        /** @return the Markdown table */
        public String toMarkdown() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "Constant-rate grid (mean final val accuracy over %d seeds, %d epochs):%n%n",
                    seeds.size(), epochs));
            sb.append("| constant lr | val accuracy |\n|---:|---:|\n");
            gridAccuracy.forEach((lr, acc) -> sb.append(String.format(Locale.ROOT, "| %s%s | %.2f %% |%n", fmt(lr),
                    lr == bestLr ? " (best)" : "", acc * 100)));
            sb.append(String.format(Locale.ROOT, "%n| start lr | constant | adaptive | best constant (%s) |%n",
                    fmt(bestLr)));
            sb.append("|---|---:|---:|---:|\n");
            for (double f : new double[] {10, 0.01}) {
                sb.append(String.format(Locale.ROOT, "| %s (%s best) | %.2f %% | %.2f %% | %.2f %% |%n",
                        fmt(bestLr * f), f == 10 ? "10x" : "1/100x", accuracy("constant", f) * 100,
                        accuracy("adaptive", f) * 100, bestAccuracy() * 100));
            }
            return sb.toString();
        }
    }

    static String key(String schedule, double lr) {
        return schedule + "@" + fmt(lr);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * @param data the full digits dataset
     * @param seeds seeds (each: its own split, initialisation and batch order)
     * @param epochs epochs per run
     * @return the comparison
     */
    public static Comparison compare(Dataset data, List<Long> seeds, int epochs) {
        return compare(data, seeds, epochs, GRID);
    }

    /**
     * @param data the full digits dataset
     * @param seeds seeds (each: its own split, initialisation and batch order)
     * @param epochs epochs per run
     * @param gridRates the constant rates to search for the best one
     * @return the comparison
     */
    public static Comparison compare(Dataset data, List<Long> seeds, int epochs, double[] gridRates) {
        if (gridRates.length == 0 || seeds.isEmpty() || epochs <= 0) {
            throw new IllegalArgumentException("need a non-empty grid, seeds and epochs > 0");
        }
        List<Dataset.Split> splits = new ArrayList<>();
        for (long s : seeds) {
            splits.add(data.split(0.2, s).standardised());
        }
        Map<Double, Double> grid = new LinkedHashMap<>();
        double best = Double.NaN;
        for (double lr : gridRates) {
            double acc = mean(splits, seeds, Trainer.Schedule.CONSTANT, lr, epochs);
            grid.put(lr, acc);
            if (Double.isNaN(best) || acc > grid.get(best)) {
                best = lr;
            }
        }
        Map<String, Double> rows = new LinkedHashMap<>();
        for (double f : new double[] {10, 0.01}) {
            double lr = best * f;
            rows.put(key("constant", lr), mean(splits, seeds, Trainer.Schedule.CONSTANT, lr, epochs));
            rows.put(key("adaptive", lr), mean(splits, seeds, Trainer.Schedule.ADAPTIVE, lr, epochs));
        }
        return new Comparison(best, grid, rows, List.copyOf(seeds), epochs);
    }

    private static double mean(List<Dataset.Split> splits, List<Long> seeds, Trainer.Schedule schedule, double lr,
            int epochs) {
        // runs are independent and deterministic: spread the seeds over the available cores
        double sum = java.util.stream.IntStream.range(0, seeds.size()).parallel()
                .mapToDouble(i -> Trainer.train(splits.get(i), Trainer.Config.of("mlp", schedule, lr, epochs,
                        seeds.get(i)), s -> { }).last().valAccuracy())
                .sum();
        return sum / seeds.size();
    }

    /**
     * @param args {@code [--data-dir DIR] [--seeds N] [--epochs N]}
     * @throws IOException if the dataset cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path dir = null;
        int seeds = 5;
        int epochs = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dir = Path.of(args[++i]);
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--data-dir DIR] [--seeds N] [--epochs N]");
            }
        }
        Dataset digits = Dataset.load(Dataset.locateDir(dir), "digits");
        List<Long> s = new ArrayList<>();
        for (long k = 1; k <= seeds; k++) {
            s.add(k);
        }
        long t0 = System.nanoTime();
        Comparison c = compare(digits, s, epochs);
        System.out.print(c.toMarkdown());
        System.out.printf(Locale.ROOT, "%n(%.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }
}
