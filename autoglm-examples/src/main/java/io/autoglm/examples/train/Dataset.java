package io.autoglm.examples.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * A small classification dataset held in memory: features {@code x[n][d]} and labels {@code y[n]}
 * in {@code [0, classes)}.
 *
 * @param name dataset name
 * @param x feature rows
 * @param y labels
 * @param classes number of classes
 */
public record Dataset(String name, double[][] x, int[] y, int classes) {

    /** Validates shapes. */
    public Dataset {
        Objects.requireNonNull(name, "name");
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException("dataset " + name + ": " + x.length + " rows but " + y.length
                    + " labels");
        }
    }

    /** @return number of rows */
    public int size() {
        return x.length;
    }

    /** @return number of features */
    public int features() {
        return x[0].length;
    }

    /**
     * Finds the datasets folder: {@code explicit} if given, else the {@code datasets} folder beside
     * {@code $AUTOGLM_TEST_MODELS}, else {@code ../shared/datasets} relative to the system property
     * {@code autoglm.root} or to the working directory and its parent.
     *
     * @param explicit a folder given by the user, or {@code null}
     * @return the folder
     * @throws IllegalArgumentException if none of the candidates exists
     */
    public static Path locateDir(Path explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit != null) {
            candidates.add(explicit);
        } else {
            String models = System.getenv("AUTOGLM_TEST_MODELS");
            if (models != null && !models.isBlank()) {
                Path m = Path.of(models).toAbsolutePath().normalize();
                if (m.getParent() != null) {
                    candidates.add(m.getParent().resolve("datasets"));
                }
            }
            String root = System.getProperty("autoglm.root");
            if (root != null && !root.isBlank()) {
                candidates.add(Path.of(root).resolve("../shared/datasets"));
            }
            candidates.add(Path.of("../shared/datasets"));
            candidates.add(Path.of("../../shared/datasets"));
        }
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalArgumentException("datasets folder not found (tried " + candidates
                + "); pass --data-dir or set AUTOGLM_TEST_MODELS to <shared>/models");
    }

    /**
     * Loads {@code digits} (digits.csv.gz: 64 features, 10 classes, no header) or {@code breast_cancer}
     * (breast_cancer.csv: header line, 30 features, 2 classes).
     *
     * @param dir the datasets folder
     * @param name {@code digits} or {@code breast_cancer}
     * @return the dataset
     * @throws IOException if the file cannot be read
     */
    public static Dataset load(Path dir, String name) throws IOException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "digits" -> read(dir.resolve("digits.csv.gz"), "digits", true, false);
            case "breast_cancer" -> read(dir.resolve("breast_cancer.csv"), "breast_cancer", false, true);
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "', expected digits or "
                    + "breast_cancer");
        };
    }

    private static Dataset read(Path file, String name, boolean gzip, boolean header) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("dataset file not found: " + file);
        }
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (var in = gzip ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            boolean first = true;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (first && header) {
                    first = false;
                    continue;
                }
                first = false;
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] parts = line.split(",");
                double[] row = new double[parts.length - 1];
                try {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Double.parseDouble(parts[j]);
                    }
                    labels.add((int) Double.parseDouble(parts[parts.length - 1]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": not a number: " + e.getMessage());
                }
                if (!rows.isEmpty() && rows.getFirst().length != row.length) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": " + row.length
                            + " features, expected " + rows.getFirst().length);
                }
                rows.add(row);
            }
        }
        int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
        int classes = 0;
        for (int v : y) {
            if (v < 0) {
                throw new IllegalArgumentException(file + ": negative label " + v);
            }
            classes = Math.max(classes, v + 1);
        }
        return new Dataset(name, rows.toArray(double[][]::new), y, classes);
    }

    /**
     * A shuffled split, the same for the same seed.
     *
     * @param valFraction fraction of rows for validation, in (0, 1)
     * @param seed shuffle seed
     * @return train and validation parts
     */
    public Split split(double valFraction, long seed) {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction must be in (0, 1), was " + valFraction);
        }
        int n = size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int nVal = Math.max(1, (int) Math.round(n * valFraction));
        return new Split(subset(idx, nVal, n), subset(idx, 0, nVal));
    }

    private Dataset subset(int[] idx, int from, int to) {
        double[][] sx = new double[to - from][];
        int[] sy = new int[to - from];
        for (int i = from; i < to; i++) {
            sx[i - from] = x[idx[i]].clone();
            sy[i - from] = y[idx[i]];
        }
        return new Dataset(name, sx, sy, classes);
    }

    /**
     * Train and validation parts.
     *
     * @param train training rows
     * @param val validation rows
     */
    public record Split(Dataset train, Dataset val) {

        /**
         * Standardises both parts with the training part's per-feature mean and standard deviation
         * (a constant feature is only centred).
         *
         * @return the standardised split
         */
        public Split standardised() {
            int d = train.features();
            double[] mean = new double[d];
            double[] sd = new double[d];
            for (double[] r : train.x()) {
                for (int j = 0; j < d; j++) {
                    mean[j] += r[j];
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= train.size();
            }
            for (double[] r : train.x()) {
                for (int j = 0; j < d; j++) {
                    sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
                }
            }
            for (int j = 0; j < d; j++) {
                sd[j] = Math.sqrt(sd[j] / train.size());
                if (sd[j] < 1e-12) {
                    sd[j] = 1;
                }
            }
            return new Split(apply(train, mean, sd), apply(val, mean, sd));
        }

        private static Dataset apply(Dataset ds, double[] mean, double[] sd) {
            double[][] x = new double[ds.size()][];
            for (int i = 0; i < x.length; i++) {
                double[] r = ds.x()[i];
                double[] o = new double[r.length];
                for (int j = 0; j < r.length; j++) {
                    o[j] = (r[j] - mean[j]) / sd[j];
                }
                x[i] = o;
            }
            return new Dataset(ds.name(), x, ds.y(), ds.classes());
        }
    }
}
