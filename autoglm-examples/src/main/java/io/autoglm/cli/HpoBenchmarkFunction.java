package io.autoglm.cli;

import java.util.Arrays;
import java.util.Locale;

/**
 * The benchmark functions of {@code autoglm hpo bench}, as defined in the SFU virtual library of simulation
 * experiments, with the domains of issue 4. All are minimised over continuous (linear) parameters.
 */
enum HpoBenchmarkFunction {
    BRANIN(new double[] {-5, 0}, new double[] {10, 15}, 0.397887357729738) {
        @Override
        double value(double[] x) {
            double b = 5.1 / (4 * Math.PI * Math.PI);
            double c = 5 / Math.PI;
            double t = 1 / (8 * Math.PI);
            double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
            return u * u + 10 * (1 - t) * Math.cos(x[0]) + 10;
        }
    },
    HARTMANN6(fill(6, 0), fill(6, 1), -3.322368011415512) {
        private static final double[][] A = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
            {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
        private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
        private static final double[][] P = {{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
            {2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381}};

        @Override
        double value(double[] x) {
            double s = 0;
            for (int i = 0; i < 4; i++) {
                double inner = 0;
                for (int j = 0; j < 6; j++) {
                    double d = x[j] - P[i][j] * 1e-4;
                    inner += A[i][j] * d * d;
                }
                s += ALPHA[i] * Math.exp(-inner);
            }
            return -s;
        }
    },
    ROSENBROCK5(fill(5, -5), fill(5, 10), 0.0) {
        @Override
        double value(double[] x) {
            double s = 0;
            for (int i = 0; i < x.length - 1; i++) {
                double a = x[i + 1] - x[i] * x[i];
                double b = x[i] - 1;
                s += 100 * a * a + b * b;
            }
            return s;
        }
    },
    STYBLINSKI_TANG8(fill(8, -5), fill(8, 5), -39.16616570377142 * 8) {
        @Override
        double value(double[] x) {
            double s = 0;
            for (double v : x) {
                s += v * v * v * v - 16 * v * v + 5 * v;
            }
            return s / 2;
        }
    },
    ACKLEY5(fill(5, -32.768), fill(5, 32.768), 0.0) {
        @Override
        double value(double[] x) {
            double sq = 0;
            double cs = 0;
            for (double v : x) {
                sq += v * v;
                cs += Math.cos(2 * Math.PI * v);
            }
            int d = x.length;
            return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cs / d) + 20 + Math.E;
        }
    };

    final double[] low;
    final double[] high;
    final double minimum;

    HpoBenchmarkFunction(double[] low, double[] high, double minimum) {
        this.low = low;
        this.high = high;
        this.minimum = minimum;
    }

    abstract double value(double[] x);

    int dimension() {
        return low.length;
    }

    /** @return the CLI name, e.g. {@code styblinski_tang8} */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static HpoBenchmarkFunction parse(String s) {
        for (HpoBenchmarkFunction f : values()) {
            if (f.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown function '" + s + "'; expected one of "
                + Arrays.stream(values()).map(HpoBenchmarkFunction::cliName).toList() + " or all");
    }

    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
