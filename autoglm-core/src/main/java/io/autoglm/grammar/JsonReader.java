package io.autoglm.grammar;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader: no comments, trailing commas, single quotes, leading zeros, NaN, raw
 * control characters or lone surrogates; duplicate object keys are refused; nesting and number
 * length are bounded so hostile text cannot exhaust the stack or the CPU.
 */
final class JsonReader {
    /** Longest number literal accepted (BigInteger parsing is quadratic). */
    static final int MAX_NUMBER_CHARS = 1000;

    private final String s;
    private final int maxDepth;
    private int pos;

    JsonReader(String text, int maxDepth) {
        this.s = text;
        this.maxDepth = maxDepth;
    }

    Object readDocument() {
        skipWs();
        Object v = readValue(0);
        skipWs();
        if (pos < s.length()) {
            throw error("unexpected " + describe(pos) + " after the JSON value");
        }
        return v;
    }

    private Object readValue(int depth) {
        if (pos >= s.length()) {
            throw truncated("expected a JSON value");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> readObject(depth + 1);
            case '[' -> readArray(depth + 1);
            case '"' -> readString();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield readNumber();
                }
                throw error("expected a JSON value, found " + describe(pos));
            }
        };
    }

    private Object literal(String word, Object value) {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= s.length()) {
                throw truncatedAt(s.length(), "unfinished literal '" + word + "'");
            }
            if (s.charAt(pos + i) != word.charAt(i)) {
                throw errorAt(pos + i, "expected '" + word + "', found " + describe(pos + i));
            }
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> readObject(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWs();
            if (pos >= s.length()) {
                throw truncated("unterminated object");
            }
            if (s.charAt(pos) != '"') {
                throw error("expected a string key, found " + describe(pos));
            }
            int keyAt = pos;
            String key = readString();
            skipWs();
            expect(':', "after object key");
            skipWs();
            Object value = readValue(depth);
            if (map.containsKey(key)) {
                throw errorAt(keyAt, "duplicate key \"" + abbreviate(key) + "\"");
            }
            map.put(key, value);
            skipWs();
            if (pos >= s.length()) {
                throw truncated("unterminated object");
            }
            char c = s.charAt(pos++);
            if (c == '}') {
                return Collections.unmodifiableMap(map);
            }
            if (c != ',') {
                throw errorAt(pos - 1, "expected ',' or '}' in object, found " + describe(pos - 1));
            }
        }
    }

    private List<Object> readArray(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWs();
            list.add(readValue(depth));
            skipWs();
            if (pos >= s.length()) {
                throw truncated("unterminated array");
            }
            char c = s.charAt(pos++);
            if (c == ']') {
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                throw errorAt(pos - 1, "expected ',' or ']' in array, found " + describe(pos - 1));
            }
        }
    }

    private String readString() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = null;
        int run = pos;
        while (true) {
            if (pos >= s.length()) {
                throw truncated("unterminated string starting at offset " + start);
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String out = sb == null ? s.substring(run, pos) : sb.append(s, run, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) {
                throw error("control character U+" + hex4(c) + " must be escaped in a string");
            }
            if (Character.isHighSurrogate(c)) {
                if (pos + 1 >= s.length()) {
                    throw truncated("unterminated string starting at offset " + start);
                }
                if (!Character.isLowSurrogate(s.charAt(pos + 1))) {
                    throw error("unpaired surrogate U+" + hex4(c) + " in a string");
                }
                pos += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate U+" + hex4(c) + " in a string");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(s, run, pos);
            int escAt = pos;
            pos++;
            if (pos >= s.length()) {
                throw truncated("unfinished escape sequence");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hexDigits(escAt);
                    if (Character.isHighSurrogate(u)) {
                        int lowAt = pos;
                        if (pos >= s.length() || (s.charAt(pos) == '\\' && pos + 1 >= s.length())) {
                            throw truncated("unfinished surrogate pair");
                        }
                        if (s.charAt(pos) != '\\' || s.charAt(pos + 1) != 'u') {
                            throw errorAt(escAt, "high surrogate \\u" + hex4(u) + " not followed by a low surrogate escape");
                        }
                        pos += 2;
                        char low = hexDigits(lowAt);
                        if (!Character.isLowSurrogate(low)) {
                            throw errorAt(lowAt, "high surrogate \\u" + hex4(u) + " followed by \\u" + hex4(low)
                                    + ", which is not a low surrogate");
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw errorAt(escAt, "unpaired low surrogate \\u" + hex4(u));
                    } else {
                        sb.append(u);
                    }
                }
                default -> throw errorAt(escAt, "invalid escape '\\" + printable(e) + "'");
            }
            run = pos;
        }
    }

    /** Reads the 4 hex digits of a backslash-u escape; {@code pos} is just after the u. */
    private char hexDigits(int escAt) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            if (pos >= s.length()) {
                throw truncated("unfinished \\u escape");
            }
            char c = s.charAt(pos);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw errorAt(escAt, "invalid \\u escape: expected 4 hex digits, found " + describe(pos));
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object readNumber() {
        int start = pos;
        boolean integral = true;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        if (pos >= s.length()) {
            throw truncated("unfinished number");
        }
        char c = s.charAt(pos);
        if (c == '0') {
            pos++;
            if (pos < s.length() && isDigit(s.charAt(pos))) {
                throw error("leading zero in number");
            }
        } else if (c >= '1' && c <= '9') {
            digits();
        } else {
            throw error("expected a digit, found " + describe(pos));
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            requireDigit("after the decimal point");
            digits();
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            requireDigit("in the exponent");
            digits();
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            throw errorAt(start, "number literal of " + (pos - start) + " characters exceeds the limit of "
                    + MAX_NUMBER_CHARS);
        }
        String lit = s.substring(start, pos);
        if (integral) {
            if (lit.length() <= 18) {
                return Long.parseLong(lit);
            }
            BigInteger big = new BigInteger(lit);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        double d = Double.parseDouble(lit);
        if (Double.isInfinite(d)) {
            throw errorAt(start, "number " + abbreviate(lit) + " is out of the range of a double");
        }
        return d;
    }

    private void requireDigit(String where) {
        if (pos >= s.length()) {
            throw truncated("unfinished number");
        }
        if (!isDigit(s.charAt(pos))) {
            throw error("expected a digit " + where + ", found " + describe(pos));
        }
    }

    private void digits() {
        while (pos < s.length() && isDigit(s.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void expect(char c, String where) {
        if (pos >= s.length()) {
            throw truncated("expected '" + c + "' " + where);
        }
        if (s.charAt(pos) != c) {
            throw error("expected '" + c + "' " + where + ", found " + describe(pos));
        }
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private void checkDepth(int depth) {
        if (depth > maxDepth) {
            throw error("nesting depth exceeds the limit of " + maxDepth);
        }
    }

    private String describe(int at) {
        if (at >= s.length()) {
            return "end of text";
        }
        return "'" + printable(s.charAt(at)) + "'";
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7F || Character.isSurrogate(c) ? "U+" + hex4(c) : String.valueOf(c);
    }

    private static String hex4(char c) {
        return String.format("%04X", (int) c);
    }

    private static String abbreviate(String v) {
        return v.length() <= 40 ? v : v.substring(0, 40) + "...";
    }

    private JsonParseException error(String msg) {
        return errorAt(pos, msg);
    }

    private JsonParseException errorAt(int at, String msg) {
        return new JsonParseException("invalid JSON at " + where(at) + ": " + msg, at, false);
    }

    private JsonParseException truncated(String msg) {
        return truncatedAt(s.length(), msg);
    }

    private JsonParseException truncatedAt(int at, String msg) {
        return new JsonParseException("JSON text ends early at " + where(at) + ": " + msg, at, true);
    }

    private String where(int at) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < at && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return "offset " + at + " (line " + line + ", column " + col + ")";
    }
}
