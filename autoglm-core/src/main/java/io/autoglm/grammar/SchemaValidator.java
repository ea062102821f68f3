package io.autoglm.grammar;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a plain Java JSON value against a JSON Schema: the keywords the compiler supports plus
 * pattern, uniqueItems, multipleOf and not. Unknown keywords are ignored; a $ref that does not
 * resolve is a violation. Each violation is one line: the instance pointer, then what is wrong.
 */
final class SchemaValidator {
    private static final int MAX_DEPTH = 512;
    private static final int MAX_VIOLATIONS = 20;

    private final Object doc;
    private final List<String> out = new ArrayList<>();

    private SchemaValidator(Object doc) {
        this.doc = doc;
    }

    /** @return the violations of {@code value} against {@code schema} ({@code $ref}s resolve in {@code doc}); empty when valid */
    static List<String> validate(Object doc, Object schema, Object value) {
        SchemaValidator v = new SchemaValidator(doc);
        v.check(schema, value, "", 0);
        return List.copyOf(v.out);
    }

    private boolean valid(Object schema, Object value, String at, int depth) {
        SchemaValidator probe = new SchemaValidator(doc);
        probe.check(schema, value, at, depth);
        return probe.out.isEmpty();
    }

    private void fail(String at, String msg) {
        if (out.size() < MAX_VIOLATIONS) {
            out.add((at.isEmpty() ? "/" : at) + ": " + msg);
        }
    }

    @SuppressWarnings("unchecked")
    private void check(Object schema, Object value, String at, int depth) {
        if (depth > MAX_DEPTH) {
            fail(at, "schema recursion deeper than " + MAX_DEPTH + " levels");
            return;
        }
        if (Boolean.TRUE.equals(schema)) {
            return;
        }
        if (!(schema instanceof Map<?, ?> raw)) {
            fail(at, "value not allowed here (schema " + Json.typeName(schema) + ")");
            return;
        }
        Map<String, Object> m = (Map<String, Object>) raw;
        if (value == null && Boolean.TRUE.equals(m.get("nullable"))) {
            return; // OpenAPI: null is allowed whatever else the schema says
        }
        if (m.get("$ref") instanceof String ref) {
            Object target = resolve(ref);
            if (target == null) {
                fail(at, "$ref '" + ref + "' does not resolve");
            } else {
                check(target, value, at, depth + 1);
            }
        }
        if (m.get("allOf") instanceof List<?> all) {
            for (Object s : all) {
                check(s, value, at, depth + 1);
            }
        }
        if (m.get("anyOf") instanceof List<?> any && any.stream().noneMatch(s -> valid(s, value, at, depth + 1))) {
            fail(at, "matches none of the anyOf schemas");
        }
        if (m.get("oneOf") instanceof List<?> one) {
            long n = one.stream().filter(s -> valid(s, value, at, depth + 1)).count();
            if (n != 1) {
                fail(at, "matches " + n + " of the oneOf schemas, not exactly one");
            }
        }
        if (m.containsKey("not") && valid(m.get("not"), value, at, depth + 1)) {
            fail(at, "matches the 'not' schema");
        }
        if (m.containsKey("const") && !JsonValues.jsonEquals(m.get("const"), value)) {
            fail(at, "must be " + JsonWriter.write(m.get("const"), 64));
        }
        if (m.get("enum") instanceof List<?> e && e.stream().noneMatch(x -> JsonValues.jsonEquals(x, value))) {
            fail(at, "not one of the enum values");
        }
        checkType(m, value, at);
        switch (value) {
            case Map<?, ?> obj -> checkObject(m, (Map<String, Object>) obj, at, depth);
            case List<?> arr -> checkArray(m, arr, at, depth);
            case String s -> checkString(m, s, at);
            case Number n -> checkNumber(m, n, at);
            case null, default -> {
            }
        }
    }

    private void checkType(Map<String, Object> m, Object value, String at) {
        Object t = m.get("type");
        if (t == null) {
            return;
        }
        List<?> types = t instanceof List<?> l ? l : List.of(t);
        if (types.stream().noneMatch(x -> isType(String.valueOf(x), value))) {
            fail(at, "expected type " + t + ", found " + Json.typeName(value));
        }
    }

    private static boolean isType(String t, Object v) {
        return switch (t) {
            case "null" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Number;
            case "integer" -> v instanceof Number n && JsonValues.isIntegral(n);
            case "object" -> v instanceof Map<?, ?>;
            case "array" -> v instanceof List<?>;
            default -> false;
        };
    }

    private void checkObject(Map<String, Object> m, Map<String, Object> obj, String at, int depth) {
        Map<?, ?> props = m.get("properties") instanceof Map<?, ?> p ? p : Map.of();
        if (m.get("required") instanceof List<?> req) {
            for (Object r : req) {
                if (!obj.containsKey(String.valueOf(r))) {
                    fail(at, "missing required property '" + r + "'");
                }
            }
        }
        Object addl = m.containsKey("additionalProperties") ? m.get("additionalProperties") : m.get("unevaluatedProperties");
        for (Map.Entry<String, Object> e : obj.entrySet()) {
            String child = at + "/" + JsonPointer.escape(e.getKey());
            if (props.containsKey(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), child, depth + 1);
            } else if (addl != null) {
                if (Boolean.FALSE.equals(addl)) {
                    fail(child, "additional property '" + e.getKey() + "' is not allowed");
                } else {
                    check(addl, e.getValue(), child, depth + 1);
                }
            }
        }
        if (m.get("minProperties") instanceof Number n && obj.size() < n.longValue()) {
            fail(at, "has " + obj.size() + " properties, fewer than minProperties " + n);
        }
        if (m.get("maxProperties") instanceof Number n && obj.size() > n.longValue()) {
            fail(at, "has " + obj.size() + " properties, more than maxProperties " + n);
        }
    }

    private void checkArray(Map<String, Object> m, List<?> arr, String at, int depth) {
        List<?> prefix = m.get("prefixItems") instanceof List<?> p ? p : m.get("items") instanceof List<?> l ? l : List.of();
        Object rest = m.containsKey("prefixItems") || !(m.get("items") instanceof List<?>) ? m.get("items") : m.get("additionalItems");
        for (int i = 0; i < arr.size(); i++) {
            String child = at + "/" + i;
            if (i < prefix.size()) {
                check(prefix.get(i), arr.get(i), child, depth + 1);
            } else if (rest != null) {
                if (Boolean.FALSE.equals(rest)) {
                    fail(child, "no item allowed at index " + i);
                } else {
                    check(rest, arr.get(i), child, depth + 1);
                }
            }
        }
        if (m.get("minItems") instanceof Number n && arr.size() < n.longValue()) {
            fail(at, "has " + arr.size() + " items, fewer than minItems " + n);
        }
        if (m.get("maxItems") instanceof Number n && arr.size() > n.longValue()) {
            fail(at, "has " + arr.size() + " items, more than maxItems " + n);
        }
        if (Boolean.TRUE.equals(m.get("uniqueItems"))) {
            for (int i = 0; i < arr.size(); i++) {
                for (int j = i + 1; j < arr.size(); j++) {
                    if (JsonValues.jsonEquals(arr.get(i), arr.get(j))) {
                        fail(at, "items " + i + " and " + j + " are equal but uniqueItems is true");
                        return;
                    }
                }
            }
        }
    }

    private void checkString(Map<String, Object> m, String s, String at) {
        int len = JsonValues.codePoints(s);
        if (m.get("minLength") instanceof Number n && len < n.longValue()) {
            fail(at, "length " + len + " is below minLength " + n);
        }
        if (m.get("maxLength") instanceof Number n && len > n.longValue()) {
            fail(at, "length " + len + " is above maxLength " + n);
        }
        if (m.get("format") instanceof String f && !Formats.matches(f, s)) {
            fail(at, "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\" is not a valid " + f);
        }
        if (m.get("pattern") instanceof String p) {
            try {
                if (!Pattern.compile(p).matcher(s).find()) {
                    fail(at, "does not match pattern " + p);
                }
            } catch (RuntimeException e) {
                fail(at, "pattern " + p + " is not a valid regular expression");
            }
        }
    }

    private void checkNumber(Map<String, Object> m, Number n, String at) {
        BigDecimal v = JsonValues.decimal(n);
        if (v == null) {
            fail(at, "not a finite number");
            return;
        }
        Object exMin = m.get("exclusiveMinimum");
        Object exMax = m.get("exclusiveMaximum");
        if (m.get("minimum") instanceof Number x) {
            int c = v.compareTo(JsonValues.decimal(x));
            if (Boolean.TRUE.equals(exMin) ? c <= 0 : c < 0) {
                fail(at, v.toPlainString() + " is below the minimum " + x);
            }
        }
        if (m.get("maximum") instanceof Number x) {
            int c = v.compareTo(JsonValues.decimal(x));
            if (Boolean.TRUE.equals(exMax) ? c >= 0 : c > 0) {
                fail(at, v.toPlainString() + " is above the maximum " + x);
            }
        }
        if (exMin instanceof Number x && v.compareTo(JsonValues.decimal(x)) <= 0) {
            fail(at, v.toPlainString() + " is not above the exclusiveMinimum " + x);
        }
        if (exMax instanceof Number x && v.compareTo(JsonValues.decimal(x)) >= 0) {
            fail(at, v.toPlainString() + " is not below the exclusiveMaximum " + x);
        }
        if (m.get("multipleOf") instanceof Number x) {
            BigDecimal d = JsonValues.decimal(x);
            if (d != null && d.signum() > 0 && v.remainder(d).signum() != 0) {
                fail(at, v.toPlainString() + " is not a multiple of " + x);
            }
        }
    }

    private Object resolve(String ref) {
        if (!ref.startsWith("#")) {
            return null;
        }
        String pointer = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
        Object cur = doc;
        if (pointer.isEmpty()) {
            return cur;
        }
        if (!pointer.startsWith("/")) {
            return null;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            String seg = JsonPointer.unescape(raw);
            if (cur instanceof Map<?, ?> map && map.containsKey(seg)) {
                cur = map.get(seg);
            } else if (cur instanceof List<?> list && seg.matches("0|[1-9][0-9]{0,8}") && Integer.parseInt(seg) < list.size()) {
                cur = list.get(Integer.parseInt(seg));
            } else {
                return null;
            }
        }
        return cur;
    }
}
