package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact TreeSHAP values of a boosted tree ensemble (Lundberg, Erion and Lee, "Consistent
 * individualized feature attribution for tree ensembles", algorithm 2), computed in Java from the
 * model's JSON form for one row at a time. The online path calls it instead of XGBoost's
 * {@code predictContrib}, whose per-call cost (a new {@code DMatrix}, the JNI crossing, its
 * buffers) is larger than the arithmetic; XGBoost's output stays the reference of the batch path,
 * and {@code TreeShapTest} checks that both agree. Numerical splits only ({@code x < split} goes
 * left, a missing value follows the default direction). For trees of the tuned depths the terms of
 * every leaf are precomputed for each pattern of its path (see {@code LeafTables}): a row then costs a
 * comparison per split and a few additions per leaf (on the full demo's 200 trees of depth 4, about
 * 0.1 ms instead of 0.4 ms of CPU); larger trees use the recursion. Immutable; one instance per thread
 * for {@link #contributions}, which reuses scratch buffers.
 */
final class TreeShap {
    private final int features;
    private final double baseMargin;
    /** Per tree, the index of its root in the flattened node arrays. */
    private final int[] roots;
    private final int[] left;
    private final int[] right;
    private final int[] feature;
    private final float[] split;
    private final boolean[] defaultLeft;
    private final double[] cover;
    private final double[] value;
    /** Sum over the trees of their cover-weighted mean leaf value (the expectation each tree adds). */
    private final double expectedSum;
    private final int maxDepth;

    // scratch of the recursion: one path per depth level, each at most maxDepth + 2 long
    private final int[] pathFeature;
    private final double[] pathZero;
    private final double[] pathOne;
    private final double[] pathWeight;
    private final double[] phi;

    // the leaf tables (null when too large): a leaf's SHAP terms depend on the row only through which of the
    // distinct features on its path the row follows (a bit each), so they are computed once per leaf and pattern
    private final LeafTables tables;
    private final boolean[] goesLeft;

    private TreeShap(int features, double baseMargin, List<int[]> lefts, List<int[]> rights, List<int[]> feats,
            List<float[]> splits, List<boolean[]> defaults, List<double[]> covers, List<double[]> values,
            int maxTableEntries) {
        this.features = features;
        this.baseMargin = baseMargin;
        int total = 0;
        for (int[] l : lefts) {
            total += l.length;
        }
        roots = new int[lefts.size()];
        left = new int[total];
        right = new int[total];
        feature = new int[total];
        split = new float[total];
        defaultLeft = new boolean[total];
        cover = new double[total];
        value = new double[total];
        int off = 0;
        double expected = 0;
        int depth = 0;
        for (int t = 0; t < lefts.size(); t++) {
            int n = lefts.get(t).length;
            roots[t] = off;
            for (int i = 0; i < n; i++) {
                int l = lefts.get(t)[i];
                int r = rights.get(t)[i];
                left[off + i] = l < 0 ? -1 : off + l;
                right[off + i] = r < 0 ? -1 : off + r;
                feature[off + i] = feats.get(t)[i];
                split[off + i] = splits.get(t)[i];
                defaultLeft[off + i] = defaults.get(t)[i];
                cover[off + i] = covers.get(t)[i];
                value[off + i] = values.get(t)[i];
            }
            expected += meanValue(off);
            depth = Math.max(depth, depth(off));
            off += n;
        }
        this.expectedSum = expected;
        this.maxDepth = depth;
        int pool = (depth + 2) * (depth + 3);
        pathFeature = new int[pool];
        pathZero = new double[pool];
        pathOne = new double[pool];
        pathWeight = new double[pool];
        phi = new double[features + 1];
        tables = LeafTables.build(this, maxTableEntries);
        goesLeft = new boolean[total];
    }

    /**
     * Reads a model saved with {@code Booster.toByteArray("json")}.
     *
     * @param json the model
     * @param features the number of input features
     * @return the explainer
     * @throws IllegalArgumentException when the model is not a {@code gbtree} of numerical splits with a
     *     logistic or identity link
     */
    static TreeShap fromJson(byte[] json, int features) {
        return fromJson(json, features, LeafTables.MAX_ENTRIES);
    }

    /** @param maxTableEntries the largest leaf tables to build (values); 0: the recursion only */
    static TreeShap fromJson(byte[] json, int features, int maxTableEntries) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the booster's JSON model does not parse: " + e.getMessage(), e);
        }
        JsonNode learner = root.path("learner");
        String booster = learner.path("gradient_booster").path("name").asText();
        if (!booster.equals("gbtree")) {
            throw new IllegalArgumentException("TreeShap needs a gbtree booster, was '" + booster + "'");
        }
        double baseScore = parseScalar(learner.path("learner_model_param").path("base_score").asText());
        String objective = learner.path("objective").path("name").asText();
        double baseMargin = switch (objective) {
            case "binary:logistic", "reg:logistic" -> Math.log(baseScore / (1 - baseScore));
            case "reg:squarederror", "binary:logitraw" -> baseScore;
            default -> throw new IllegalArgumentException("TreeShap does not know the link of objective '" + objective
                    + "'");
        };
        JsonNode trees = learner.path("gradient_booster").path("model").path("trees");
        List<int[]> lefts = new ArrayList<>();
        List<int[]> rights = new ArrayList<>();
        List<int[]> feats = new ArrayList<>();
        List<float[]> splits = new ArrayList<>();
        List<boolean[]> defaults = new ArrayList<>();
        List<double[]> covers = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (JsonNode t : trees) {
            int[] l = ints(t.path("left_children"));
            int n = l.length;
            int[] r = ints(t.path("right_children"));
            int[] f = ints(t.path("split_indices"));
            JsonNode cond = t.path("split_conditions");
            JsonNode hess = t.path("sum_hessian");
            JsonNode dl = t.path("default_left");
            JsonNode types = t.path("split_type");
            if (r.length != n || f.length != n || cond.size() != n || hess.size() != n || dl.size() != n) {
                throw new IllegalArgumentException("tree " + lefts.size() + " of the JSON model has arrays of unequal length");
            }
            float[] s = new float[n];
            boolean[] d = new boolean[n];
            double[] c = new double[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                if (types.size() == n && types.get(i).asInt() != 0) {
                    throw new IllegalArgumentException("tree " + lefts.size() + " has a categorical split; TreeShap "
                            + "handles numerical splits only");
                }
                if (l[i] >= n || r[i] >= n || (l[i] >= 0 && (f[i] < 0 || f[i] >= features))) {
                    throw new IllegalArgumentException("tree " + lefts.size() + " node " + i + " is malformed (children "
                            + l[i] + "/" + r[i] + ", feature " + f[i] + ", " + n + " nodes, " + features + " features)");
                }
                s[i] = (float) cond.get(i).asDouble();
                v[i] = s[i]; // a leaf's value is stored in its split condition
                JsonNode b = dl.get(i);
                d[i] = b.isBoolean() ? b.asBoolean() : b.asInt() != 0;
                c[i] = (float) hess.get(i).asDouble();
            }
            lefts.add(l);
            rights.add(r);
            feats.add(f);
            splits.add(s);
            defaults.add(d);
            covers.add(c);
            values.add(v);
        }
        return new TreeShap(features, baseMargin, lefts, rights, feats, splits, defaults, covers, values, maxTableEntries);
    }

    /** XGBoost 3 writes the intercept as {@code "[5E-1]"} (a vector), earlier versions as {@code "5E-1"}. */
    private static double parseScalar(String s) {
        String t = s.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("base_score of the JSON model is not one number: '" + s + "'", e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private double meanValue(int node) {
        if (left[node] < 0) {
            return value[node];
        }
        return (meanValue(left[node]) * cover[left[node]] + meanValue(right[node]) * cover[right[node]]) / cover[node];
    }

    private int depth(int node) {
        return left[node] < 0 ? 0 : 1 + Math.max(depth(left[node]), depth(right[node]));
    }

    /** @return the number of trees */
    int trees() {
        return roots.length;
    }

    /**
     * The SHAP values of one row: {@code features + 1} numbers, the last the bias (the base margin plus
     * every tree's expected value); they add up to the margin (log-odds).
     *
     * @param x the row; values are rounded to float as XGBoost's matrix does
     * @return the contributions
     */
    float[] contributions(double[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("row must have " + features + " features, had " + x.length);
        }
        java.util.Arrays.fill(phi, 0);
        if (tables != null) {
            tables.add(x);
        } else {
            for (int root : roots) {
                recurse(root, x, 0, 0, 1, 1, -1);
            }
        }
        float[] out = new float[features + 1];
        for (int i = 0; i < features; i++) {
            out[i] = (float) phi[i];
        }
        out[features] = (float) (baseMargin + expectedSum);
        return out;
    }

    /**
     * The margin (log-odds) of one row by walking each tree to its leaf, summed in double in tree order:
     * a deterministic function of the row, so every path that scores with it gives identical numbers.
     *
     * @param x the row
     * @return the base margin plus the leaf values
     */
    double margin(double[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("row must have " + features + " features, had " + x.length);
        }
        double m = baseMargin;
        for (int node : roots) {
            while (left[node] >= 0) {
                double xv = x[feature[node]];
                boolean goLeft = Double.isNaN(xv) ? defaultLeft[node] : (float) xv < split[node];
                node = goLeft ? left[node] : right[node];
            }
            m += value[node];
        }
        return m;
    }

    /**
     * One node of the recursion. The path of this call lives at {@code start} in the scratch arrays; it
     * is the parent's path (copied from {@code parentStart}) extended by the feature that led here.
     */
    private void recurse(int node, double[] x, int parentStart, int depth, double zeroFraction, double oneFraction,
            int featureIndex) {
        int start = parentStart + depth; // the parent's path has depth elements: ours starts right after it
        if (depth > 0) {
            System.arraycopy(pathFeature, parentStart, pathFeature, start, depth);
            System.arraycopy(pathZero, parentStart, pathZero, start, depth);
            System.arraycopy(pathOne, parentStart, pathOne, start, depth);
            System.arraycopy(pathWeight, parentStart, pathWeight, start, depth);
        }
        extend(start, depth, zeroFraction, oneFraction, featureIndex);
        if (left[node] < 0) {
            double leaf = value[node];
            for (int i = 1; i <= depth; i++) {
                double w = unwoundSum(start, depth, i);
                phi[pathFeature[start + i]] += w * (pathOne[start + i] - pathZero[start + i]) * leaf;
            }
            return;
        }
        int f = feature[node];
        double xv = x[f];
        boolean goLeft = Double.isNaN(xv) ? defaultLeft[node] : (float) xv < split[node];
        int hot = goLeft ? left[node] : right[node];
        int cold = goLeft ? right[node] : left[node];
        double w = cover[node];
        double hotZero = cover[hot] / w;
        double coldZero = cover[cold] / w;
        double incomingZero = 1;
        double incomingOne = 1;
        int d = depth;
        int k = 1;
        while (k <= d && pathFeature[start + k] != f) {
            k++;
        }
        if (k <= d) { // this feature split the path before: undo its earlier extension
            incomingZero = pathZero[start + k];
            incomingOne = pathOne[start + k];
            unwind(start, d, k);
            d--;
        }
        recurse(hot, x, start, d + 1, hotZero * incomingZero, incomingOne, f);
        recurse(cold, x, start, d + 1, coldZero * incomingZero, 0, f);
    }

    private void extend(int s, int depth, double zero, double one, int featureIndex) {
        pathFeature[s + depth] = featureIndex;
        pathZero[s + depth] = zero;
        pathOne[s + depth] = one;
        pathWeight[s + depth] = depth == 0 ? 1 : 0;
        for (int i = depth - 1; i >= 0; i--) {
            pathWeight[s + i + 1] += one * pathWeight[s + i] * (i + 1) / (depth + 1);
            pathWeight[s + i] = zero * pathWeight[s + i] * (depth - i) / (depth + 1);
        }
    }

    private void unwind(int s, int depth, int index) {
        double one = pathOne[s + index];
        double zero = pathZero[s + index];
        double next = pathWeight[s + depth];
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                double tmp = pathWeight[s + i];
                pathWeight[s + i] = next * (depth + 1) / ((i + 1) * one);
                next = tmp - pathWeight[s + i] * zero * (depth - i) / (depth + 1);
            } else {
                pathWeight[s + i] = pathWeight[s + i] * (depth + 1) / (zero * (depth - i));
            }
        }
        for (int i = index; i < depth; i++) {
            pathFeature[s + i] = pathFeature[s + i + 1];
            pathZero[s + i] = pathZero[s + i + 1];
            pathOne[s + i] = pathOne[s + i + 1];
        }
    }

    private double unwoundSum(int s, int depth, int index) {
        double one = pathOne[s + index];
        double zero = pathZero[s + index];
        double next = pathWeight[s + depth];
        double total = 0;
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                double tmp = next * (depth + 1) / ((i + 1) * one);
                total += tmp;
                next = pathWeight[s + i] - tmp * zero * (depth - i) / (depth + 1);
            } else if (zero != 0) {
                total += pathWeight[s + i] / zero / ((double) (depth - i) / (depth + 1));
            }
        }
        return total;
    }

    int maxDepth() {
        return maxDepth;
    }

    /** @return whether the leaf tables are in use */
    boolean usesTables() {
        return tables != null;
    }

    private boolean left(int node, double[] x) {
        double xv = x[feature[node]];
        return Double.isNaN(xv) ? defaultLeft[node] : (float) xv < split[node];
    }

    /**
     * Every leaf's SHAP terms for every pattern of its path (the "Fast TreeSHAP v2" idea of Yang, 2021): on a
     * leaf's path from the root, each distinct feature has a zero fraction (the product of the cover ratios of its
     * splits, fixed by the model) and a one fraction that is 1 when the row follows all of its splits, 0
     * otherwise. Algorithm 2 gives the leaf's term for each of those features from these fractions alone, so
     * for a path with k distinct features the 2^k possible term vectors are computed once, with the same
     * {@code extend} and {@code unwoundSum}; a row then costs a comparison per split and k additions per leaf
     * instead of O(depth^2) arithmetic. Built only when the tables hold at most {@link #MAX_ENTRIES} values
     * (16 MB) and no path has more than {@link #MAX_DISTINCT} distinct features; otherwise the recursion runs.
     */
    private static final class LeafTables {
        static final int MAX_ENTRIES = 1 << 21;
        static final int MAX_DISTINCT = 8;

        final TreeShap t;
        final int[] condStart; // per leaf (+1): its splits in cond*
        final int[] condNode;
        final boolean[] condLeft; // the path goes left at that split
        final int[] condSlot; // the split's distinct feature on the path
        final int[] k; // per leaf: distinct features on its path
        final int[] slotStart; // per leaf (+1): its features in slotFeature
        final int[] slotFeature;
        final int[] tableStart; // per leaf: 2^k rows of k terms in table
        final double[] table;
        final int[] internal; // the split nodes

        private LeafTables(TreeShap t, List<int[]> paths, List<boolean[]> dirs, int entries) {
            this.t = t;
            int leaves = paths.size();
            condStart = new int[leaves + 1];
            slotStart = new int[leaves + 1];
            k = new int[leaves];
            tableStart = new int[leaves];
            int conds = 0;
            for (int[] p : paths) {
                conds += p.length - 1;
            }
            condNode = new int[conds];
            condLeft = new boolean[conds];
            condSlot = new int[conds];
            List<Integer> feats = new ArrayList<>();
            table = new double[entries];
            int c = 0;
            int off = 0;
            for (int l = 0; l < leaves; l++) {
                int[] path = paths.get(l);
                boolean[] dir = dirs.get(l);
                condStart[l] = c;
                slotStart[l] = feats.size();
                int first = feats.size();
                List<Double> zeros = new ArrayList<>();
                for (int i = 0; i < path.length - 1; i++) {
                    int node = path[i];
                    int f = t.feature[node];
                    int slot = feats.subList(first, feats.size()).indexOf(f);
                    double ratio = t.cover[path[i + 1]] / t.cover[node];
                    if (slot < 0) {
                        slot = feats.size() - first;
                        feats.add(f);
                        zeros.add(ratio);
                    } else {
                        zeros.set(slot, zeros.get(slot) * ratio);
                    }
                    condNode[c] = node;
                    condLeft[c] = dir[i];
                    condSlot[c] = slot;
                    c++;
                }
                int n = zeros.size();
                k[l] = n;
                tableStart[l] = off;
                double leaf = t.value[path[path.length - 1]];
                for (int pattern = 0; pattern < 1 << n; pattern++) {
                    t.extend(0, 0, 1, 1, -1);
                    for (int j = 0; j < n; j++) {
                        t.extend(0, j + 1, zeros.get(j), (pattern >> j & 1) == 1 ? 1 : 0, j);
                    }
                    for (int j = 0; j < n; j++) {
                        double w = t.unwoundSum(0, n, j + 1);
                        table[off + pattern * n + j] = w * (t.pathOne[j + 1] - t.pathZero[j + 1]) * leaf;
                    }
                }
                off += n << n;
            }
            condStart[leaves] = c;
            slotStart[leaves] = feats.size();
            slotFeature = feats.stream().mapToInt(Integer::intValue).toArray();
            int splits = 0;
            for (int node = 0; node < t.left.length; node++) {
                if (t.left[node] >= 0) {
                    splits++;
                }
            }
            internal = new int[splits];
            for (int node = 0, i = 0; node < t.left.length; node++) {
                if (t.left[node] >= 0) {
                    internal[i++] = node;
                }
            }
        }

        /** @return the tables of {@code t}, or null when a path has too many distinct features or they are too large */
        static LeafTables build(TreeShap t, int maxEntries) {
            if (maxEntries <= 0) {
                return null;
            }
            List<int[]> paths = new ArrayList<>();
            List<boolean[]> dirs = new ArrayList<>();
            for (int root : t.roots) {
                collect(t, root, new int[0], new boolean[0], paths, dirs);
            }
            long entries = 0;
            for (int[] p : paths) {
                int n = (int) java.util.Arrays.stream(p, 0, p.length - 1).map(node -> t.feature[node]).distinct().count();
                if (n > MAX_DISTINCT) {
                    return null;
                }
                entries += (long) n << n;
            }
            return entries > maxEntries ? null : new LeafTables(t, paths, dirs, (int) entries);
        }

        private static void collect(TreeShap t, int node, int[] path, boolean[] dir, List<int[]> paths, List<boolean[]> dirs) {
            int[] p = java.util.Arrays.copyOf(path, path.length + 1);
            p[path.length] = node;
            if (t.left[node] < 0) {
                paths.add(p);
                dirs.add(dir);
                return;
            }
            boolean[] l = java.util.Arrays.copyOf(dir, dir.length + 1);
            l[dir.length] = true;
            boolean[] r = java.util.Arrays.copyOf(dir, dir.length + 1);
            collect(t, t.left[node], p, l, paths, dirs);
            collect(t, t.right[node], p, r, paths, dirs);
        }

        /** Adds the row's SHAP terms of every leaf to {@code t.phi}. */
        void add(double[] x) {
            boolean[] goes = t.goesLeft;
            for (int node : internal) {
                goes[node] = t.left(node, x);
            }
            double[] phi = t.phi;
            for (int l = 0; l < k.length; l++) {
                int n = k[l];
                int pattern = (1 << n) - 1;
                for (int c = condStart[l]; c < condStart[l + 1]; c++) {
                    if (goes[condNode[c]] != condLeft[c]) {
                        pattern &= ~(1 << condSlot[c]);
                    }
                }
                int row = tableStart[l] + pattern * n;
                int s = slotStart[l];
                for (int j = 0; j < n; j++) {
                    phi[slotFeature[s + j]] += table[row + j];
                }
            }
        }
    }
}
