package io.autoglm.grammar;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A GBNF expression. Built through the static factories, which flatten and simplify; rendered by
 * {@link Rules}. Repetition counts stay at most {@link Rules#DIRECT_REPEAT_LIMIT} and repeat only a
 * single symbol (see {@link Rules#repeat}), so llama.cpp's parser never meets a huge expansion.
 */
sealed interface Expr {
    /** The empty sequence (matches the empty string). */
    Expr EMPTY = new Seq(List.of());

    /** A literal string (code points). */
    record Lit(String text) implements Expr {
    }

    /** A character class: the text between the brackets, already escaped for GBNF. */
    record Chars(String body) implements Expr {
    }

    /** A reference to a named rule. */
    record Ref(String name) implements Expr {
    }

    /** A sequence. */
    record Seq(List<Expr> items) implements Expr {
    }

    /** Alternatives. */
    record Alt(List<Expr> options) implements Expr {
    }

    /** {@code item{min,max}}; {@code max < 0} means unbounded. */
    record Rep(Expr item, long min, long max) implements Expr {
    }

    static Expr lit(String s) {
        return s.isEmpty() ? EMPTY : new Lit(s);
    }

    static Expr ref(String name) {
        return new Ref(name);
    }

    static Expr chars(String body) {
        return new Chars(body);
    }

    static Expr seq(Expr... items) {
        return seq(List.of(items));
    }

    static Expr seq(List<Expr> items) {
        List<Expr> out = new ArrayList<>();
        for (Expr e : items) {
            if (e instanceof Seq s) {
                out.addAll(s.items());
            } else {
                out.add(e);
            }
        }
        // merge adjacent literals so the grammar stays readable
        List<Expr> merged = new ArrayList<>();
        for (Expr e : out) {
            if (e instanceof Lit l && !merged.isEmpty() && merged.getLast() instanceof Lit p) {
                merged.set(merged.size() - 1, new Lit(p.text() + l.text()));
            } else {
                merged.add(e);
            }
        }
        return merged.size() == 1 ? merged.getFirst() : new Seq(List.copyOf(merged));
    }

    static Expr alt(Expr... options) {
        return alt(List.of(options));
    }

    static Expr alt(List<Expr> options) {
        LinkedHashSet<Expr> out = new LinkedHashSet<>();
        for (Expr e : options) {
            if (e instanceof Alt a) {
                out.addAll(a.options());
            } else {
                out.add(e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no alternatives");
        }
        return out.size() == 1 ? out.iterator().next() : new Alt(List.copyOf(out));
    }
}
