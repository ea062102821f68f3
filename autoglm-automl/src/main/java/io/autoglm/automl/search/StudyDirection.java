package io.autoglm.automl.search;

/** Whether an objective is minimised or maximised. */
public enum StudyDirection {
    /** Smaller is better. */
    MINIMIZE,
    /** Larger is better. */
    MAXIMIZE;

    /**
     * @param a a value
     * @param b another value
     * @return true when {@code a} is strictly better than {@code b} in this direction
     */
    public boolean isBetter(double a, double b) {
        return this == MINIMIZE ? a < b : a > b;
    }
}
