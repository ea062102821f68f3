package io.autoglm.examples.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Turns feature rows into decisions: model contributions, probability, rules. */
final class Scoring {
    static final int TOP_CONTRIBUTIONS = 5;

    private Scoring() {
    }

    static List<Contribution> top(double[] values, float[] contrib, int k) {
        Integer[] idx = new Integer[values.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -Math.abs(contrib[i])).thenComparingInt(i -> i));
        List<Contribution> out = new ArrayList<>(k);
        for (int i = 0; i < Math.min(k, idx.length); i++) {
            out.add(new Contribution(Features.NAMES.get(idx[i]), values[idx[i]], contrib[idx[i]]));
        }
        return out;
    }

    /** Batch scoring of rows already in the database. */
    static List<Decision> decide(List<FeatureRow> rows, BoostedModel model, RuleEngine rules, double[] scoresOut) {
        double[][] x = new double[rows.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = rows.get(i).values();
        }
        float[][] c = model.contributions(x);
        List<Decision> out = new ArrayList<>(rows.size());
        for (int i = 0; i < x.length; i++) {
            double p = BoostedModel.probability(c[i]);
            if (scoresOut != null) {
                scoresOut[i] = p;
            }
            out.add(rules.decide(rows.get(i).txId(), x[i], p, top(x[i], c[i], TOP_CONTRIBUTIONS)));
        }
        return out;
    }
}
