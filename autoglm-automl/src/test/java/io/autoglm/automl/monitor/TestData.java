package io.autoglm.automl.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Loads the shared real datasets (features only) for the drift tests. */
final class TestData {
    private TestData() {
    }

    static Path dir() {
        return TestModels.datasetsDir();
    }

    /** breast_cancer.csv: header line, 30 features, label last. */
    static double[][] breastCancer() throws IOException {
        return read(dir().resolve("breast_cancer.csv"), false, true);
    }

    /** digits.csv.gz: 64 features, label last, no header. */
    static double[][] digits() throws IOException {
        return read(dir().resolve("digits.csv.gz"), true, false);
    }

    private static double[][] read(Path f, boolean gzip, boolean header) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (var in = gzip ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            boolean skip = header;
            while ((line = r.readLine()) != null) {
                if (skip) {
                    skip = false;
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                double[] row = new double[parts.length - 1];
                for (int j = 0; j < row.length; j++) {
                    row[j] = Double.parseDouble(parts[j]);
                }
                rows.add(row);
            }
        }
        return rows.toArray(double[][]::new);
    }
}
