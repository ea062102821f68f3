package io.autoglm.langchain4j;

import java.util.function.UnaryOperator;

/**
 * Small operations on GBNF grammar text: renaming every rule (definitions and references) so two
 * grammars can be joined under a new root without their rule names clashing.
 */
final class Gbnf {
    /** Plain text that does not start like JSON: the answer alternative beside tool calls. */
    static final String FREE_TEXT = "root ::= [^{\\[ \\t\\n] .*\n";

    private Gbnf() {
    }

    /**
     * @param gbnf a grammar
     * @param prefix prepended to every rule name
     * @return the grammar with every rule renamed
     */
    static String prefixRules(String gbnf, String prefix) {
        return renameRules(gbnf, name -> prefix + name);
    }

    /**
     * A grammar whose output is an optional short run of whitespace and then either one of two
     * grammars (each with root rule {@code root}).
     *
     * @param first the first alternative
     * @param second the second alternative
     * @return the joined grammar, root rule {@code root}
     */
    static String either(String first, String second) {
        return "root ::= [ \\t\\n]{0,2} ( a-root | b-root )\n" + prefixRules(first, "a-") + prefixRules(second, "b-");
    }

    /**
     * Renames rule names outside string literals, character classes, repetition counts and comments.
     *
     * @param gbnf the grammar text
     * @param rename maps an old rule name to its new one
     * @return the renamed grammar
     */
    static String renameRules(String gbnf, UnaryOperator<String> rename) {
        StringBuilder out = new StringBuilder(gbnf.length() + 64);
        int i = 0;
        int n = gbnf.length();
        while (i < n) {
            char c = gbnf.charAt(i);
            if (c == '"' || c == '[') {
                char close = c == '"' ? '"' : ']';
                int j = i + 1;
                while (j < n && gbnf.charAt(j) != close) {
                    j += gbnf.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, n);
                out.append(gbnf, i, j);
                i = j;
            } else if (c == '{') {
                int j = gbnf.indexOf('}', i);
                j = j < 0 ? n : j + 1;
                out.append(gbnf, i, j);
                i = j;
            } else if (c == '#') {
                int j = gbnf.indexOf('\n', i);
                j = j < 0 ? n : j;
                out.append(gbnf, i, j);
                i = j;
            } else if (isWordChar(c)) {
                int j = i;
                while (j < n && isWordChar(gbnf.charAt(j))) {
                    j++;
                }
                out.append(rename.apply(gbnf.substring(i, j)));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        return out.toString();
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
