package io.autoglm.server.config;

import io.autoglm.server.config.YamlTree.Kind;
import io.autoglm.server.config.YamlTree.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads typed values out of a {@link YamlTree}, interpolating {@code ${ENV}} and naming file, line and field in every error. */
final class ConfigReader {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(i?b)?\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h|d)?\\s*");

    private final String file;
    private final Function<String, String> env;

    ConfigReader(String file, Function<String, String> env) {
        this.file = file;
        this.env = env;
    }

    String file() {
        return file;
    }

    ConfigException error(Node n, String field, String problem) {
        return new ConfigException(file, n.line(), n.column(), field, problem);
    }

    /**
     * @param n a node that must be a map (or null: an empty map)
     * @param field its path
     * @param allowed the keys it may have
     * @return its entries
     * @throws ConfigException for another kind of node or an unknown key (naming the nearest allowed one)
     */
    Map<String, Node> map(Node n, String field, Set<String> allowed) {
        if (n.isNull()) {
            return Map.of();
        }
        if (n.kind() != Kind.MAP) {
            throw error(n, field, "must be a map of " + String.join(", ", allowed) + ", was " + describe(n));
        }
        for (Map.Entry<String, int[]> e : n.keyAt().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                String near = nearest(e.getKey(), allowed);
                throw new ConfigException(file, e.getValue()[0], e.getValue()[1], join(field, e.getKey()),
                        "unknown field" + (near != null ? "; did you mean '" + near + "'?" : "")
                                + " (" + (field.isEmpty() ? "top level" : field) + " has " + String.join(", ", allowed) + ")");
            }
        }
        return n.map();
    }

    List<Node> list(Node n, String field) {
        if (n.isNull()) {
            return List.of();
        }
        if (n.kind() != Kind.LIST) {
            throw error(n, field, "must be a list, was " + describe(n));
        }
        return n.list();
    }

    /** @return the scalar's text with {@code ${ENV}} replaced, or null for a null node */
    String string(Node n, String field) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.kind() != Kind.SCALAR) {
            throw error(n, field, "must be a single value, was " + describe(n));
        }
        return interpolate(n, field, n.text());
    }

    String requiredString(Map<String, Node> m, Node parent, String key, String field) {
        Node n = m.get(key);
        String v = n == null ? null : string(n, field);
        if (v == null || v.isBlank()) {
            throw error(n == null ? parent : n, field, "is required");
        }
        return v.strip();
    }

    List<String> strings(Node n, String field) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.kind() == Kind.SCALAR) {
            out.add(string(n, field));
            return out;
        }
        List<Node> l = list(n, field);
        for (int i = 0; i < l.size(); i++) {
            String s = string(l.get(i), field + "[" + i + "]");
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    Integer integer(Node n, String field, long min, long max) {
        String s = string(n, field);
        if (s == null) {
            return null;
        }
        long v;
        try {
            v = Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw error(n, field, "must be a whole number in [" + min + ", " + max + "], was '" + s + "'");
        }
        if (v < min || v > max) {
            throw error(n, field, "must be in [" + min + ", " + max + "], was " + v);
        }
        return (int) v;
    }

    Double number(Node n, String field, double min, double max) {
        String s = string(n, field);
        if (s == null) {
            return null;
        }
        double v;
        try {
            v = Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw error(n, field, "must be a number in [" + min + ", " + max + "], was '" + s + "'");
        }
        if (!(v >= min && v <= max)) {
            throw error(n, field, "must be in [" + min + ", " + max + "], was " + s.strip());
        }
        return v;
    }

    Boolean bool(Node n, String field) {
        String s = string(n, field);
        if (s == null) {
            return null;
        }
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(n, field, "must be true or false, was '" + s + "'");
        };
    }

    /** @return bytes: a number with an optional K, M, G or T (powers of 1024) and an optional B or iB */
    Long size(Node n, String field, long min, long max) {
        String s = string(n, field);
        if (s == null) {
            return null;
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw error(n, field, "must be a size such as 512M, 2G or a number of bytes, was '" + s + "'");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
        if (!(bytes >= min && bytes <= max)) {
            throw error(n, field, "must be in [" + min + ", " + max + "] bytes, was '" + s.strip() + "'");
        }
        return (long) bytes;
    }

    /** @return a duration: a number of seconds, or a number with ms, s, m, h or d */
    Duration duration(Node n, String field, Duration min, Duration max) {
        String s = string(n, field);
        if (s == null) {
            return null;
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw error(n, field, "must be a duration such as 30s, 10m, 2h or a number of seconds, was '" + s + "'");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        double millis = v * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> 1000;
        };
        Duration d = Duration.ofMillis((long) millis);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw error(n, field, "must be in [" + min + ", " + max + "], was '" + s.strip() + "'");
        }
        return d;
    }

    private String interpolate(Node n, String field, String text) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                sb.append("${"); // $${ is a literal ${
                i += 3;
                continue;
            }
            if (c == '$' && text.startsWith("${", i)) {
                Matcher m = VAR.matcher(text).region(i, text.length());
                if (!m.lookingAt()) {
                    throw error(n, field, "malformed ${...} at '" + text.substring(i)
                            + "'; write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal ${");
                }
                String name = m.group(1);
                String value = env.apply(name);
                if (m.group(2) != null) {
                    if (value == null || value.isEmpty()) {
                        value = m.group(3);
                    }
                } else if (value == null) {
                    throw error(n, field, "environment variable " + name + " is not set (set it, or give a default: ${"
                            + name + ":-value})");
                }
                sb.append(value);
                i = m.end();
                continue;
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String describe(Node n) {
        return switch (n.kind()) {
            case MAP -> "a map";
            case LIST -> "a list";
            case NULL -> "empty";
            case SCALAR -> "'" + n.text() + "'";
        };
    }

    /** @return the allowed word nearest to {@code word} by edit distance, when it is near enough to be a slip */
    static String nearest(String word, Iterable<String> allowed) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String a : allowed) {
            int d = distance(word.toLowerCase(Locale.ROOT), a.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = a;
            }
        }
        return best != null && bestD <= Math.max(2, word.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
