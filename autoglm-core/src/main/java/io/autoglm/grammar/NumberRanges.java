package io.autoglm.grammar;

import static io.autoglm.grammar.Expr.alt;
import static io.autoglm.grammar.Expr.chars;
import static io.autoglm.grammar.Expr.lit;
import static io.autoglm.grammar.Expr.seq;

import java.util.ArrayList;
import java.util.List;

/**
 * Grammars for bounded integers and for numbers with integer-valued bounds, written digit by
 * digit (the way one writes a regular expression for a numeric range by hand).
 */
final class NumberRanges {
    private NumberRanges() {
    }

    /** @return decimal integers in {@code [lo, hi]}, both within ±{@link JsonRules#MAX_MAGNITUDE}, {@code lo <= hi} */
    static Expr integers(long lo, long hi) {
        List<Expr> alts = new ArrayList<>();
        if (lo < 0) {
            long negHi = Math.min(hi, -1);
            alts.add(seq(lit("-"), nonNegative(-negHi, -lo)));
        }
        if (hi >= 0) {
            alts.add(nonNegative(Math.max(lo, 0), hi));
        }
        return alt(alts);
    }

    /** @return decimal integers in {@code [lo, hi]} without leading zeros; {@code 0 <= lo <= hi} */
    static Expr nonNegative(long lo, long hi) {
        List<Expr> alts = new ArrayList<>();
        int dLo = Long.toString(lo).length();
        int dHi = Long.toString(hi).length();
        for (int d = dLo; d <= dHi; d++) {
            long floor = d == 1 ? 0 : pow10(d - 1);
            long ceil = pow10(d) - 1;
            long a = Math.max(lo, floor);
            long b = Math.min(hi, ceil);
            if (a <= b) {
                alts.add(sameLength(Long.toString(a), Long.toString(b)));
            }
        }
        return alt(alts);
    }

    /** Digit strings of one length between {@code a} and {@code b} (inclusive, leading zeros allowed). */
    private static Expr sameLength(String a, String b) {
        int n = a.length();
        if (n == 0) {
            return Expr.EMPTY;
        }
        if (a.equals(b)) {
            return lit(a);
        }
        char fa = a.charAt(0);
        char fb = b.charAt(0);
        if (fa == fb) {
            return seq(lit(String.valueOf(fa)), sameLength(a.substring(1), b.substring(1)));
        }
        String restA = a.substring(1);
        String restB = b.substring(1);
        boolean lowFull = restA.chars().allMatch(c -> c == '0');
        boolean highFull = restB.chars().allMatch(c -> c == '9');
        List<Expr> alts = new ArrayList<>();
        if (!lowFull) {
            alts.add(seq(lit(String.valueOf(fa)), sameLength(restA, "9".repeat(n - 1))));
        }
        char start = lowFull ? fa : (char) (fa + 1);
        char end = highFull ? fb : (char) (fb - 1);
        if (start <= end) {
            Expr first = start == end ? lit(String.valueOf(start)) : chars(start + "-" + end);
            alts.add(seq(first, n == 1 ? Expr.EMPTY : n == 2 ? chars("0-9") : new Expr.Rep(chars("0-9"), n - 1, n - 1)));
        }
        if (!highFull) {
            alts.add(seq(lit(String.valueOf(fb)), sameLength("0".repeat(n - 1), restB)));
        }
        return alt(alts);
    }

    /**
     * Numbers (no exponent) {@code v} with {@code lo <= v <= hi} ({@code <} where exclusive); the
     * bounds are integers, {@code null} for an open side. The integer part is a bounded range; the
     * fraction is free except where a bound is reached.
     */
    static Expr decimals(Long lo, boolean loExclusive, Long hi, boolean hiExclusive, Rules rules) {
        List<Expr> alts = new ArrayList<>();
        // v >= 0 written without a sign
        if (hi == null || hi >= 0) {
            boolean lowIsZero = lo == null || lo < 0;
            long from = lowIsZero ? 0 : lo;
            boolean fromExclusive = !lowIsZero && loExclusive;
            Expr part = magnitudes(from, fromExclusive, hi, hiExclusive, rules);
            if (part != null) {
                alts.add(part);
            }
        }
        // v < 0 written as "-" x with x > 0: v >= lo means x <= -lo; v <= hi means x >= -hi
        if (lo == null || lo < 0) {
            boolean fromZero = hi == null || hi >= 0;
            long from = fromZero ? 0 : -hi;
            boolean fromExclusive = fromZero || hiExclusive;
            Expr part = magnitudes(from, fromExclusive, lo == null ? null : -lo, loExclusive, rules);
            if (part != null) {
                alts.add(seq(lit("-"), part));
            }
        }
        if (alts.isEmpty()) {
            return null;
        }
        return alt(alts);
    }

    /** Unsigned decimals x with {@code from <= x <= to} (or {@code <}); {@code to == null}: no upper bound. */
    private static Expr magnitudes(long from, boolean fromExclusive, Long to, boolean toExclusive, Rules rules) {
        Expr digit = chars("0-9");
        Expr fracAny = rules.repeat(seq(lit("."), rules.repeat(digit, 1, JsonRules.MAX_DIGITS, "digits", "")), 0, 1, "frac", "");
        Expr fracZero = rules.repeat(seq(lit("."), rules.repeat(lit("0"), 1, JsonRules.MAX_DIGITS, "zeros", "")), 0, 1, "frac-zero", "");
        Expr fracPositive = rules.named("frac-positive", seq(lit("."), rules.repeat(lit("0"), 0, JsonRules.MAX_DIGITS - 1, "zeros", ""),
                chars("1-9"), rules.repeat(digit, 0, JsonRules.MAX_DIGITS - 1, "digits", "")), "");
        long top = to == null ? JsonRules.MAX_MAGNITUDE : to;
        List<Expr> alts = new ArrayList<>();
        long anyFrom = from;
        if (fromExclusive) {
            // x == from only with a non-zero fraction
            if (to == null || from < to) {
                alts.add(seq(nonNegative(from, from), fracPositive));
            }
            anyFrom = from + 1;
        }
        // integer parts strictly below the upper bound take any fraction
        long anyTo = to == null ? top : to - 1;
        if (anyFrom <= anyTo) {
            alts.add(seq(nonNegative(anyFrom, anyTo), fracAny));
        }
        // the upper bound itself, with a zero fraction, unless it is exclusive
        if (to != null && !toExclusive && to >= anyFrom) {
            alts.add(seq(nonNegative(to, to), fracZero));
        }
        return alts.isEmpty() ? null : alt(alts);
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
