package io.autoglm.automl.cv;

import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Loads the scikit-learn CSV datasets of {@code ../shared/datasets} (first line: n, d, class names). */
final class Datasets {
    record Data(double[][] x, double[] y) {
    }

    private Datasets() {
    }

    static Path dir() {
        return TestModels.datasetsDir();
    }

    static Data load(String name) throws IOException {
        List<String> lines = Files.readAllLines(dir().resolve(name));
        String[] head = lines.get(0).split(",");
        int n = Integer.parseInt(head[0].trim());
        int d = Integer.parseInt(head[1].trim());
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = Arrays.stream(lines.get(i + 1).split(",")).mapToDouble(Double::parseDouble).toArray();
            if (row.length != d + 1) {
                throw new IOException(name + " line " + (i + 2) + " has " + row.length + " fields, expected " + (d + 1));
            }
            x[i] = Arrays.copyOf(row, d);
            y[i] = row[d];
        }
        return new Data(x, y);
    }
}
