package io.autoglm.automl.search;

/** Argument checks shared by the samplers, pruners and their builders of this package. */
final class Checks {
    private Checks() {
    }

    /**
     * @return {@code value} when it is at least {@code min}
     * @throws IllegalArgumentException "{@code name} must be >= min, was value" otherwise
     */
    static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }
}
