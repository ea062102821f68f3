package io.autoglm.grammar;

import static io.autoglm.grammar.Expr.alt;
import static io.autoglm.grammar.Expr.chars;
import static io.autoglm.grammar.Expr.lit;
import static io.autoglm.grammar.Expr.seq;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The string formats the compiler writes grammar for: RFC 3339 {@code date}, {@code time} and
 * {@code date-time}, and {@code uuid}. Dates are always real calendar dates (February stops at 28),
 * times have a seconds field and an offset ({@code Z} or {@code ±hh:mm} up to 17:59, never
 * {@code -00:00}), seconds stop at 59.
 */
final class Formats {
    private static final Set<String> SUPPORTED = Set.of("date", "time", "date-time", "uuid");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final Pattern TIME = Pattern.compile("[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([zZ]|[+-][0-9]{2}:[0-9]{2})");

    private Formats() {
    }

    static boolean isSupported(String format) {
        return SUPPORTED.contains(format);
    }

    /** @return {min, max} length of the strings the grammar of {@code format} produces */
    static int[] lengths(String format) {
        return switch (format) {
            case "date" -> new int[] {10, 10};
            case "time" -> new int[] {9, 24};
            case "date-time" -> new int[] {20, 35};
            case "uuid" -> new int[] {36, 36};
            default -> throw new IllegalArgumentException(format);
        };
    }

    /** @return the grammar of a JSON string (with quotes) in {@code format} */
    static Expr grammar(String format, Rules rules) {
        Expr body = switch (format) {
            case "date" -> date(rules);
            case "time" -> time(rules);
            case "date-time" -> seq(date(rules), lit("T"), time(rules));
            case "uuid" -> uuid(rules);
            default -> throw new IllegalArgumentException(format);
        };
        return rules.named(format + "-string", seq(lit("\""), body, lit("\"")), "");
    }

    private static Expr date(Rules rules) {
        Expr d = chars("0-9");
        Expr day28 = alt(seq(lit("0"), chars("1-9")), seq(lit("1"), d), seq(lit("2"), chars("0-8")));
        Expr day30 = alt(seq(lit("0"), chars("1-9")), seq(chars("12"), d), lit("30"));
        Expr day31 = alt(seq(lit("0"), chars("1-9")), seq(chars("12"), d), seq(lit("3"), chars("01")));
        Expr monthDay = alt(seq(alt(seq(lit("0"), chars("13578")), seq(lit("1"), chars("02"))), lit("-"), day31),
                seq(alt(seq(lit("0"), chars("469")), lit("11")), lit("-"), day30),
                seq(lit("02-"), day28));
        return rules.named("date", seq(new Expr.Rep(d, 4, 4), lit("-"), monthDay), "");
    }

    private static Expr time(Rules rules) {
        Expr d = chars("0-9");
        Expr hour = alt(seq(chars("01"), d), seq(lit("2"), chars("0-3")));
        Expr minute = seq(chars("0-5"), d);
        Expr frac = rules.repeat(seq(lit("."), rules.repeat(d, 1, 9, "time-frac-digits", "")), 0, 1, "time-frac", "");
        // offsets up to 17:59 (java.time and common validators refuse beyond 18:00), and never -00:00
        // (RFC 3339's "unknown offset", which several date-time validators refuse)
        Expr offsetHour = alt(seq(lit("0"), chars("1-9")), seq(lit("1"), chars("0-7")));
        Expr offset = alt(lit("Z"), seq(lit("+"), alt(lit("00"), offsetHour), lit(":"), minute),
                seq(lit("-"), alt(seq(offsetHour, lit(":"), minute), seq(lit("00:"), alt(seq(chars("1-5"), d), seq(lit("0"), chars("1-9")))))));
        return rules.named("time", seq(hour, lit(":"), minute, lit(":"), minute, frac, offset), "");
    }

    private static Expr uuid(Rules rules) {
        Expr h = chars("0-9a-fA-F");
        return rules.named("uuid", seq(new Expr.Rep(h, 8, 8), lit("-"), new Expr.Rep(h, 4, 4), lit("-"), new Expr.Rep(h, 4, 4),
                lit("-"), new Expr.Rep(h, 4, 4), lit("-"), new Expr.Rep(h, 12, 12)), "");
    }

    /** @return true when {@code s} is valid in {@code format}; unknown formats always pass */
    static boolean matches(String format, String s) {
        try {
            return switch (format) {
                case "date" -> DATE.matcher(s).matches() && LocalDate.parse(s) != null;
                case "time" -> TIME.matcher(s).matches() && OffsetTime.parse(s.toUpperCase()) != null;
                case "date-time" -> s.length() > 11 && (s.charAt(10) == 'T' || s.charAt(10) == 't')
                        && DATE.matcher(s.substring(0, 10)).matches() && TIME.matcher(s.substring(11)).matches()
                        && OffsetDateTime.parse(s.toUpperCase()) != null;
                case "uuid" -> UUID.matcher(s).matches();
                default -> true;
            };
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
