package io.autoglm.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What the compiler refuses (and how it says so), and properties of the grammars it writes. */
class JsonGrammarCompilerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '§', value = {
        "pattern|{`type`: `object`, `properties`: {`code`: {`type`: `string`, `pattern`: `^[A-Z]{3}$`}}}"
                + "|unsupported JSON schema at #/properties/code/pattern: 'pattern' (regular expressions) is not supported; use enum, format",
        "remote ref|{`$ref`: `https://example.com/schema.json`}"
                + "|unsupported JSON schema at #/$ref: only local references are supported (#/$defs/name, #/definitions/name or another #/... pointer), found 'https://example.com/schema.json'",
        "anchor ref|{`$defs`: {`a`: {`$anchor`: `x`}}, `$ref`: `#x`}|at #/$ref: only local references are supported",
        "missing ref|{`type`: `array`, `items`: {`$ref`: `#/$defs/nope`}}|at #/items/$ref: $ref '#/$defs/nope' does not resolve in this schema",
        "not|{`not`: {`type`: `string`}}|at #/not: 'not' is not supported",
        "if-then|{`if`: {`type`: `string`}, `then`: {`maxLength`: 3}}|at #/if: 'if' (conditional schemas) is not supported; use anyOf",
        "patternProperties|{`type`: `object`, `patternProperties`: {`^x`: {}}}|at #/patternProperties: 'patternProperties' is not supported",
        "contains|{`type`: `array`, `contains`: {`type`: `integer`}}|at #/contains: 'contains' is not supported; use items or prefixItems",
        "dependentRequired|{`dependentRequired`: {`a`: [`b`]}}|at #/dependentRequired: 'dependentRequired' is not supported; use anyOf",
        "uniqueItems|{`type`: `array`, `items`: {`type`: `integer`}, `uniqueItems`: true}|at #/uniqueItems: uniqueItems: true is only supported with maxItems <= 1",
        "multipleOf|{`type`: `number`, `multipleOf`: 0.5}|at #/multipleOf: multipleOf is only supported as 1 on integers",
        "fractional number bound|{`type`: `number`, `minimum`: 0.5}|at #/minimum: a bound of 0.5 on a number is not supported: number bounds must be whole numbers",
        "huge integer bound|{`type`: `integer`, `minimum`: 100000000000000000}|at #: integer bounds beyond 16 digits are not supported",
        "unknown type|{`type`: `date`}|at #/type: unknown type 'date' (use object, array, string, number, integer, boolean, null)",
        "empty type array|{`type`: []}|at #/type: type must not be an empty array",
        "false|false|at #: no value satisfies the schema: the schema is false",
        "empty enum intersection|{`type`: `string`, `enum`: [1, 2]}|at #/enum: no value satisfies the schema: no enum/const value satisfies the other keywords",
        "min over max|{`type`: `string`, `minLength`: 5, `maxLength`: 2}|at #/minLength: no value satisfies the schema: minLength 5 exceeds maxLength 2",
        "no integer in range|{`type`: `integer`, `minimum`: 1.2, `maximum`: 1.8}|at #: no value satisfies the schema: no integer lies between the minimum and the maximum",
        "negative length|{`type`: `string`, `maxLength`: -1}|at #/maxLength: maxLength must be a non-negative integer, was -1",
        "required but forbidden|{`type`: `object`, `properties`: {}, `required`: [`a`], `additionalProperties`: false}"
                + "|at #/required: no value satisfies the schema: required property 'a' is not declared in properties and additionalProperties is false",
        "required false property|{`type`: `object`, `properties`: {`a`: false}, `required`: [`a`]}|at #/properties/a: no value satisfies the schema: the schema is false",
        "minItems beyond tuple|{`type`: `array`, `prefixItems`: [{}], `items`: false, `minItems`: 2}|at #/minItems: no value satisfies the schema: minItems 2 but at most 1 items are possible",
        "infinite recursion|{`$defs`: {`n`: {`type`: `object`, `properties`: {`next`: {`$ref`: `#/$defs/n`}}, `required`: [`next`]}}, `$ref`: `#/$defs/n`}"
                + "|at #: the schema has no finite instance (every way through it recurses forever)",
        "ref cycle without input|{`$defs`: {`a`: {`anyOf`: [{`$ref`: `#/$defs/b`}, {`type`: `null`}]}, `b`: {`anyOf`: [{`$ref`: `#/$defs/a`}, {`type`: `boolean`}]}}, `$ref`: `#/$defs/a`}"
                + "|refers back to itself before producing any character",
        "allOf type conflict|{`allOf`: [{`type`: `string`}, {`type`: `integer`}]}|at #/allOf/1: no value satisfies the schema: allOf branches have no type in common ([string] vs [integer])",
        "allOf format conflict|{`allOf`: [{`format`: `date`}, {`format`: `uuid`}]}|at #/allOf/1: allOf branches disagree on 'format' (\"date\" vs \"uuid\")",
        "allOf ref cycle|{`$defs`: {`a`: {`allOf`: [{`$ref`: `#/$defs/a`}]}}, `$ref`: `#/$defs/a`}|allOf/$ref nest more than 32 levels deep",
        "anyOf with oneOf|{`anyOf`: [{}], `oneOf`: [{}]}|at #/oneOf: anyOf and oneOf in the same schema are not supported",
        "minProperties beyond required|{`type`: `object`, `properties`: {`a`: {}, `b`: {}}, `minProperties`: 1}"
                + "|at #/minProperties: minProperties (1) above the number of required properties (0) is not supported",
        "properties not an object|{`type`: `object`, `properties`: [1]}|at #/properties: expected a JSON object (a schema or a map of schemas), found array",
        "format cut by length|{`type`: `string`, `format`: `date-time`, `maxLength`: 25}|at #/format: format 'date-time' (20 to 35 characters) together with minLength/maxLength"})
    void refusedSchemas_sayWhereAndWhy(String name, String schema, String message) {
        // backticks stand for double quotes in the table
        assertThatThrownBy(() -> JsonGrammars.forSchema(schema.replace('`', '"'))).isInstanceOf(UnsupportedSchemaException.class)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void refusal_carriesThePointer() {
        assertThatThrownBy(() -> JsonGrammars.forSchema("{\"properties\": {\"a/b\": {\"properties\": {\"c~d\": {\"not\": {}}}}}}"))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> {
                    assertThat(e.pointer()).isEqualTo("/properties/a~1b/properties/c~1d/not".replace("c~1d", "c~0d"));
                    assertThat(e.reason()).isEqualTo("'not' is not supported");
                });
    }

    @Test
    void deepOrCyclicSchemaMaps_areRefusedWithoutStackOverflow() {
        Map<String, Object> cyclic = new LinkedHashMap<>();
        cyclic.put("type", "array");
        cyclic.put("items", cyclic);
        assertThatThrownBy(() -> JsonGrammars.forSchema(cyclic)).isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageContaining("subschemas nest deeper than 128 levels");
    }

    @Test
    void annotations_andUnknownFormats_andUnknownKeywords_areIgnored() {
        String plain = JsonGrammars.forSchema("{\"type\": \"string\", \"maxLength\": 4}");
        String annotated = JsonGrammars.forSchema("{\"type\": \"string\", \"maxLength\": 4, \"title\": \"t\", \"description\": \"d\", "
                + "\"examples\": [\"x\"], \"default\": \"y\", \"format\": \"email\", \"x-vendor\": 1, \"$comment\": \"c\"}");
        assertThat(annotated).isEqualTo(plain);
    }

    @Test
    void whitespace_isBounded_andConfigurable() {
        String schema = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"boolean\"}}, \"required\": [\"a\"]}";
        assertThat(JsonGrammars.forSchema(schema)).contains("ws ::= [ \\t\\n]?\n");
        assertThat(JsonGrammars.compiler().maxWhitespace(4).build().compile(schema)).contains("ws ::= [ \\t\\n]{0,4}\n");
        String compact = JsonGrammars.compiler().maxWhitespace(0).build().compile(schema);
        assertThat(compact).doesNotContain("ws").contains(" ::= \"{\\\"a\\\":\" boolean \"}\"\n");
        assertThat(JsonGrammars.anyJsonObject()).doesNotContain("[ \\t\\n]*", "[ \\t\\n]+");
        assertThatThrownBy(() -> JsonGrammars.compiler().maxWhitespace(65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWhitespace must be between 0 and 64, was 65");
        assertThatThrownBy(() -> JsonGrammars.compiler().maxWhitespace(-1)).hasMessage("maxWhitespace must be between 0 and 64, was -1");
    }

    @Test
    void hugeLengthsAndCounts_keepTheGrammarSmall_andUnderLlamaCppsRepetitionLimit() {
        for (long n : new long[] {999, 1000, 1001, 25_000, 1_000_000, 9_999_999_999L}) {
            String g = JsonGrammars.forSchema("{\"type\": \"object\", \"properties\": {"
                    + "\"s\": {\"type\": \"string\", \"minLength\": " + (n / 2) + ", \"maxLength\": " + n + "},"
                    + "\"a\": {\"type\": \"array\", \"items\": {\"type\": \"boolean\"}, \"minItems\": " + (n / 3) + ", \"maxItems\": " + n + "}},"
                    + "\"required\": [\"s\", \"a\"]}");
            assertThat(g.length()).as("grammar for n=%d", n).isLessThan(2500);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\d+)(,(\\d*))?}").matcher(g);
            while (m.find()) {
                long max = m.group(3) == null || m.group(3).isEmpty() ? Long.parseLong(m.group(1)) : Long.parseLong(m.group(3));
                assertThat(max).as("repetition %s in %s", m.group(), g).isLessThanOrEqualTo(Rules.DIRECT_REPEAT_LIMIT);
            }
        }
    }

    @Test
    void chunkedRepetition_boundIsExact() {
        for (long n : new long[] {1000, 1001, 1999, 2000, 2001, 123_456, 5_000_000}) {
            JsonGrammarCompiler.Compiled c = JsonGrammarCompiler.builder().maxWhitespace(0).build()
                    .compileWithBound(Map.of("type", "array", "items", Map.of("const", 7), "maxItems", n));
            // "[" + "7" + ("," "7") * (n-1) + "]"
            assertThat(c.maxBytes()).as("n=%d", n).isEqualTo(2 + 1 + 2 * (n - 1));
        }
    }

    @Test
    void chunkedRepetition_acceptsExactlyTheAllowedLengths() {
        for (int[] mm : new int[][] {{0, 2500}, {1001, 1003}, {999, 2001}, {2000, 2000}}) {
            Gbnf g = Gbnf.parse(JsonGrammars.forSchema(Map.of("type", "string", "minLength", mm[0], "maxLength", mm[1])));
            for (int len : new int[] {0, 1, 998, 999, 1000, 1001, 1002, 1003, 1004, 1999, 2000, 2001, 2002, 2499, 2500, 2501}) {
                boolean allowed = len >= mm[0] && len <= mm[1];
                assertThat(g.matches("\"" + "x".repeat(len) + "\"")).as("length %d in [%d, %d]", len, mm[0], mm[1]).isEqualTo(allowed);
            }
        }
    }

    @Test
    void integerRanges_acceptExactlyTheRange() {
        long[][] ranges = {{0, 9}, {1, 150}, {-1000, -10}, {-37, 1234}, {7, 7}, {100, 9_999_999_999_999_999L}, {-9_999_999_999_999_999L, -5}};
        for (long[] r : ranges) {
            Gbnf g = Gbnf.parse(JsonGrammars.forSchema(Map.of("type", "integer", "minimum", r[0], "maximum", r[1])));
            java.util.Random rnd = new java.util.Random(r[0] ^ r[1]);
            java.util.List<Long> probes = new java.util.ArrayList<>(java.util.List.of(r[0], r[1], r[0] - 1, r[1] + 1, 0L, -1L, 1L, 10L, 99L, 100L, 101L));
            for (int i = 0; i < 300; i++) {
                probes.add(r[0] + (long) (rnd.nextDouble() * (r[1] - r[0] + 1)));
                probes.add((long) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6))));
            }
            for (long v : probes) {
                boolean in = v >= r[0] && v <= r[1];
                assertThat(g.matches(Long.toString(v))).as("%d in [%d, %d]", v, r[0], r[1]).isEqualTo(in);
            }
            assertThat(g.matches("0" + Math.max(1, r[0]))).as("leading zero").isFalse();
            assertThat(g.matches("-0")).isFalse();
        }
    }

    @Test
    void numberRanges_acceptExactlyTheRange() {
        Object[][] cases = {{0, false, 1, false}, {-5, true, 5, true}, {-90, false, 90, false}, {0, true, null, false}, {null, false, -3, true}};
        java.util.Random rnd = new java.util.Random(5);
        for (Object[] c : cases) {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "number");
            if (c[0] != null) {
                schema.put((Boolean) c[1] ? "exclusiveMinimum" : "minimum", c[0]);
            }
            if (c[2] != null) {
                schema.put((Boolean) c[3] ? "exclusiveMaximum" : "maximum", c[2]);
            }
            Gbnf g = Gbnf.parse(JsonGrammars.forSchema(schema));
            java.util.List<String> probes = new java.util.ArrayList<>(java.util.List.of("0", "0.0", "-0.5", "1", "1.0", "1.000", "1.01",
                    "-5", "-5.0", "-4.999", "5", "4.9", "90", "90.00", "90.1", "-90", "-90.0001", "-3", "-3.0", "-3.0001", "-2.9", "0.0001"));
            for (int i = 0; i < 400; i++) {
                double v = (rnd.nextDouble() - 0.5) * 250;
                probes.add(String.format(java.util.Locale.ROOT, "%." + rnd.nextInt(4) + "f", v));
            }
            for (String p : probes) {
                if (p.startsWith("-0") && new java.math.BigDecimal(p).signum() == 0) {
                    continue; // "-0.0" is zero; the grammar never writes it, and that is fine
                }
                java.math.BigDecimal v = new java.math.BigDecimal(p);
                boolean in = (c[0] == null || ((Boolean) c[1] ? v.compareTo(java.math.BigDecimal.valueOf((Integer) c[0])) > 0
                        : v.compareTo(java.math.BigDecimal.valueOf((Integer) c[0])) >= 0))
                        && (c[2] == null || ((Boolean) c[3] ? v.compareTo(java.math.BigDecimal.valueOf((Integer) c[2])) < 0
                        : v.compareTo(java.math.BigDecimal.valueOf((Integer) c[2])) <= 0));
                assertThat(g.matches(p)).as("%s in %s", p, schema).isEqualTo(in);
            }
        }
    }

    @Test
    void stringGrammar_refusesWhatJsonRefuses() {
        Gbnf g = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"string\", \"maxLength\": 3}"));
        for (String ok : List.of("\"\"", "\"abc\"", "\"é😀x\"", "\"\\n\\u00e9\"", "\"\\\"\"", "\"\\/\"")) {
            assertThat(g.matches(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("\"abcd\"", "\"a\nb\"", "\"\\x41\"", "\"\\ud83d\"", "\"\\uDE00\"", "abc", "\"\u0001\"")) {
            assertThat(g.matches(bad)).as(bad).isFalse();
        }
    }

    @Test
    void formats_acceptRealDatesAndTimesOnly() {
        Gbnf date = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"string\", \"format\": \"date\"}"));
        for (String s : List.of("2024-01-31", "1999-12-31", "2023-02-28", "2024-04-30", "0001-11-30")) {
            assertThat(date.matches("\"" + s + "\"")).as(s).isTrue();
            assertThat(Formats.matches("date", s)).as(s).isTrue();
        }
        for (String s : List.of("2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-1-01", "24-01-01", "2024-01-32")) {
            assertThat(date.matches("\"" + s + "\"")).as(s).isFalse();
        }
        Gbnf time = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"string\", \"format\": \"time\"}"));
        for (String s : List.of("00:00:00Z", "23:59:59+02:00", "12:30:00.123456789-11:30")) {
            assertThat(time.matches("\"" + s + "\"")).as(s).isTrue();
            assertThat(Formats.matches("time", s)).as(s).isTrue();
        }
        for (String s : List.of("24:00:00Z", "12:60:00Z", "12:00:60Z", "12:00:00", "12:00Z", "12:00:00.Z", "12:00:00-00:00",
                "12:00:00+18:30")) {
            assertThat(time.matches("\"" + s + "\"")).as(s).isFalse();
        }
        Gbnf uuid = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"string\", \"format\": \"uuid\"}"));
        assertThat(uuid.matches("\"123e4567-e89b-12d3-a456-426614174000\"")).isTrue();
        assertThat(uuid.matches("\"123e4567e89b12d3a456426614174000\"")).isFalse();
    }

    @Test
    void optionalProperties_keepTheirDeclaredOrder_andCommasStayRight() {
        String g = JsonGrammars.compiler().maxWhitespace(0).build().compile(
                "{\"properties\": {\"a\": {\"const\": 1}, \"b\": {\"const\": 2}, \"c\": {\"const\": 3}}}");
        Gbnf gbnf = Gbnf.parse(g);
        List<String> all = List.of("{}", "{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"a\":1,\"b\":2}", "{\"a\":1,\"c\":3}",
                "{\"b\":2,\"c\":3}", "{\"a\":1,\"b\":2,\"c\":3}");
        for (String s : all) {
            assertThat(gbnf.matches(s)).as(s).isTrue();
        }
        for (String s : List.of("{\"b\":2,\"a\":1}", "{,\"a\":1}", "{\"a\":1,}", "{\"a\":1\"b\":2}", "{\"a\":1,\"a\":1}")) {
            assertThat(gbnf.matches(s)).as(s).isFalse();
        }
    }

    @Test
    void additionalProperties_decidesWhatAnObjectWithoutPropertiesMayHold() {
        // explicit empty properties (what OpenAI clients send for a function without parameters): only {}
        Gbnf empty = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"object\", \"properties\": {}}"));
        assertThat(empty.matches("{}")).isTrue();
        assertThat(empty.matches("{\"a\":1}")).isFalse();
        // no properties keyword: any object
        Gbnf any = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"object\"}"));
        assertThat(any.matches("{\"a\": [1, {\"b\": null}], \"c\": \"d\"}")).isTrue();
        assertThat(any.matches("[]")).isFalse();
        // a schema: a map of such values
        Gbnf map = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": {\"type\": \"boolean\"}}"));
        assertThat(map.matches("{\"x\": true, \"y\": false}")).isTrue();
        assertThat(map.matches("{\"x\": 1}")).isFalse();
        // declared properties: extras are never generated, whatever additionalProperties says
        for (String addl : List.of("", ", \"additionalProperties\": true", ", \"additionalProperties\": {\"type\": \"integer\"}")) {
            Gbnf declared = Gbnf.parse(JsonGrammars.forSchema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}" + addl + "}"));
            assertThat(declared.matches("{\"a\": 1}")).isTrue();
            assertThat(declared.matches("{\"a\": 1, \"b\": 2}")).isFalse();
        }
    }

    @Test
    void validate_reportsViolations() {
        Map<String, Object> schema = Json.parseObject("{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\", \"maximum\": 3}},"
                + "\"required\": [\"n\", \"m\"], \"additionalProperties\": false}");
        assertThat(JsonGrammars.validate(schema, Json.parse("{\"n\": 2, \"m\": 1}"))).containsExactly("/m: additional property 'm' is not allowed");
        assertThat(JsonGrammars.validate(schema, Json.parse("{\"n\": 4.5}")))
                .containsExactly("/: missing required property 'm'", "/n: expected type integer, found number", "/n: 4.5 is above the maximum 3");
    }
}
