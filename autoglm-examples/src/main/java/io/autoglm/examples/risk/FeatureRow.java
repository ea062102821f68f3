package io.autoglm.examples.risk;

import java.util.Arrays;

/**
 * The features of one transaction, in {@link Features#NAMES} order.
 *
 * @param txId the transaction
 * @param userId its customer
 * @param ts its time, epoch seconds
 * @param values the feature values
 */
public record FeatureRow(long txId, String userId, long ts, double[] values) {

    /** @param name a feature name @return its value */
    public double get(String name) {
        int i = Features.NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown feature '" + name + "'; known: " + Features.NAMES);
        }
        return values[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureRow r && r.txId == txId && r.ts == ts && r.userId.equals(userId)
                && Arrays.equals(r.values, values);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(txId) * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FeatureRow[tx " + txId + ", " + userId + ", ts " + ts + ", " + Arrays.toString(values) + "]";
    }
}
