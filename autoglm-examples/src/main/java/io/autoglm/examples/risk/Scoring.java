package io.autoglm.examples.risk;

import java.util.ArrayList;
import java.util.List;

/** Turns feature rows into decisions: model contributions, probability, rules. */
final class Scoring {
    static final int TOP_CONTRIBUTIONS = 5;

    private Scoring() {
    }

    /** The k largest contributions by magnitude (ties: the lower feature index first), largest first. */
    static List<Contribution> top(double[] values, float[] contrib, int k) {
        int n = Math.min(k, values.length);
        boolean[] taken = new boolean[values.length];
        List<Contribution> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) { // k is 5 and there are 18 features: selection beats sorting boxed indices
            int best = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (best < 0 || Math.abs(contrib[i]) > Math.abs(contrib[best]))) {
                    best = i;
                }
            }
            taken[best] = true;
            out.add(new Contribution(Features.NAMES.get(best), values[best], contrib[best]));
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
            double p = model.score(x[i]);
            if (scoresOut != null) {
                scoresOut[i] = p;
            }
            out.add(rules.decide(rows.get(i).txId(), x[i], p, top(x[i], c[i], TOP_CONTRIBUTIONS)));
        }
        return out;
    }
}
