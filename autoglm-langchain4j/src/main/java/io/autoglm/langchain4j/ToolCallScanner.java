package io.autoglm.langchain4j;

import io.autoglm.grammar.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads tool calls out of text that is still being generated under a tool-call grammar
 * ({@code {"name": "...", "arguments": {...}}}, or an array of such objects), so a stream can hand out
 * each call's name as soon as it is complete and its arguments as they grow.
 */
final class ToolCallScanner {
    /**
     * One call seen so far.
     *
     * @param name the tool name, null until its string is complete
     * @param argsStart offset of the arguments value, -1 until it starts
     * @param argsEnd offset just after the arguments value, -1 until it is complete
     */
    record Seen(String name, int argsStart, int argsEnd) {
    }

    private ToolCallScanner() {
    }

    /**
     * @param text the text generated so far (may be cut anywhere)
     * @return the calls begun in it, in order
     */
    static List<Seen> scan(String text) {
        List<Seen> calls = new ArrayList<>();
        int depth = 0;
        int level = -1;
        boolean inString = false;
        boolean escape = false;
        int stringStart = -1;
        String key = null;
        boolean afterColon = false;
        String name = null;
        int argsStart = -1;
        int argsEnd = -1;
        boolean open = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (escape) {
                    escape = false;
                } else if (c == '\\') {
                    escape = true;
                } else if (c == '"') {
                    inString = false;
                    if (stringStart >= 0) {
                        Object s = Json.parse(text.substring(stringStart, i + 1));
                        if (!afterColon) {
                            key = (String) s;
                        } else if ("name".equals(key)) {
                            name = (String) s;
                        }
                    }
                }
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            if (level < 0) {
                level = c == '[' ? 2 : 1;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    stringStart = depth == level ? i : -1;
                }
                case '{', '[' -> {
                    if (depth == level && afterColon && "arguments".equals(key)) {
                        argsStart = i;
                    }
                    depth++;
                    if (depth == level && c == '{') {
                        if (open) {
                            calls.add(new Seen(name, argsStart, argsEnd));
                        }
                        open = true;
                        name = null;
                        argsStart = -1;
                        argsEnd = -1;
                        key = null;
                        afterColon = false;
                    }
                }
                case '}', ']' -> {
                    depth--;
                    if (depth == level && argsStart >= 0 && argsEnd < 0) {
                        argsEnd = i + 1;
                    }
                }
                case ':' -> {
                    if (depth == level) {
                        afterColon = true;
                    }
                }
                case ',' -> {
                    if (depth == level) {
                        afterColon = false;
                        key = null;
                    }
                }
                default -> {
                    // numbers, literals and the like inside the arguments; nothing to track
                }
            }
        }
        if (open) {
            calls.add(new Seen(name, argsStart, argsEnd));
        }
        return calls;
    }
}
