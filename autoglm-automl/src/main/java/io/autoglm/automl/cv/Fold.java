package io.autoglm.automl.cv;

import java.util.Arrays;
import java.util.Objects;

/**
 * One train/test split of row indices.
 *
 * @param train indices of the training rows, ascending
 * @param test indices of the held-out rows, ascending, disjoint from {@code train}
 */
public record Fold(int[] train, int[] test) {
    /** Validates, copies and sorts. */
    public Fold {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.length == 0 || test.length == 0) {
            throw new IllegalArgumentException("train and test must not be empty, had " + train.length + " and " + test.length
                    + " rows");
        }
        train = train.clone();
        test = test.clone();
        Arrays.sort(train);
        Arrays.sort(test);
        for (int i : test) {
            if (Arrays.binarySearch(train, i) >= 0) {
                throw new IllegalArgumentException("row " + i + " is in both train and test");
            }
        }
    }

    /** @return a copy of the training indices */
    @Override
    public int[] train() {
        return train.clone();
    }

    /** @return a copy of the test indices */
    @Override
    public int[] test() {
        return test.clone();
    }

    /** @return the number of training rows */
    public int trainSize() {
        return train.length;
    }

    /** @return the number of test rows */
    public int testSize() {
        return test.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fold f && Arrays.equals(train, f.train) && Arrays.equals(test, f.test);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
    }

    @Override
    public String toString() {
        return "Fold[train=" + train.length + " rows, test=" + test.length + " rows]";
    }
}
