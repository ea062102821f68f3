package io.autoglm.grammar;

import static io.autoglm.grammar.Expr.alt;
import static io.autoglm.grammar.Expr.chars;
import static io.autoglm.grammar.Expr.lit;
import static io.autoglm.grammar.Expr.ref;
import static io.autoglm.grammar.Expr.seq;

/**
 * The JSON building blocks of one grammar: bounded whitespace, strings, numbers and the
 * unconstrained value, each defined once on first use.
 *
 * <p>Whitespace convention: {@code ws} follows every {@code {}, {@code [}, {@code ,} and
 * {@code :}, and every value inside an object or array; nothing precedes or follows the top-level
 * value, so a grammar is complete the moment its value closes and end-of-generation is the only
 * choice left.
 */
final class JsonRules {
    /** Most digits in the integer part and in the fraction of a generated number. */
    static final int MAX_DIGITS = 16;
    /** Largest integer magnitude a generated number can have (16 digits). */
    static final long MAX_MAGNITUDE = 9_999_999_999_999_999L;

    final Rules rules;
    private final int maxWhitespace;
    private Expr ws;
    private Expr value;
    private Expr object;

    JsonRules(Rules rules, int maxWhitespace) {
        this.rules = rules;
        this.maxWhitespace = maxWhitespace;
    }

    /** @return the bounded whitespace between tokens ({@code EMPTY} when none is allowed) */
    Expr ws() {
        if (ws == null) {
            ws = maxWhitespace == 0 ? Expr.EMPTY
                    : rules.named("ws", rules.repeat(chars(" \\t\\n"), 0, maxWhitespace, "ws", ""), "");
        }
        return ws;
    }

    /** One character of a JSON string: no raw control characters or surrogates; escapes of non-surrogates only. */
    Expr stringChar() {
        Expr hex = chars("0-9a-fA-F");
        Expr nonSurrogateHex = alt(seq(chars("0-9a-cA-CefEF"), new Expr.Rep(hex, 3, 3)),
                seq(chars("dD"), chars("0-7"), new Expr.Rep(hex, 2, 2)));
        Expr escape = seq(lit("\\"), alt(chars("\"\\\\/bfnrt"), seq(lit("u"), nonSurrogateHex)));
        return rules.named("char", alt(chars("^\"\\\\\\x00-\\x1F\\uD800-\\uDFFF"), escape), "");
    }

    /** @return a string of {@code min} to {@code max} characters ({@code max < 0}: unbounded) */
    Expr string(long min, long max) {
        String name = min == 0 && max < 0 ? "string" : "string-" + min + "-" + (max < 0 ? "inf" : max);
        return rules.named(name, seq(lit("\""), rules.repeat(stringChar(), min, max, name + "-chars", ""), lit("\"")), "");
    }

    /** @return any JSON number with at most 16 integer digits, 16 fraction digits and a 2-digit exponent */
    Expr number() {
        Expr frac = rules.repeat(seq(lit("."), rules.repeat(chars("0-9"), 1, MAX_DIGITS, "digits", "")), 0, 1, "frac", "");
        Expr exp = rules.repeat(seq(chars("eE"), rules.repeat(chars("+\\x2D"), 0, 1, "sign", ""),
                rules.repeat(chars("0-9"), 1, 2, "exp-digits", "")), 0, 1, "exp", "");
        return rules.named("number", seq(rules.repeat(lit("-"), 0, 1, "minus", ""), uint(), frac, exp), "");
    }

    /** @return an integer without sign and without leading zeros, at most 16 digits */
    Expr uint() {
        return rules.named("uint", alt(lit("0"), seq(chars("1-9"), rules.repeat(chars("0-9"), 0, MAX_DIGITS - 1, "digits", ""))), "");
    }

    /** @return any JSON integer with at most 16 digits */
    Expr integer() {
        return rules.named("integer", seq(rules.repeat(lit("-"), 0, 1, "minus", ""), uint()), "");
    }

    Expr bool() {
        return rules.named("boolean", alt(lit("true"), lit("false")), "");
    }

    /** @return any JSON value */
    Expr value() {
        if (value == null) {
            String name = rules.reserve("value", "");
            value = ref(name);
            Expr w = ws();
            Expr kv = seq(string(0, -1), w, lit(":"), w, value, w);
            object = rules.named("object", seq(lit("{"), w, rules.repeat(seq(kv,
                    rules.repeat(seq(lit(","), w, kv), 0, -1, "object-more", "")), 0, 1, "object-members", ""), lit("}")), "");
            Expr element = seq(value, w);
            Expr array = rules.named("array", seq(lit("["), w, rules.repeat(seq(element,
                    rules.repeat(seq(lit(","), w, element), 0, -1, "array-more", "")), 0, 1, "array-items", ""), lit("]")), "");
            rules.define(name, alt(object, array, string(0, -1), number(), lit("true"), lit("false"), lit("null")), "");
        }
        return value;
    }

    /** @return any JSON object */
    Expr anyObject() {
        value();
        return object;
    }
}
