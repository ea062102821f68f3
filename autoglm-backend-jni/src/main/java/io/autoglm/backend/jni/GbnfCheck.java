package io.autoglm.backend.jni;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Syntax check of a GBNF grammar before it reaches the binding: llama.cpp b4916's server ignores a
 * grammar it cannot parse (after printing the error to stderr) and generates unconstrained, so a bad
 * grammar must be caught here. Follows llama.cpp's grammar parser: rules {@code name ::= alternates},
 * names of letters, digits and '-', string literals, character classes, groups, '.', repetition
 * ({@code * + ?} and {@code {m}, {m,}, {m,n}}), '#' comments, a {@code root} rule, no undefined rule.
 */
final class GbnfCheck {
    private final String src;
    private int pos;
    private final Set<String> defined = new HashSet<>();
    private final Map<String, Integer> referenced = new LinkedHashMap<>();

    private GbnfCheck(String src) {
        this.src = src;
    }

    /** @throws IllegalArgumentException naming the problem and its character offset */
    static void validate(String grammar) {
        GbnfCheck c = new GbnfCheck(grammar);
        c.grammar();
    }

    private IllegalArgumentException error(String what) {
        int from = Math.max(0, pos - 20);
        int to = Math.min(src.length(), pos + 20);
        return new IllegalArgumentException("invalid GBNF grammar: " + what + " at offset " + pos + " near '"
                + src.substring(from, to).replace("\n", "\\n") + "'");
    }

    private void grammar() {
        skipSpace(true);
        if (pos >= src.length()) {
            throw error("empty grammar");
        }
        while (pos < src.length()) {
            rule();
            skipSpace(true);
        }
        if (!defined.contains("root")) {
            throw new IllegalArgumentException("invalid GBNF grammar: no 'root' rule");
        }
        for (Map.Entry<String, Integer> e : referenced.entrySet()) {
            if (!defined.contains(e.getKey())) {
                pos = e.getValue();
                throw error("undefined rule '" + e.getKey() + "'");
            }
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isWordChar(src.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expecting a name");
        }
        return src.substring(start, pos);
    }

    private void skipSpace(boolean newlines) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                pos++;
            } else {
                break;
            }
        }
    }

    private void rule() {
        String n = name();
        skipSpace(false);
        if (!src.startsWith("::=", pos)) {
            throw error("expecting ::=");
        }
        pos += 3;
        skipSpace(true);
        alternates(false);
        defined.add(n);
        if (pos < src.length() && src.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        } else if (pos < src.length()) {
            throw error("expecting newline or end");
        }
    }

    private void alternates(boolean nested) {
        sequence(nested);
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            skipSpace(true);
            sequence(nested);
        }
    }

    private void sequence(boolean nested) {
        boolean any = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            int at = pos;
            if (c == '"') {
                pos++;
                while (pos < src.length() && src.charAt(pos) != '"') {
                    character();
                }
                if (pos >= src.length()) {
                    throw error("unexpected end of input in string");
                }
                pos++;
            } else if (c == '[') {
                pos++;
                if (pos < src.length() && src.charAt(pos) == '^') {
                    pos++;
                }
                while (pos < src.length() && src.charAt(pos) != ']') {
                    character();
                    if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                        pos++;
                        character();
                    }
                }
                if (pos >= src.length()) {
                    throw error("unexpected end of input in character class");
                }
                pos++;
            } else if (isWordChar(c)) {
                String n = name();
                referenced.putIfAbsent(n, at);
            } else if (c == '(') {
                pos++;
                skipSpace(true);
                alternates(true);
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw error("expecting ')'");
                }
                pos++;
            } else if (c == '.') {
                pos++;
            } else if (c == '*' || c == '+' || c == '?') {
                if (!any) {
                    throw error("expecting preceding item to */+/? ");
                }
                pos++;
            } else if (c == '{') {
                if (!any) {
                    throw error("expecting preceding item to {m,n}");
                }
                pos++;
                skipSpace(nested);
                int digits = digits();
                skipSpace(nested);
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                    skipSpace(nested);
                    digits();
                    skipSpace(nested);
                } else if (digits == 0) {
                    throw error("expecting a number");
                }
                if (pos >= src.length() || src.charAt(pos) != '}') {
                    throw error("expecting '}'");
                }
                pos++;
            } else {
                break;
            }
            any = true;
            skipSpace(nested);
        }
    }

    private int digits() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        return pos - start;
    }

    private void character() {
        char c = src.charAt(pos);
        if (c != '\\') {
            pos++;
            return;
        }
        if (pos + 1 >= src.length()) {
            throw error("unexpected end of input after '\\'");
        }
        char e = src.charAt(pos + 1);
        int hex = switch (e) {
            case 'x' -> 2;
            case 'u' -> 4;
            case 'U' -> 8;
            case 't', 'r', 'n', '\\', '"', '[', ']' -> 0;
            default -> throw error("unknown escape '\\" + e + "'");
        };
        pos += 2;
        for (int i = 0; i < hex; i++) {
            if (pos >= src.length() || Character.digit(src.charAt(pos), 16) < 0) {
                throw error("expecting " + hex + " hex digits");
            }
            pos++;
        }
    }
}
