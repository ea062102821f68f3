package io.autoglm.grammar;

import static io.autoglm.grammar.Expr.alt;
import static io.autoglm.grammar.Expr.lit;
import static io.autoglm.grammar.Expr.seq;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one JSON Schema document into rules of a shared {@link Rules} table. One instance per
 * document, because {@code $ref}s resolve against their own document.
 */
final class SchemaCompilation {
    /** Deepest nesting of subschemas followed while compiling (guards the Java stack). */
    static final int MAX_NESTING = 128;
    private static final List<String> TYPE_ORDER = List.of("object", "array", "string", "number", "integer", "boolean", "null");

    private final Object doc;
    private final JsonRules json;
    private final Rules rules;
    private final String prefix;
    private final Map<String, Expr> refs = new HashMap<>();
    private int depth;

    /** Thrown where a schema admits no value at all; anyOf branches and optional properties that throw it are dropped. */
    static final class NoValueException extends UnsupportedSchemaException {
        private static final long serialVersionUID = 1L;

        NoValueException(String pointer, String reason) {
            super(pointer, "no value satisfies the schema: " + reason);
        }
    }

    SchemaCompilation(Object doc, JsonRules json, String prefix) {
        this.doc = doc;
        this.json = json;
        this.rules = json.rules;
        this.prefix = prefix;
    }

    /** @return the expression for the whole document */
    Expr compileDocument() {
        return refRule("#", "");
    }

    /** @return the expression for values valid against {@code schema}, found at {@code ptr} in the document */
    Expr value(Object schema, String ptr) {
        if (++depth > MAX_NESTING) {
            throw new UnsupportedSchemaException(ptr, "subschemas nest deeper than " + MAX_NESTING + " levels");
        }
        try {
            return compile(schema, ptr);
        } finally {
            depth--;
        }
    }

    private Expr compile(Object schema, String ptr) {
        if (schema instanceof Boolean b) {
            if (!b) {
                throw new NoValueException(ptr, "the schema is false");
            }
            return json.value();
        }
        Map<String, Object> m = schemaMap(schema, ptr);
        checkKeywords(m, ptr);
        if (Boolean.TRUE.equals(m.get("nullable"))) {
            // OpenAPI: null is allowed besides whatever the rest of the schema allows
            Map<String, Object> rest = without(m, "nullable");
            try {
                return alt(value(rest, ptr), lit("null"));
            } catch (NoValueException e) {
                return lit("null");
            }
        }
        if (m.containsKey("$ref")) {
            Map<String, Object> rest = without(m, "$ref");
            if (!hasConstraints(rest)) {
                return refRule(m.get("$ref"), ptr + "/$ref");
            }
            return value(merge(List.of(m), ptr), ptr);
        }
        if (m.containsKey("allOf")) {
            return value(merge(List.of(m), ptr), ptr);
        }
        if (m.containsKey("anyOf") && m.containsKey("oneOf")) {
            throw new UnsupportedSchemaException(ptr + "/oneOf", "anyOf and oneOf in the same schema are not supported; nest one in allOf");
        }
        if (m.containsKey("anyOf") || m.containsKey("oneOf")) {
            return alternatives(m, ptr);
        }
        if (m.containsKey("enum") || m.containsKey("const")) {
            return enumeration(m, ptr);
        }
        List<String> types = types(m, ptr);
        if (types == null) {
            return json.value();
        }
        List<Expr> alts = new ArrayList<>();
        NoValueException last = null;
        for (String t : types) {
            try {
                alts.add(switch (t) {
                    case "object" -> object(m, ptr);
                    case "array" -> array(m, ptr);
                    case "string" -> string(m, ptr);
                    case "integer" -> integer(m, ptr);
                    case "number" -> number(m, ptr);
                    case "boolean" -> json.bool();
                    case "null" -> lit("null");
                    default -> throw new IllegalStateException(t);
                });
            } catch (NoValueException e) {
                last = e;
            }
        }
        if (alts.isEmpty()) {
            throw last;
        }
        return alt(alts);
    }

    // ---------------------------------------------------------------- $ref

    private Expr refRule(Object refValue, String ptr) {
        String pointer = pointerOf(refValue, ptr);
        Expr known = refs.get(pointer);
        if (known != null) {
            return known;
        }
        Object target = resolve(pointer, ptr);
        String name = rules.reserve(hint(pointer), pointer);
        Expr r = Expr.ref(name);
        refs.put(pointer, r);
        try {
            rules.define(name, value(target, pointer), pointer);
        } catch (NoValueException e) {
            rules.define(name, r, pointer); // never finishes: pruned where optional, refused where required
            throw e;
        } catch (RuntimeException e) {
            rules.define(name, r, pointer);
            throw e;
        }
        return r;
    }

    /** @return the JSON pointer a local {@code $ref} names (URI fragment decoded) */
    private static String pointerOf(Object refValue, String ptr) {
        if (!(refValue instanceof String ref)) {
            throw new UnsupportedSchemaException(ptr, "$ref must be a string, found " + Json.typeName(refValue));
        }
        if (!ref.startsWith("#") || (ref.length() > 1 && ref.charAt(1) != '/')) {
            throw new UnsupportedSchemaException(ptr, "only local references are supported (#/$defs/name, #/definitions/name "
                    + "or another #/... pointer), found '" + ref + "'");
        }
        return URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private Object resolve(String pointer, String ptr) {
        Object cur = doc;
        if (pointer.isEmpty()) {
            return cur;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            String seg = JsonPointer.unescape(raw);
            if (cur instanceof Map<?, ?> map && map.containsKey(seg)) {
                cur = map.get(seg);
            } else if (cur instanceof List<?> list && seg.matches("0|[1-9][0-9]{0,8}") && Integer.parseInt(seg) < list.size()) {
                cur = list.get(Integer.parseInt(seg));
            } else {
                throw new UnsupportedSchemaException(ptr, "$ref '#" + pointer + "' does not resolve in this schema");
            }
        }
        return cur;
    }

    private String hint(String pointer) {
        List<String> keep = new ArrayList<>();
        for (String seg : pointer.split("/")) {
            if (!seg.isEmpty() && !Set.of("properties", "items", "prefixItems", "$defs", "definitions", "anyOf", "oneOf", "allOf",
                    "additionalProperties").contains(seg)) {
                keep.add(seg);
            }
        }
        String tail = keep.size() <= 2 ? String.join("-", keep) : keep.get(keep.size() - 2) + "-" + keep.getLast();
        if (tail.isEmpty()) {
            return prefix.isEmpty() ? "schema" : prefix;
        }
        return prefix.isEmpty() ? tail : prefix + "-" + tail;
    }

    // ---------------------------------------------------------------- anyOf / oneOf / enum

    private Expr alternatives(Map<String, Object> m, String ptr) {
        String key = m.containsKey("anyOf") ? "anyOf" : "oneOf";
        List<Object> branches = list(m.get(key), ptr + "/" + key);
        if (branches.isEmpty()) {
            throw new UnsupportedSchemaException(ptr + "/" + key, key + " must not be empty");
        }
        Map<String, Object> rest = without(m, key);
        boolean distribute = hasConstraints(rest);
        List<Expr> alts = new ArrayList<>();
        NoValueException last = null;
        for (int i = 0; i < branches.size(); i++) {
            String bp = ptr + "/" + key + "/" + i;
            try {
                Object branch = branches.get(i);
                alts.add(distribute ? value(merge(List.of(rest, branch), bp), bp) : value(branch, bp));
            } catch (NoValueException e) {
                last = e;
            }
        }
        if (alts.isEmpty()) {
            throw last;
        }
        return alt(alts);
    }

    private Expr enumeration(Map<String, Object> m, String ptr) {
        List<Object> values;
        String where;
        if (m.containsKey("const")) {
            values = new ArrayList<>();
            values.add(m.get("const"));
            where = ptr + "/const";
        } else {
            values = list(m.get("enum"), ptr + "/enum");
            where = ptr + "/enum";
        }
        Map<String, Object> others = without(without(m, "enum"), "const");
        List<Expr> alts = new ArrayList<>();
        for (Object v : values) {
            boolean inEnum = !m.containsKey("enum") || list(m.get("enum"), ptr + "/enum").stream().anyMatch(e -> JsonValues.jsonEquals(e, v));
            if (inEnum && SchemaValidator.validate(doc, others, v).isEmpty()) {
                alts.add(lit(JsonWriter.write(v, Json.DEFAULT_MAX_DEPTH)));
            }
        }
        if (alts.isEmpty()) {
            throw new NoValueException(where, "no enum/const value satisfies the other keywords");
        }
        return alts.size() == 1 ? alts.getFirst() : rules.named(hint(ptr) + "-enum", alt(alts), ptr);
    }

    // ---------------------------------------------------------------- types

    private List<String> types(Map<String, Object> m, String ptr) {
        Set<String> set = new LinkedHashSet<>();
        Object t = m.get("type");
        if (t instanceof String s) {
            set.add(checkType(s, ptr + "/type"));
        } else if (t instanceof List<?> l) {
            if (l.isEmpty()) {
                throw new UnsupportedSchemaException(ptr + "/type", "type must not be an empty array");
            }
            for (int i = 0; i < l.size(); i++) {
                if (!(l.get(i) instanceof String s)) {
                    throw new UnsupportedSchemaException(ptr + "/type/" + i, "type names must be strings");
                }
                set.add(checkType(s, ptr + "/type/" + i));
            }
        } else if (t != null) {
            throw new UnsupportedSchemaException(ptr + "/type", "type must be a string or an array of strings");
        } else {
            if (has(m, "properties", "required", "additionalProperties", "minProperties", "maxProperties", "unevaluatedProperties")) {
                set.add("object");
            }
            if (has(m, "items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems")) {
                set.add("array");
            }
            if (has(m, "minLength", "maxLength", "format")) {
                set.add("string");
            }
            if (has(m, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")) {
                set.add("number");
            }
            if (set.isEmpty()) {
                return null;
            }
        }
        if (set.contains("number")) {
            set.remove("integer");
        }
        return TYPE_ORDER.stream().filter(set::contains).toList();
    }

    private static String checkType(String s, String ptr) {
        if (!TYPE_ORDER.contains(s)) {
            throw new UnsupportedSchemaException(ptr, "unknown type '" + s + "' (use " + String.join(", ", TYPE_ORDER) + ")");
        }
        return s;
    }

    private static Map<String, Object> normalizeNullable(Map<String, Object> m) {
        if (!Boolean.TRUE.equals(m.get("nullable"))) {
            return m;
        }
        Map<String, Object> out = without(m, "nullable");
        Object t = m.get("type");
        if (t instanceof String s) {
            out.put("type", List.of(s, "null"));
        } else if (t instanceof List<?> l && !l.contains("null")) {
            List<Object> nl = new ArrayList<>(l);
            nl.add("null");
            out.put("type", nl);
        }
        if (m.get("enum") instanceof List<?> e && !e.contains(null)) {
            List<Object> ne = new ArrayList<>(e);
            ne.add(null);
            out.put("enum", ne);
        }
        return out;
    }

    // ---------------------------------------------------------------- object

    private Expr object(Map<String, Object> m, String ptr) {
        Map<String, Object> props = m.containsKey("properties") ? schemaMap(m.get("properties"), ptr + "/properties") : Map.of();
        List<String> required = strings(m.get("required"), ptr + "/required");
        Object addl = m.containsKey("additionalProperties") ? m.get("additionalProperties") : m.get("unevaluatedProperties");
        String addlPtr = ptr + (m.containsKey("additionalProperties") ? "/additionalProperties" : "/unevaluatedProperties");
        long minProps = count(m, "minProperties", ptr);
        long maxProps = count(m, "maxProperties", ptr);
        Expr w = json.ws();
        // an explicit "properties": {} means no property unless additionalProperties gives a schema
        boolean freeForm = props.isEmpty() && required.isEmpty() && (!m.containsKey("properties") || addl instanceof Map<?, ?>);
        if (freeForm) {
            if (Boolean.FALSE.equals(addl)) {
                if (minProps > 0) {
                    throw new NoValueException(ptr + "/minProperties", "minProperties " + minProps + " but no property is allowed");
                }
                return seq(lit("{"), w, lit("}"));
            }
            if (addl == null || Boolean.TRUE.equals(addl)) {
                if (minProps <= 0 && maxProps < 0) {
                    return json.anyObject();
                }
                return mapObject(json.value(), minProps, maxProps, ptr);
            }
            Expr v;
            try {
                v = value(addl, addlPtr);
            } catch (NoValueException e) {
                if (minProps > 0) {
                    throw e;
                }
                return seq(lit("{"), w, lit("}"));
            }
            return mapObject(v, minProps, maxProps, ptr);
        }
        // declared properties, then required names that are not declared
        List<String> names = new ArrayList<>(props.keySet());
        Map<String, Object> schemas = new LinkedHashMap<>(props);
        Map<String, String> pointers = new HashMap<>();
        for (String k : props.keySet()) {
            pointers.put(k, ptr + "/properties/" + JsonPointer.escape(k));
        }
        for (String r : required) {
            if (!schemas.containsKey(r)) {
                if (Boolean.FALSE.equals(addl)) {
                    throw new NoValueException(ptr + "/required", "required property '" + r
                            + "' is not declared in properties and additionalProperties is false");
                }
                names.add(r);
                schemas.put(r, addl == null ? Boolean.TRUE : addl);
                pointers.put(r, addl == null ? ptr + "/required" : addlPtr);
            }
        }
        Set<String> req = new LinkedHashSet<>(required);
        List<String> keys = new ArrayList<>();
        List<Expr> kvs = new ArrayList<>();
        List<Boolean> mandatory = new ArrayList<>();
        for (String k : names) {
            Object s = schemas.get(k);
            Expr v;
            try {
                v = value(s, pointers.get(k));
            } catch (NoValueException e) {
                if (req.contains(k)) {
                    throw e;
                }
                continue; // an optional property no value fits is simply never written
            }
            StringBuilder key = new StringBuilder();
            JsonWriter.string(k, key, pointers.get(k));
            keys.add(k);
            kvs.add(seq(lit(key.toString()), w, lit(":"), w, v, w));
            mandatory.add(req.contains(k));
        }
        int n = kvs.size();
        long reqCount = mandatory.stream().filter(b -> b).count();
        if (minProps > reqCount) {
            throw new UnsupportedSchemaException(ptr + "/minProperties", "minProperties (" + minProps
                    + ") above the number of required properties (" + reqCount + ") is not supported; list more properties in required");
        }
        if (maxProps >= 0 && maxProps < reqCount) {
            throw new NoValueException(ptr + "/maxProperties", "maxProperties " + maxProps + " is below the " + reqCount
                    + " required properties");
        }
        if (maxProps >= 0 && maxProps < n) {
            throw new UnsupportedSchemaException(ptr + "/maxProperties", "maxProperties (" + maxProps
                    + ") below the number of declared properties (" + n + ") is not supported");
        }
        // after[i]: properties i.. when one was already written (each with a leading comma)
        // first[i]: properties i.. when none was written yet
        String h = hint(ptr);
        Expr after = Expr.EMPTY;
        Expr first = Expr.EMPTY;
        for (int i = n - 1; i >= 0; i--) {
            Expr afterNext = after.equals(Expr.EMPTY) ? after : rules.named(h + "-after-" + keys.get(i), after, ptr);
            Expr withComma = seq(lit(","), w, kvs.get(i));
            after = mandatory.get(i) ? seq(withComma, afterNext) : seq(rules.repeat(withComma, 0, 1, h + "-opt", ptr), afterNext);
            Expr startHere = seq(kvs.get(i), afterNext);
            first = mandatory.get(i) ? startHere : alt(startHere, first);
        }
        return rules.named(h.isEmpty() ? "object" : h, seq(lit("{"), w, first, lit("}")), ptr);
    }

    /** An object with any keys, each value matching {@code v}, between min and max members. */
    private Expr mapObject(Expr v, long min, long max, String ptr) {
        if (max >= 0 && min > max) {
            throw new NoValueException(ptr + "/minProperties", "minProperties " + min + " exceeds maxProperties " + max);
        }
        Expr w = json.ws();
        Expr kv = seq(json.string(0, -1), w, lit(":"), w, v, w);
        Expr more = seq(lit(","), w, kv);
        String h = hint(ptr) + "-members";
        Expr members = seq(kv, rules.repeat(more, Math.max(0, min - 1), max < 0 ? -1 : max - 1, h, ptr));
        Expr body = min == 0 ? rules.repeat(members, 0, 1, h, ptr) : members;
        return rules.named(hint(ptr).isEmpty() ? "map" : hint(ptr) + "-map", seq(lit("{"), w, body, lit("}")), ptr);
    }

    // ---------------------------------------------------------------- array

    private Expr array(Map<String, Object> m, String ptr) {
        List<Object> prefixItems = List.of();
        String prefixKey = "prefixItems";
        Object items = m.get("items");
        String itemsPtr = ptr + "/items";
        if (m.containsKey("prefixItems")) {
            prefixItems = list(m.get("prefixItems"), ptr + "/prefixItems");
        } else if (items instanceof List<?>) {
            prefixItems = list(items, itemsPtr);
            prefixKey = "items";
            items = m.get("additionalItems");
            itemsPtr = ptr + "/additionalItems";
        }
        long min = count(m, "minItems", ptr);
        long max = count(m, "maxItems", ptr);
        min = Math.max(min, 0);
        if (items == null && !prefixItems.isEmpty()) {
            // items after the prefix are allowed but never needed unless minItems asks for them
            items = min > prefixItems.size() ? Boolean.TRUE : Boolean.FALSE;
        }
        if (items == null) {
            items = Boolean.TRUE;
        }
        List<Expr> prefix = new ArrayList<>();
        for (int i = 0; i < prefixItems.size() && (max < 0 || i < max); i++) {
            try {
                prefix.add(value(prefixItems.get(i), ptr + "/" + prefixKey + "/" + i));
            } catch (NoValueException e) {
                if (min > i) {
                    throw e;
                }
                break; // no value at position i: the array ends before it
            }
        }
        Expr item = null;
        if (prefix.size() == prefixItems.size()) {
            try {
                item = value(items, itemsPtr);
            } catch (NoValueException e) {
                item = null;
            }
        }
        long k = prefix.size();
        long restMax = item == null ? 0 : max < 0 ? -1 : max - k;
        if (min > k && item == null) {
            throw new NoValueException(ptr + "/minItems", "minItems " + min + " but at most " + k + " items are possible");
        }
        if (max >= 0 && min > max) {
            throw new NoValueException(ptr + "/minItems", "minItems " + min + " exceeds maxItems " + max);
        }
        Object unique = m.get("uniqueItems");
        if (Boolean.TRUE.equals(unique) && !(max >= 0 && max <= 1) && !(k + Math.max(restMax, 0) <= 1 && restMax >= 0)) {
            throw new UnsupportedSchemaException(ptr + "/uniqueItems", "uniqueItems: true is only supported with maxItems <= 1");
        }
        Expr w = json.ws();
        String h = hint(ptr);
        // the tail after the prefix: between restMin and restMax more items, each with a leading comma
        long restMin = Math.max(0, min - k);
        Expr tail = Expr.EMPTY;
        if (item != null && restMax != 0) {
            Expr element = seq(item, w);
            Expr more = seq(lit(","), w, element);
            if (k == 0) {
                Expr seqOf = seq(element, rules.repeat(more, Math.max(0, restMin - 1), restMax < 0 ? -1 : restMax - 1, h + "-more", ptr));
                tail = restMin == 0 ? rules.repeat(seqOf, 0, 1, h + "-items", ptr) : seqOf;
            } else {
                tail = rules.repeat(more, restMin, restMax, h + "-more", ptr);
            }
        }
        // prefix positions, nested so that position i+1 exists only if position i does
        Expr body = tail;
        for (int i = (int) k - 1; i >= 0; i--) {
            Expr element = seq(prefix.get(i), w);
            Expr here = seq(i == 0 ? Expr.EMPTY : seq(lit(","), w), element, body);
            body = i < min ? here : rules.repeat(here, 0, 1, h + "-" + i, ptr);
        }
        return rules.named(h.isEmpty() ? "array" : h + "-array", seq(lit("["), w, body, lit("]")), ptr);
    }

    // ---------------------------------------------------------------- string

    private Expr string(Map<String, Object> m, String ptr) {
        long min = Math.max(0, count(m, "minLength", ptr));
        long max = count(m, "maxLength", ptr);
        if (max >= 0 && min > max) {
            throw new NoValueException(ptr + "/minLength", "minLength " + min + " exceeds maxLength " + max);
        }
        Object format = m.get("format");
        if (format instanceof String f && Formats.isSupported(f)) {
            int[] len = Formats.lengths(f);
            if (min > len[0] || (max >= 0 && max < len[1])) {
                throw new UnsupportedSchemaException(ptr + "/format", "format '" + f + "' (" + len[0] + " to " + len[1]
                        + " characters) together with minLength/maxLength that cut into that range is not supported");
            }
            return Formats.grammar(f, rules);
        }
        if (format != null && !(format instanceof String)) {
            throw new UnsupportedSchemaException(ptr + "/format", "format must be a string");
        }
        return json.string(min, max);
    }

    // ---------------------------------------------------------------- numbers

    private Expr integer(Map<String, Object> m, String ptr) {
        checkMultipleOf(m, ptr, true);
        Bound lo = lower(m, ptr);
        Bound hi = upper(m, ptr);
        if (lo == null && hi == null) {
            return json.integer();
        }
        BigDecimal limit = BigDecimal.valueOf(JsonRules.MAX_MAGNITUDE);
        BigDecimal l = lo == null ? limit.negate()
                : lo.exclusive ? lo.value.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE) : lo.value.setScale(0, RoundingMode.CEILING);
        BigDecimal h = hi == null ? limit
                : hi.exclusive ? hi.value.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE) : hi.value.setScale(0, RoundingMode.FLOOR);
        if (l.compareTo(limit) > 0 || h.compareTo(limit.negate()) < 0) {
            throw new UnsupportedSchemaException(ptr, "integer bounds beyond " + JsonRules.MAX_DIGITS
                    + " digits are not supported (generated integers have at most " + JsonRules.MAX_DIGITS + " digits)");
        }
        if (l.compareTo(h) > 0) {
            throw new NoValueException(ptr, "no integer lies between the minimum and the maximum");
        }
        long a = l.max(limit.negate()).longValueExact();
        long b = h.min(limit).longValueExact();
        return rules.named("integer-" + signed(a) + "-" + signed(b), NumberRanges.integers(a, b), ptr);
    }

    private Expr number(Map<String, Object> m, String ptr) {
        checkMultipleOf(m, ptr, false);
        Bound lo = lower(m, ptr);
        Bound hi = upper(m, ptr);
        if (lo == null && hi == null) {
            return json.number();
        }
        Long a = lo == null ? null : integralBound(lo, ptr);
        Long b = hi == null ? null : integralBound(hi, ptr);
        Expr e = NumberRanges.decimals(a, lo != null && lo.exclusive, b, hi != null && hi.exclusive, rules);
        if (e == null) {
            throw new NoValueException(ptr, "no number lies between the minimum and the maximum");
        }
        return rules.named("number-" + (a == null ? "inf" : signed(a)) + "-" + (b == null ? "inf" : signed(b)), e, ptr);
    }

    /** @return {@code n} for a rule name: {@code m5} for -5 */
    private static String signed(long n) {
        return n < 0 ? "m" + Math.abs(n) : Long.toString(n);
    }

    private static Long integralBound(Bound b, String ptr) {
        BigDecimal v = b.value;
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
            throw new UnsupportedSchemaException(b.pointer, "a bound of " + v.toPlainString()
                    + " on a number is not supported: number bounds must be whole numbers (integer bounds may be anything)");
        }
        if (v.abs().compareTo(BigDecimal.valueOf(JsonRules.MAX_MAGNITUDE)) > 0) {
            throw new UnsupportedSchemaException(b.pointer, "number bounds beyond " + JsonRules.MAX_DIGITS + " digits are not supported");
        }
        return v.longValueExact();
    }

    private record Bound(BigDecimal value, boolean exclusive, String pointer) {
    }

    private static Bound lower(Map<String, Object> m, String ptr) {
        return bound(m, ptr, "minimum", "exclusiveMinimum", true);
    }

    private static Bound upper(Map<String, Object> m, String ptr) {
        return bound(m, ptr, "maximum", "exclusiveMaximum", false);
    }

    /** The tighter of the inclusive and exclusive bound (draft-4 boolean exclusive* modifies the inclusive one). */
    private static Bound bound(Map<String, Object> m, String ptr, String inclusiveKey, String exclusiveKey, boolean lower) {
        Bound inc = null;
        Bound exc = null;
        Object e = m.get(exclusiveKey);
        if (m.containsKey(inclusiveKey)) {
            BigDecimal v = decimal(m.get(inclusiveKey), ptr + "/" + inclusiveKey);
            inc = new Bound(v, Boolean.TRUE.equals(e), ptr + "/" + inclusiveKey);
        }
        if (e instanceof Number) {
            exc = new Bound(decimal(e, ptr + "/" + exclusiveKey), true, ptr + "/" + exclusiveKey);
        } else if (e != null && !(e instanceof Boolean)) {
            throw new UnsupportedSchemaException(ptr + "/" + exclusiveKey, exclusiveKey + " must be a number");
        }
        if (inc == null) {
            return exc;
        }
        if (exc == null) {
            return inc;
        }
        int c = inc.value.compareTo(exc.value);
        boolean excTighter = lower ? c <= 0 : c >= 0;
        return excTighter ? exc : inc;
    }

    private static void checkMultipleOf(Map<String, Object> m, String ptr, boolean integer) {
        if (!m.containsKey("multipleOf")) {
            return;
        }
        BigDecimal v = decimal(m.get("multipleOf"), ptr + "/multipleOf");
        if (!(integer && v.compareTo(BigDecimal.ONE) == 0)) {
            throw new UnsupportedSchemaException(ptr + "/multipleOf", "multipleOf is only supported as 1 on integers");
        }
    }

    // ---------------------------------------------------------------- allOf merging

    /**
     * Merges a schema with its allOf branches and $ref targets into one schema without allOf or
     * $ref at the top. Subschemas of properties and items are combined as {@code {"allOf": [a, b]}}
     * and merged when they are compiled.
     */
    private Map<String, Object> merge(List<Object> parts, String ptr) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object p : parts) {
            out = merge2(out, flatten(p, ptr, 0), ptr);
        }
        return out;
    }

    private Map<String, Object> flatten(Object schema, String ptr, int level) {
        if (level > 32) {
            throw new UnsupportedSchemaException(ptr, "allOf/$ref nest more than 32 levels deep (a $ref cycle through allOf?)");
        }
        if (Boolean.TRUE.equals(schema)) {
            return new LinkedHashMap<>();
        }
        if (Boolean.FALSE.equals(schema)) {
            throw new NoValueException(ptr, "allOf contains the schema false");
        }
        Map<String, Object> m = schemaMap(schema, ptr);
        checkKeywords(m, ptr);
        Map<String, Object> out = new LinkedHashMap<>(normalizeNullable(without(without(m, "$ref"), "allOf")));
        if (m.containsKey("$ref")) {
            String pointer = pointerOf(m.get("$ref"), ptr + "/$ref");
            out = merge2(flatten(resolve(pointer, ptr + "/$ref"), pointer, level + 1), out, ptr);
        }
        if (m.containsKey("allOf")) {
            List<Object> all = list(m.get("allOf"), ptr + "/allOf");
            for (int i = 0; i < all.size(); i++) {
                out = merge2(out, flatten(all.get(i), ptr + "/allOf/" + i, level + 1), ptr + "/allOf/" + i);
            }
        }
        return out;
    }

    private Map<String, Object> merge2(Map<String, Object> a, Map<String, Object> b, String ptr) {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (Keywords.ANNOTATIONS.contains(k)) {
                continue;
            }
            boolean inA = a.containsKey(k);
            boolean inB = b.containsKey(k);
            Object va = a.get(k);
            Object vb = b.get(k);
            switch (k) {
                case "properties", "additionalProperties", "required", "items", "prefixItems", "additionalItems" -> {
                    // merged below
                }
                case "type" -> out.put(k, inA && inB ? intersectTypes(va, vb, ptr) : inA ? va : vb);
                case "enum", "const" -> {
                    // merged below
                }
                case "minLength", "minItems", "minProperties" -> out.put(k, inA && inB ? maxNumber(va, vb, ptr + "/" + k) : inA ? va : vb);
                case "maxLength", "maxItems", "maxProperties" -> out.put(k, inA && inB ? minNumber(va, vb, ptr + "/" + k) : inA ? va : vb);
                case "minimum", "exclusiveMinimum" -> out.put(k, inA && inB && va instanceof Number && vb instanceof Number
                        ? maxNumber(va, vb, ptr + "/" + k) : inA ? va : vb);
                case "maximum", "exclusiveMaximum" -> out.put(k, inA && inB && va instanceof Number && vb instanceof Number
                        ? minNumber(va, vb, ptr + "/" + k) : inA ? va : vb);
                case "anyOf", "oneOf" -> {
                    if (inA && inB || out.containsKey("anyOf") || out.containsKey("oneOf")) {
                        throw new UnsupportedSchemaException(ptr, "allOf of several schemas that each have anyOf/oneOf is not supported");
                    }
                    out.put(k, inA ? va : vb);
                }
                case "uniqueItems" -> out.put(k, Boolean.TRUE.equals(va) || Boolean.TRUE.equals(vb));
                default -> {
                    if (inA && inB && !JsonValues.jsonEquals(va, vb)) {
                        throw new UnsupportedSchemaException(ptr, "allOf branches disagree on '" + k + "' (" + JsonWriter.write(va, 16)
                                + " vs " + JsonWriter.write(vb, 16) + "); only type, bounds, enum, properties and items are merged");
                    }
                    out.put(k, inA ? va : vb);
                }
            }
        }
        mergeEnum(a, b, out, ptr);
        mergeObject(a, b, out, ptr);
        mergeArray(a, b, out, ptr);
        return out;
    }

    private static Object intersectTypes(Object va, Object vb, String ptr) {
        Set<String> ta = typeSet(va);
        Set<String> tb = typeSet(vb);
        List<String> both = new ArrayList<>();
        for (String t : TYPE_ORDER) {
            boolean inA = ta.contains(t) || t.equals("integer") && ta.contains("number");
            boolean inB = tb.contains(t) || t.equals("integer") && tb.contains("number");
            if (inA && inB && !(t.equals("integer") && both.contains("number"))) {
                both.add(t);
            }
        }
        if (both.isEmpty()) {
            throw new NoValueException(ptr, "allOf branches have no type in common (" + ta + " vs " + tb + ")");
        }
        return both;
    }

    private static Set<String> typeSet(Object t) {
        Set<String> s = new LinkedHashSet<>();
        if (t instanceof String x) {
            s.add(x);
        } else if (t instanceof List<?> l) {
            l.forEach(x -> s.add(String.valueOf(x)));
        }
        return s;
    }

    private void mergeEnum(Map<String, Object> a, Map<String, Object> b, Map<String, Object> out, String ptr) {
        List<Object> ea = enumValues(a, ptr);
        List<Object> eb = enumValues(b, ptr);
        if (ea == null && eb == null) {
            return;
        }
        List<Object> result = new ArrayList<>();
        for (Object v : ea != null ? ea : eb) {
            List<Object> other = ea != null ? eb : null;
            if (other == null || other.stream().anyMatch(o -> JsonValues.jsonEquals(o, v))) {
                result.add(v);
            }
        }
        if (result.isEmpty()) {
            throw new NoValueException(ptr, "allOf branches have no enum/const value in common");
        }
        out.put("enum", result);
    }

    private List<Object> enumValues(Map<String, Object> m, String ptr) {
        if (m.containsKey("const")) {
            List<Object> l = new ArrayList<>();
            l.add(m.get("const"));
            return l;
        }
        return m.containsKey("enum") ? list(m.get("enum"), ptr + "/enum") : null;
    }

    private void mergeObject(Map<String, Object> a, Map<String, Object> b, Map<String, Object> out, String ptr) {
        if (!has(a, "properties", "additionalProperties", "required") && !has(b, "properties", "additionalProperties", "required")) {
            return;
        }
        Map<String, Object> pa = a.containsKey("properties") ? schemaMap(a.get("properties"), ptr + "/properties") : Map.of();
        Map<String, Object> pb = b.containsKey("properties") ? schemaMap(b.get("properties"), ptr + "/properties") : Map.of();
        Object aa = a.getOrDefault("additionalProperties", Boolean.TRUE);
        Object ab = b.getOrDefault("additionalProperties", Boolean.TRUE);
        Set<String> required = new LinkedHashSet<>(strings(a.get("required"), ptr + "/required"));
        required.addAll(strings(b.get("required"), ptr + "/required"));
        Set<String> names = new LinkedHashSet<>(pa.keySet());
        names.addAll(pb.keySet());
        Map<String, Object> props = new LinkedHashMap<>();
        for (String k : names) {
            Object ca = pa.containsKey(k) ? pa.get(k) : aa;
            Object cb = pb.containsKey(k) ? pb.get(k) : ab;
            Object c = combine(ca, cb);
            if (Boolean.FALSE.equals(c)) {
                if (required.contains(k)) {
                    throw new NoValueException(ptr, "property '" + k + "' is required by one allOf branch and forbidden by another");
                }
                continue;
            }
            props.put(k, c);
        }
        if (!props.isEmpty() || a.containsKey("properties") || b.containsKey("properties")) {
            out.put("properties", props);
        }
        if (a.containsKey("additionalProperties") || b.containsKey("additionalProperties")) {
            out.put("additionalProperties", combine(aa, ab));
        }
        if (!required.isEmpty()) {
            out.put("required", new ArrayList<>(required));
        }
    }

    private void mergeArray(Map<String, Object> a, Map<String, Object> b, Map<String, Object> out, String ptr) {
        if (!has(a, "items", "prefixItems", "additionalItems") && !has(b, "items", "prefixItems", "additionalItems")) {
            return;
        }
        List<Object> prefA = prefix(a, ptr);
        List<Object> prefB = prefix(b, ptr);
        Object itemsA = rest(a);
        Object itemsB = rest(b);
        List<Object> prefix = new ArrayList<>();
        int n = Math.max(prefA.size(), prefB.size());
        for (int i = 0; i < n; i++) {
            Object c = combine(i < prefA.size() ? prefA.get(i) : itemsA, i < prefB.size() ? prefB.get(i) : itemsB);
            if (Boolean.FALSE.equals(c)) {
                Object max = out.get("maxItems");
                out.put("maxItems", max instanceof Number x && x.longValue() < i ? max : (long) i);
                break;
            }
            prefix.add(c);
        }
        if (!prefix.isEmpty()) {
            out.put("prefixItems", prefix);
        }
        out.put("items", combine(itemsA, itemsB));
    }

    private List<Object> prefix(Map<String, Object> m, String ptr) {
        if (m.containsKey("prefixItems")) {
            return list(m.get("prefixItems"), ptr + "/prefixItems");
        }
        return m.get("items") instanceof List<?> ? list(m.get("items"), ptr + "/items") : List.of();
    }

    private static Object rest(Map<String, Object> m) {
        if (m.containsKey("prefixItems")) {
            return m.getOrDefault("items", Boolean.TRUE);
        }
        return m.get("items") instanceof List<?> ? m.getOrDefault("additionalItems", Boolean.TRUE) : m.getOrDefault("items", Boolean.TRUE);
    }

    /** @return a schema both {@code x} and {@code y} must hold: false dominates, true is neutral */
    private static Object combine(Object x, Object y) {
        if (Boolean.FALSE.equals(x) || Boolean.FALSE.equals(y)) {
            return Boolean.FALSE;
        }
        if (isTrue(x)) {
            return y;
        }
        if (isTrue(y)) {
            return x;
        }
        if (JsonValues.jsonEquals(x, y)) {
            return x;
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("allOf", List.of(x, y));
        return all;
    }

    private static boolean isTrue(Object s) {
        return Boolean.TRUE.equals(s) || (s instanceof Map<?, ?> m && m.isEmpty());
    }

    private static Object maxNumber(Object a, Object b, String ptr) {
        return decimal(a, ptr).compareTo(decimal(b, ptr)) >= 0 ? a : b;
    }

    private static Object minNumber(Object a, Object b, String ptr) {
        return decimal(a, ptr).compareTo(decimal(b, ptr)) <= 0 ? a : b;
    }

    // ---------------------------------------------------------------- helpers

    private void checkKeywords(Map<String, Object> m, String ptr) {
        for (String k : m.keySet()) {
            String refusal = Keywords.refusal(k);
            if (refusal != null) {
                throw new UnsupportedSchemaException(ptr + "/" + JsonPointer.escape(k), refusal);
            }
        }
    }

    private static boolean hasConstraints(Map<String, Object> m) {
        for (String k : m.keySet()) {
            if (Keywords.SUPPORTED.contains(k) && !(k.equals("nullable") && !Boolean.TRUE.equals(m.get(k)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Map<String, Object> m, String... keys) {
        for (String k : keys) {
            if (m.containsKey(k)) {
                return true;
            }
        }
        return false;
    }

    static Map<String, Object> without(Map<String, Object> m, String key) {
        Map<String, Object> out = new LinkedHashMap<>(m);
        out.remove(key);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schemaMap(Object o, String ptr) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new UnsupportedSchemaException(ptr, "expected a JSON object (a schema or a map of schemas), found " + Json.typeName(o));
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new UnsupportedSchemaException(ptr, "object keys must be strings, found " + (k == null ? "null" : k.getClass().getName()));
            }
        }
        return (Map<String, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String ptr) {
        if (!(o instanceof List<?> l)) {
            throw new UnsupportedSchemaException(ptr, "expected an array, found " + Json.typeName(o));
        }
        return (List<Object>) l;
    }

    private static List<String> strings(Object o, String ptr) {
        if (o == null) {
            return List.of();
        }
        List<Object> l = list(o, ptr);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) {
                throw new UnsupportedSchemaException(ptr + "/" + i, "expected a string, found " + Json.typeName(l.get(i)));
            }
            out.add(s);
        }
        return out;
    }

    /** @return a non-negative integer keyword, -1 when absent; huge values saturate */
    private static long count(Map<String, Object> m, String key, String ptr) {
        if (!m.containsKey(key)) {
            return -1;
        }
        BigDecimal d = decimal(m.get(key), ptr + "/" + key);
        if (d.signum() < 0 || (d.signum() != 0 && d.stripTrailingZeros().scale() > 0)) {
            throw new UnsupportedSchemaException(ptr + "/" + key, key + " must be a non-negative integer, was " + d.toPlainString());
        }
        return d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 4)) > 0 ? Long.MAX_VALUE / 4 : d.longValueExact();
    }

    private static BigDecimal decimal(Object o, String ptr) {
        BigDecimal d = o instanceof Number n ? JsonValues.decimal(n) : null;
        if (d == null) {
            throw new UnsupportedSchemaException(ptr, "expected a finite number, found " + Json.typeName(o));
        }
        return d;
    }
}
