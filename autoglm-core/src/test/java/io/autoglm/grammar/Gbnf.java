package io.autoglm.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small GBNF reader and recognizer for tests: tells whether a string is in the language of a
 * grammar, so grammars can be checked on strings they must refuse (a model only shows what they
 * accept). Supports what the compiler writes: literals, classes, rule references, groups,
 * alternatives, {@code ? * +} and {@code {m}}, {@code {m,}}, {@code {m,n}}.
 */
final class Gbnf {
    private sealed interface Node {
    }

    private record Lit(int[] cps) implements Node {
    }

    private record Cls(boolean negated, List<int[]> ranges) implements Node {
    }

    private record Ref(String name) implements Node {
    }

    private record Seq(List<Node> items) implements Node {
    }

    private record Alt(List<Node> options) implements Node {
    }

    private record Rep(Node item, int min, int max) implements Node {
    }

    private final Map<String, Node> rules = new HashMap<>();
    private String src;
    private int pos;

    static Gbnf parse(String text) {
        Gbnf g = new Gbnf();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int sep = line.indexOf(" ::= ");
            g.src = line.substring(sep + 5);
            g.pos = 0;
            g.rules.put(line.substring(0, sep), g.alternatives());
            if (g.pos != g.src.length()) {
                throw new IllegalArgumentException("trailing text in " + line + " at " + g.pos);
            }
        }
        return g;
    }

    boolean matches(String s) {
        int[] cps = s.codePoints().toArray();
        return ends(new Ref("root"), cps, Set.of(0), new HashMap<>()).contains(cps.length);
    }

    private Set<Integer> ends(Node n, int[] in, Set<Integer> starts, Map<String, Set<Integer>> memo) {
        Set<Integer> out = new TreeSet<>();
        switch (n) {
            case Lit l -> {
                for (int p : starts) {
                    if (p + l.cps().length <= in.length && java.util.Arrays.equals(in, p, p + l.cps().length, l.cps(), 0, l.cps().length)) {
                        out.add(p + l.cps().length);
                    }
                }
            }
            case Cls c -> {
                for (int p : starts) {
                    if (p < in.length) {
                        boolean hit = c.ranges().stream().anyMatch(r -> in[p] >= r[0] && in[p] <= r[1]);
                        if (hit != c.negated()) {
                            out.add(p + 1);
                        }
                    }
                }
            }
            case Ref r -> {
                for (int p : starts) {
                    String key = r.name() + "@" + p;
                    Set<Integer> e = memo.get(key);
                    if (e == null) {
                        memo.put(key, Set.of()); // recursion at the same position finds nothing (no left recursion)
                        Node body = rules.get(r.name());
                        if (body == null) {
                            throw new IllegalArgumentException("undefined rule " + r.name());
                        }
                        e = ends(body, in, Set.of(p), memo);
                        memo.put(key, e);
                    }
                    out.addAll(e);
                }
            }
            case Seq s -> {
                Set<Integer> cur = starts;
                for (Node x : s.items()) {
                    cur = ends(x, in, cur, memo);
                    if (cur.isEmpty()) {
                        break;
                    }
                }
                out.addAll(cur);
            }
            case Alt a -> a.options().forEach(x -> out.addAll(ends(x, in, starts, memo)));
            case Rep r -> {
                Set<Integer> cur = starts;
                for (int i = 0; i < r.min() && !cur.isEmpty(); i++) {
                    cur = ends(r.item(), in, cur, memo);
                }
                out.addAll(cur);
                for (int i = r.min(); (r.max() < 0 || i < r.max()) && !cur.isEmpty(); i++) {
                    cur = ends(r.item(), in, cur, memo);
                    cur.removeAll(out);
                    out.addAll(cur);
                }
            }
        }
        return out;
    }

    private Node alternatives() {
        List<Node> alts = new ArrayList<>();
        alts.add(sequence());
        while (peek("|")) {
            pos++;
            alts.add(sequence());
        }
        return alts.size() == 1 ? alts.getFirst() : new Alt(alts);
    }

    private Node sequence() {
        List<Node> items = new ArrayList<>();
        while (true) {
            skip();
            if (pos >= src.length() || src.charAt(pos) == '|' || src.charAt(pos) == ')') {
                return new Seq(items);
            }
            Node n = primary();
            items.add(postfix(n));
        }
    }

    private Node primary() {
        char c = src.charAt(pos);
        if (c == '"') {
            pos++;
            List<Integer> cps = new ArrayList<>();
            while (src.charAt(pos) != '"') {
                cps.add(character());
            }
            pos++;
            return new Lit(cps.stream().mapToInt(Integer::intValue).toArray());
        }
        if (c == '[') {
            pos++;
            boolean neg = src.charAt(pos) == '^';
            if (neg) {
                pos++;
            }
            List<int[]> ranges = new ArrayList<>();
            while (src.charAt(pos) != ']') {
                int lo = character();
                int hi = lo;
                if (src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                    pos++;
                    hi = character();
                }
                ranges.add(new int[] {lo, hi});
            }
            pos++;
            return new Cls(neg, ranges);
        }
        if (c == '(') {
            pos++;
            Node inner = alternatives();
            skip();
            if (src.charAt(pos) != ')') {
                throw new IllegalArgumentException("expected ) at " + pos + " in " + src);
            }
            pos++;
            return inner;
        }
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '-')) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException("unexpected '" + c + "' at " + pos + " in " + src);
        }
        return new Ref(src.substring(start, pos));
    }

    private Node postfix(Node n) {
        if (pos >= src.length()) {
            return n;
        }
        char c = src.charAt(pos);
        switch (c) {
            case '?' -> {
                pos++;
                return new Rep(n, 0, 1);
            }
            case '*' -> {
                pos++;
                return new Rep(n, 0, -1);
            }
            case '+' -> {
                pos++;
                return new Rep(n, 1, -1);
            }
            case '{' -> {
                int close = src.indexOf('}', pos);
                String[] parts = src.substring(pos + 1, close).split(",", -1);
                pos = close + 1;
                int min = Integer.parseInt(parts[0]);
                int max = parts.length == 1 ? min : parts[1].isEmpty() ? -1 : Integer.parseInt(parts[1]);
                return new Rep(n, min, max);
            }
            default -> {
                return n;
            }
        }
    }

    private int character() {
        char c = src.charAt(pos);
        if (c != '\\') {
            int cp = src.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }
        char e = src.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case '\\', '"', '[', ']' -> e;
            default -> throw new IllegalArgumentException("bad escape \\" + e);
        };
    }

    private int hex(int n) {
        int v = Integer.parseInt(src.substring(pos, pos + n), 16);
        pos += n;
        return v;
    }

    private boolean peek(String s) {
        skip();
        return src.startsWith(s, pos);
    }

    private void skip() {
        while (pos < src.length() && src.charAt(pos) == ' ') {
            pos++;
        }
    }
}
