package io.autoglm.automl.cv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Splits rows into cross-validation folds.
 *
 * <pre>{@code
 * List<Fold> folds = Folds.stratifiedKFold(y, 5, true, 42);
 * }</pre>
 */
public final class Folds {
    private Folds() {
    }

    /**
     * K-fold split: the (optionally shuffled) rows are cut into {@code k} consecutive test blocks whose
     * sizes differ by at most one; each fold trains on the other rows.
     *
     * @param n number of rows, &gt;= k
     * @param k number of folds, &gt;= 2
     * @param shuffle shuffle the rows first (seeded)
     * @param seed shuffling seed
     * @return k folds whose test sets are disjoint and cover all rows
     */
    public static List<Fold> kFold(int n, int k, boolean shuffle, long seed) {
        checkK(n, k);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            shuffle(order, new SplittableRandom(seed));
        }
        int[] foldOf = new int[n];
        int start = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int j = start; j < start + size; j++) {
                foldOf[order[j]] = f;
            }
            start += size;
        }
        return build(foldOf, k);
    }

    /**
     * Stratified k-fold split for classification: each class's rows are (optionally shuffled and) dealt
     * round-robin over the folds, so each test fold holds every class in the proportion of the whole
     * data (per-class counts differ by at most one between folds), and fold sizes differ by at most one.
     *
     * @param labels class label of each row
     * @param k number of folds, &gt;= 2 and &lt;= number of rows
     * @param shuffle shuffle each class's rows first (seeded)
     * @param seed shuffling seed
     * @return k folds whose test sets are disjoint and cover all rows
     */
    public static List<Fold> stratifiedKFold(int[] labels, int k, boolean shuffle, long seed) {
        Objects.requireNonNull(labels, "labels");
        checkK(labels.length, k);
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], c -> new ArrayList<>()).add(i);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] foldOf = new int[labels.length];
        int next = 0; // continues across classes so that fold sizes stay balanced
        for (List<Integer> rows : byClass.values()) {
            int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
            if (shuffle) {
                shuffle(r, rng);
            }
            for (int i : r) {
                foldOf[i] = next;
                next = (next + 1) % k;
            }
        }
        return build(foldOf, k);
    }

    /**
     * Stratified k-fold on targets holding class labels as doubles (each distinct value is a class).
     *
     * @param y targets; every value must be an integer
     * @param k number of folds
     * @param shuffle shuffle each class's rows first
     * @param seed shuffling seed
     * @return the folds
     */
    public static List<Fold> stratifiedKFold(double[] y, int k, boolean shuffle, long seed) {
        Objects.requireNonNull(y, "y");
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            if (y[i] != Math.rint(y[i]) || Math.abs(y[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("y must hold integer class labels for stratification, was y[" + i + "]=" + y[i]);
            }
            labels[i] = (int) y[i];
        }
        return stratifiedKFold(labels, k, shuffle, seed);
    }

    private static void checkK(int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("k must be >= 2, was " + k);
        }
        if (n < k) {
            throw new IllegalArgumentException("number of rows must be >= k=" + k + ", was " + n);
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static List<Fold> build(int[] foldOf, int k) {
        int n = foldOf.length;
        List<Fold> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] test = new int[n];
            int[] train = new int[n];
            int nt = 0;
            int nr = 0;
            for (int i = 0; i < n; i++) {
                if (foldOf[i] == f) {
                    test[nt++] = i;
                } else {
                    train[nr++] = i;
                }
            }
            folds.add(new Fold(Arrays.copyOf(train, nr), Arrays.copyOf(test, nt)));
        }
        return List.copyOf(folds);
    }
}
