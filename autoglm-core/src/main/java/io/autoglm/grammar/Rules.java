package io.autoglm.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rule table of one grammar under construction: named rules (identical bodies shared),
 * large repetitions split into nested chunks, a check that every rule can finish and none is
 * left-recursive, and the GBNF rendering.
 */
final class Rules {
    /**
     * Largest count written as {@code x{m,n}} directly. llama.cpp expands {@code x{0,n}} into n
     * rules and current builds refuse a repetition of 2000 or more; larger counts are built from
     * chunks of this size, so the text and the expanded grammar grow with the logarithm of n.
     */
    static final long DIRECT_REPEAT_LIMIT = 1000;

    private final Map<String, Expr> rules = new LinkedHashMap<>();
    private final Map<String, String> origin = new HashMap<>();
    private final Map<Expr, String> byBody = new HashMap<>();
    private final Set<String> reserved = new HashSet<>();
    private Map<String, Expr> rendered;

    /** @return a fresh rule name built from {@code hint}, reserved until {@link #define(String, Expr, String)} */
    String reserve(String hint, String pointer) {
        String base = sanitize(hint);
        String name = base;
        for (int i = 2; rules.containsKey(name) || reserved.contains(name); i++) {
            name = base + "-" + i;
        }
        reserved.add(name);
        origin.put(name, pointer);
        return name;
    }

    /** Gives a reserved rule its body. */
    void define(String name, Expr body, String pointer) {
        if (!reserved.remove(name)) {
            throw new IllegalStateException("rule not reserved: " + name);
        }
        rules.put(name, body);
        origin.putIfAbsent(name, pointer);
    }

    /** @return a reference to a rule with this body, shared with an identical earlier rule */
    Expr named(String hint, Expr body, String pointer) {
        if (body instanceof Expr.Ref) {
            return body;
        }
        String existing = byBody.get(body);
        if (existing != null) {
            return Expr.ref(existing);
        }
        String name = reserve(hint, pointer);
        define(name, body, pointer);
        byBody.put(body, name);
        return Expr.ref(name);
    }

    boolean has(String name) {
        return rules.containsKey(name);
    }

    /**
     * @return {@code item{min,max}} ({@code max < 0}: unbounded) with counts above
     *         {@link #DIRECT_REPEAT_LIMIT} built from nested chunk rules; the repeated item is always
     *         one symbol
     */
    Expr repeat(Expr item, long min, long max, String hint, String pointer) {
        if (min < 0 || (max >= 0 && max < min)) {
            throw new IllegalArgumentException("bad repetition {" + min + "," + max + "}");
        }
        if (max == 0 || item.equals(Expr.EMPTY)) {
            return Expr.EMPTY;
        }
        if (!(item instanceof Expr.Ref || item instanceof Expr.Chars || item instanceof Expr.Lit)) {
            item = named(hint, item, pointer);
        }
        if (min == 1 && max == 1) {
            return item;
        }
        if (max < 0) {
            return min <= DIRECT_REPEAT_LIMIT ? new Expr.Rep(item, min, -1)
                    : Expr.seq(exactly(item, min, hint, pointer), new Expr.Rep(item, 0, -1));
        }
        if (max <= DIRECT_REPEAT_LIMIT) {
            return new Expr.Rep(item, min, max);
        }
        return Expr.seq(exactly(item, min, hint, pointer), upTo(item, max - min, hint, pointer));
    }

    private Expr exactly(Expr item, long n, String hint, String pointer) {
        if (n <= DIRECT_REPEAT_LIMIT) {
            return n == 0 ? Expr.EMPTY : n == 1 ? item : new Expr.Rep(item, n, n);
        }
        Expr chunk = named(hint + "-chunk", new Expr.Rep(item, DIRECT_REPEAT_LIMIT, DIRECT_REPEAT_LIMIT), pointer);
        return Expr.seq(exactly(chunk, n / DIRECT_REPEAT_LIMIT, hint, pointer),
                exactly(item, n % DIRECT_REPEAT_LIMIT, hint, pointer));
    }

    /** 0 to n items: fewer than q full chunks and any tail, or exactly q chunks and a tail up to r. */
    private Expr upTo(Expr item, long n, String hint, String pointer) {
        if (n <= DIRECT_REPEAT_LIMIT) {
            return n == 0 ? Expr.EMPTY : new Expr.Rep(item, 0, n);
        }
        long q = n / DIRECT_REPEAT_LIMIT;
        long r = n % DIRECT_REPEAT_LIMIT;
        Expr chunk = named(hint + "-chunk", new Expr.Rep(item, DIRECT_REPEAT_LIMIT, DIRECT_REPEAT_LIMIT), pointer);
        Expr fewer = Expr.seq(upTo(chunk, q - 1, hint, pointer), new Expr.Rep(item, 0, DIRECT_REPEAT_LIMIT - 1));
        Expr full = Expr.seq(exactly(chunk, q, hint, pointer), r == 0 ? Expr.EMPTY : new Expr.Rep(item, 0, r));
        return Expr.alt(fewer, full);
    }

    /**
     * Drops alternatives that can never finish (a recursion with no way out), then renders the
     * rules reachable from {@code root} as GBNF text.
     *
     * @throws UnsupportedSchemaException when the root can never finish or a rule is left-recursive
     */
    String render(String root) {
        if (!reserved.isEmpty()) {
            throw new IllegalStateException("rules reserved but not defined: " + reserved);
        }
        Set<String> productive = productive();
        if (!productive.contains(root)) {
            throw new UnsupportedSchemaException(origin.getOrDefault(root, ""),
                    "the schema has no finite instance (every way through it recurses forever)");
        }
        Map<String, Expr> pruned = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> e : rules.entrySet()) {
            if (productive.contains(e.getKey())) {
                pruned.put(e.getKey(), prune(e.getValue(), productive));
            }
        }
        checkLeftRecursion(pruned);
        collapseAliases(pruned, root);
        rendered = pruned;
        // rules reachable from root, root first
        List<String> order = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Deque<String> work = new ArrayDeque<>();
        work.add(root);
        seen.add(root);
        while (!work.isEmpty()) {
            String n = work.poll();
            order.add(n);
            for (String r : refs(pruned.get(n), new LinkedHashSet<>())) {
                if (seen.add(r)) {
                    work.add(r);
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String n : order) {
            sb.append(n).append(" ::= ");
            renderTop(pruned.get(n), sb);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Marks an unbounded length in {@link #maxBytes(String)}. */
    static final long UNBOUNDED = Long.MAX_VALUE;

    /**
     * @return the most UTF-8 bytes a text matching rule {@code root} of the rendered grammar can have
     *         ({@link #UNBOUNDED} for recursion or unbounded repetition); a generation needs at most
     *         this many tokens plus one for end-of-generation
     */
    long maxBytes(String root) {
        if (rendered == null) {
            throw new IllegalStateException("render first");
        }
        return maxBytes(Expr.ref(root), new HashMap<>(), new HashSet<>());
    }

    private long maxBytes(Expr e, Map<String, Long> memo, Set<String> active) {
        return switch (e) {
            case Expr.Lit l -> l.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            case Expr.Chars c -> c.body().startsWith("^") ? 4 : 1; // negated classes match any code point
            case Expr.Ref r -> {
                Long known = memo.get(r.name());
                if (known != null) {
                    yield known;
                }
                if (!active.add(r.name())) {
                    yield UNBOUNDED;
                }
                long v = maxBytes(rendered.get(r.name()), memo, active);
                active.remove(r.name());
                memo.put(r.name(), v);
                yield v;
            }
            case Expr.Seq s -> {
                long sum = 0;
                for (Expr x : s.items()) {
                    sum = saturatingAdd(sum, maxBytes(x, memo, active));
                }
                yield sum;
            }
            case Expr.Alt a -> {
                long max = 0;
                for (Expr x : a.options()) {
                    max = Math.max(max, maxBytes(x, memo, active));
                }
                yield max;
            }
            case Expr.Rep r -> {
                long item = maxBytes(r.item(), memo, active);
                if (item == 0) {
                    yield 0;
                }
                if (r.max() < 0 || item == UNBOUNDED) {
                    yield UNBOUNDED;
                }
                yield item > UNBOUNDED / r.max() ? UNBOUNDED : item * r.max();
            }
        };
    }

    private static long saturatingAdd(long a, long b) {
        return a > UNBOUNDED - b ? UNBOUNDED : a + b;
    }

    /** Rules whose whole body is a reference to another rule are replaced by that rule. */
    private static void collapseAliases(Map<String, Expr> rs, String root) {
        Map<String, String> alias = new HashMap<>();
        for (Map.Entry<String, Expr> e : rs.entrySet()) {
            if (!e.getKey().equals(root) && e.getValue() instanceof Expr.Ref r && !r.name().equals(e.getKey())) {
                alias.put(e.getKey(), r.name());
            }
        }
        if (alias.isEmpty()) {
            return;
        }
        Map<String, String> target = new HashMap<>();
        for (String a : alias.keySet()) {
            String t = a;
            for (int i = 0; i <= alias.size() && alias.containsKey(t); i++) {
                t = alias.get(t);
            }
            target.put(a, t);
        }
        for (Map.Entry<String, Expr> e : rs.entrySet()) {
            e.setValue(rename(e.getValue(), target));
        }
    }

    private static Expr rename(Expr e, Map<String, String> target) {
        return switch (e) {
            case Expr.Ref r -> target.containsKey(r.name()) ? Expr.ref(target.get(r.name())) : r;
            case Expr.Seq s -> new Expr.Seq(s.items().stream().map(x -> rename(x, target)).toList());
            case Expr.Alt a -> new Expr.Alt(a.options().stream().map(x -> rename(x, target)).toList());
            case Expr.Rep r -> new Expr.Rep(rename(r.item(), target), r.min(), r.max());
            default -> e;
        };
    }

    private Set<String> productive() {
        Set<String> p = new HashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Map.Entry<String, Expr> e : rules.entrySet()) {
                if (!p.contains(e.getKey()) && productive(e.getValue(), p)) {
                    p.add(e.getKey());
                    changed = true;
                }
            }
        }
        return p;
    }

    private static boolean productive(Expr e, Set<String> p) {
        return switch (e) {
            case Expr.Lit l -> true;
            case Expr.Chars c -> true;
            case Expr.Ref r -> p.contains(r.name());
            case Expr.Seq s -> s.items().stream().allMatch(x -> productive(x, p));
            case Expr.Alt a -> a.options().stream().anyMatch(x -> productive(x, p));
            case Expr.Rep r -> r.min() == 0 || productive(r.item(), p);
        };
    }

    private static Expr prune(Expr e, Set<String> p) {
        return switch (e) {
            case Expr.Seq s -> Expr.seq(s.items().stream().map(x -> prune(x, p)).toList());
            case Expr.Alt a -> Expr.alt(a.options().stream().filter(x -> productive(x, p)).map(x -> prune(x, p)).toList());
            case Expr.Rep r -> productive(r.item(), p) ? new Expr.Rep(prune(r.item(), p), r.min(), r.max()) : Expr.EMPTY;
            default -> e;
        };
    }

    private void checkLeftRecursion(Map<String, Expr> rs) {
        Set<String> nullable = new HashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Map.Entry<String, Expr> e : rs.entrySet()) {
                if (!nullable.contains(e.getKey()) && nullable(e.getValue(), nullable)) {
                    nullable.add(e.getKey());
                    changed = true;
                }
            }
        }
        Map<String, Set<String>> first = new HashMap<>();
        for (Map.Entry<String, Expr> e : rs.entrySet()) {
            Set<String> f = new LinkedHashSet<>();
            leading(e.getValue(), nullable, f);
            first.put(e.getKey(), f);
        }
        // depth-first search for a cycle in the "may start with" graph
        Map<String, Integer> state = new HashMap<>();
        for (String start : rs.keySet()) {
            if (state.containsKey(start)) {
                continue;
            }
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {start, first.get(start).iterator()});
            state.put(start, 1);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                @SuppressWarnings("unchecked")
                java.util.Iterator<String> it = (java.util.Iterator<String>) top[1];
                if (it.hasNext()) {
                    String next = it.next();
                    Integer st = state.get(next);
                    if (st == null) {
                        state.put(next, 1);
                        stack.push(new Object[] {next, first.getOrDefault(next, Set.of()).iterator()});
                    } else if (st == 1) {
                        throw new UnsupportedSchemaException(origin.getOrDefault(next, ""),
                                "the schema refers back to itself before producing any character "
                                        + "(a $ref cycle through anyOf/allOf/$ref only)");
                    }
                } else {
                    state.put((String) top[0], 2);
                    stack.pop();
                }
            }
        }
    }

    private static boolean nullable(Expr e, Set<String> n) {
        return switch (e) {
            case Expr.Lit l -> l.text().isEmpty();
            case Expr.Chars c -> false;
            case Expr.Ref r -> n.contains(r.name());
            case Expr.Seq s -> s.items().stream().allMatch(x -> nullable(x, n));
            case Expr.Alt a -> a.options().stream().anyMatch(x -> nullable(x, n));
            case Expr.Rep r -> r.min() == 0 || nullable(r.item(), n);
        };
    }

    /** Collects the rules {@code e} may begin with before consuming a character. */
    private static void leading(Expr e, Set<String> nullable, Set<String> out) {
        switch (e) {
            case Expr.Ref r -> out.add(r.name());
            case Expr.Seq s -> {
                for (Expr x : s.items()) {
                    leading(x, nullable, out);
                    if (!nullable(x, nullable)) {
                        break;
                    }
                }
            }
            case Expr.Alt a -> a.options().forEach(x -> leading(x, nullable, out));
            case Expr.Rep r -> leading(r.item(), nullable, out);
            default -> {
            }
        }
    }

    private static Set<String> refs(Expr e, Set<String> out) {
        switch (e) {
            case Expr.Ref r -> out.add(r.name());
            case Expr.Seq s -> s.items().forEach(x -> refs(x, out));
            case Expr.Alt a -> a.options().forEach(x -> refs(x, out));
            case Expr.Rep r -> refs(r.item(), out);
            default -> {
            }
        }
        return out;
    }

    private static void renderTop(Expr e, StringBuilder sb) {
        if (e instanceof Expr.Alt a) {
            for (int i = 0; i < a.options().size(); i++) {
                if (i > 0) {
                    sb.append(" | ");
                }
                renderSeqItem(a.options().get(i), sb, false);
            }
        } else {
            renderSeqItem(e, sb, false);
        }
    }

    /** Renders {@code e}; alternatives are parenthesised, and so are sequences when {@code inRep}. */
    private static void renderSeqItem(Expr e, StringBuilder sb, boolean inRep) {
        switch (e) {
            case Expr.Lit l -> literal(l.text(), sb);
            case Expr.Chars c -> sb.append('[').append(c.body()).append(']');
            case Expr.Ref r -> sb.append(r.name());
            case Expr.Seq s -> {
                if (s.items().isEmpty()) {
                    sb.append("\"\"");
                    return;
                }
                if (inRep) {
                    sb.append("( ");
                }
                for (int i = 0; i < s.items().size(); i++) {
                    if (i > 0) {
                        sb.append(' ');
                    }
                    renderSeqItem(s.items().get(i), sb, false);
                }
                if (inRep) {
                    sb.append(" )");
                }
            }
            case Expr.Alt a -> {
                sb.append("( ");
                renderTop(a, sb);
                sb.append(" )");
            }
            case Expr.Rep r -> {
                renderSeqItem(r.item(), sb, true);
                long min = r.min();
                long max = r.max();
                if (min == 0 && max == 1) {
                    sb.append('?');
                } else if (min == 0 && max < 0) {
                    sb.append('*');
                } else if (min == 1 && max < 0) {
                    sb.append('+');
                } else if (min == max) {
                    sb.append('{').append(min).append('}');
                } else if (max < 0) {
                    sb.append('{').append(min).append(",}");
                } else {
                    sb.append('{').append(min).append(',').append(max).append('}');
                }
            }
        }
    }

    /** Writes a GBNF string literal; everything outside printable ASCII is escaped. */
    static void literal(String text, StringBuilder sb) {
        sb.append('"');
        text.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                sb.append('\\').append((char) cp);
            } else if (cp >= 0x20 && cp < 0x7F) {
                sb.append((char) cp);
            } else {
                sb.append(escapeCodePoint(cp));
            }
        });
        sb.append('"');
    }

    /** @return a GBNF escape for one code point ({@code \xHH}, {@code \\uHHHH} or {@code \UHHHHHHHH}) */
    static String escapeCodePoint(int cp) {
        if (cp <= 0xFF) {
            return String.format("\\x%02X", cp);
        }
        if (cp <= 0xFFFF) {
            return String.format("\\u%04X", cp);
        }
        return String.format("\\U%08X", cp);
    }

    /** @return a GBNF rule name made of letters, digits and dashes */
    static String sanitize(String hint) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hint.length() && sb.length() < 48; i++) {
            char c = hint.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            } else if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '-') {
                sb.append('-');
            }
        }
        while (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '-') {
            sb.setLength(sb.length() - 1);
        }
        return sb.isEmpty() ? "r" : sb.toString();
    }
}
