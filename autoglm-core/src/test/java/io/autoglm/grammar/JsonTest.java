package io.autoglm.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parse_readsEveryJsonType() {
        Object v = Json.parse(" {\"a\": [1, -2.5, true, false, null, \"x\"], \"b\": {}, \"c\": []}\n");
        assertThat(v).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("a", "b", "c");
        @SuppressWarnings("unchecked")
        List<Object> a = (List<Object>) m.get("a");
        assertThat(a).containsExactly(1L, -2.5, true, false, null, "x");
        assertThat((Map<?, ?>) m.get("b")).isEmpty();
        assertThat((List<?>) m.get("c")).isEmpty();
    }

    @Test
    void parse_keepsKeyOrder_andReturnsUnmodifiableContainers() {
        Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"m\":3}");
        assertThat(m.keySet()).containsExactly("z", "a", "m");
        assertThatThrownBy(() -> m.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|0", "-0|0", "9223372036854775807|9223372036854775807", "-9223372036854775808|-9223372036854775808",
        "1.5|1.5", "-1e3|-1000.0", "2E-2|0.02", "1.0|1.0", "0.1e+1|1.0"})
    void parse_numbers(String text, String expected) {
        Object v = Json.parse(text);
        assertThat(new BigDecimal(v.toString())).isEqualByComparingTo(new BigDecimal(expected));
        assertThat(v).isInstanceOf(text.matches("-?[0-9]+") ? Long.class : Double.class);
    }

    @Test
    void parse_integersBeyondLong_areBigIntegers() {
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(Json.parse("-123456789012345678901234567890")).isEqualTo(new BigInteger("-123456789012345678901234567890"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "01|leading zero",
        "-|unfinished number",
        "1.|unfinished number",
        "1.x|expected a digit after the decimal point",
        "1e|unfinished number",
        "+1|expected a JSON value",
        ".5|expected a JSON value",
        "NaN|expected a JSON value",
        "1e999|out of the range of a double",
        "0x10|after the JSON value"})
    void parse_rejectsBadNumbers(String text, String message) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonParseException.class).hasMessageContaining(message);
    }

    @Test
    void parse_refusesOverlongNumberLiterals() {
        String big = "1".repeat(JsonReader.MAX_NUMBER_CHARS + 1);
        assertThatThrownBy(() -> Json.parse(big)).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("exceeds the limit of " + JsonReader.MAX_NUMBER_CHARS);
        assertThat(Json.parse("1".repeat(JsonReader.MAX_NUMBER_CHARS))).isInstanceOf(BigInteger.class);
    }

    @Test
    void parse_unicodeEscapes_andSurrogatePairs() {
        assertThat(Json.parse("\"\\u00e9\\u4E2D\\n\\t\\\"\\\\\\/\\b\\f\\r\"")).isEqualTo("é中\n\t\"\\/\b\f\r");
        assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
        assertThat(Json.parse("\"😀 raw\"")).isEqualTo("😀 raw");
        assertThat(Json.parse("\"\\u0000\"")).isEqualTo("\0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"\\ud83d\"|not followed by a low surrogate",
        "\"\\ud83dx\"|not followed by a low surrogate",
        "\"\\ud83d\\u0041\"|which is not a low surrogate",
        "\"\\ude00\"|unpaired low surrogate",
        "\"\\u12g4\"|expected 4 hex digits",
        "\"\\x41\"|invalid escape",
        "\"\\'\"|invalid escape"})
    void parse_rejectsBadEscapes(String text, String message) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonParseException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((JsonParseException) e).truncated()).isFalse());
    }

    @Test
    void parse_rejectsRawControlCharacters_andUnpairedSurrogatesInTheText() {
        assertThatThrownBy(() -> Json.parse("\"a\nb\"")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("control character U+000A must be escaped");
        assertThatThrownBy(() -> Json.parse("\"a\ud800b\"")).hasMessageContaining("unpaired surrogate U+D800");
        assertThatThrownBy(() -> Json.parse("\"a\udc00\"")).hasMessageContaining("unpaired surrogate U+DC00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}", "// c\n1", "[1]]", "truE",
        "nul", "{\"a\":1}{", "", "   "})
    void parse_rejectsMalformedText(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonParseException.class).hasMessageContaining("offset");
    }

    @Test
    void parse_reportsOffsetLineAndColumn() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"))
                .isInstanceOf(JsonParseException.class)
                .hasMessage("invalid JSON at offset 18 (line 3, column 7): expected ':' after object key, found '2'")
                .satisfies(e -> assertThat(((JsonParseException) e).offset()).isEqualTo(18));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "[", "[1,", "\"abc", "\"a\\", "\"\\u12",
        "\"\\ud83d", "\"\\ud83d\\", "tr", "-", "1.", "1e+", "{\"a\":[{\"b\":\"c"})
    void parse_marksTextThatEndsEarlyAsTruncated(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(JsonParseException.class)
                .hasMessageStartingWith("JSON text ends early")
                .satisfies(e -> assertThat(((JsonParseException) e).truncated()).isTrue());
    }

    @Test
    void parse_rejectsDuplicateKeys() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"b\":2,\"a\":3}")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("duplicate key \"a\"").hasMessageContaining("offset 13");
    }

    @Test
    void parse_limitsNestingDepth() {
        String ok = "[".repeat(Json.DEFAULT_MAX_DEPTH) + "]".repeat(Json.DEFAULT_MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
        String deep = "[".repeat(Json.DEFAULT_MAX_DEPTH + 1) + "]".repeat(Json.DEFAULT_MAX_DEPTH + 1);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("nesting depth exceeds the limit of " + Json.DEFAULT_MAX_DEPTH);
        // a hostile document far deeper than any stack: refused, no StackOverflowError
        String hostile = "{\"a\":".repeat(1_000_000);
        assertThatThrownBy(() -> Json.parse(hostile)).isInstanceOf(JsonParseException.class).hasMessageContaining("nesting depth");
        assertThat(Json.parse("[[[1]]]", 3)).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("[[[[1]]]]", 3)).hasMessageContaining("limit of 3");
        assertThatThrownBy(() -> Json.parse("1", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDepth must be between 1 and 2048, was 0");
    }

    @Test
    void parseObject_refusesOtherValues() {
        assertThatThrownBy(() -> Json.parseObject("[1]")).isInstanceOf(JsonParseException.class)
                .hasMessage("expected a JSON object, found array");
    }

    @Test
    void write_isCompact_andRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"b\\n\n\t\u0001é😀");
        m.put("i", 42);
        m.put("l", -7L);
        m.put("d", 2.5);
        m.put("whole", 3.0);
        m.put("big", new BigInteger("123456789012345678901234567890"));
        m.put("dec", new BigDecimal("0.1"));
        m.put("list", List.of(true, false));
        m.put("nil", null);
        String text = Json.write(m);
        assertThat(text).isEqualTo("{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001é😀\",\"i\":42,\"l\":-7,\"d\":2.5,\"whole\":3.0,"
                + "\"big\":123456789012345678901234567890,\"dec\":0.1,\"list\":[true,false],\"nil\":null}");
        Map<String, Object> back = Json.parseObject(text);
        assertThat(JsonValues.jsonEquals(back, m)).isTrue();
    }

    @Test
    void write_refusesWhatJsonCannotHold() {
        assertThatThrownBy(() -> Json.write(Map.of("x", Double.NaN))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON number at '/x' must be finite, was NaN");
        assertThatThrownBy(() -> Json.write(List.of(1, new Object()))).hasMessageContaining("'/1' has unsupported type java.lang.Object");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).hasMessageContaining("key that is not a String");
        assertThatThrownBy(() -> Json.write("a\ud800")).hasMessageContaining("unpaired surrogate U+D800 at index 1");
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThatThrownBy(() -> Json.write(cyclic)).hasMessageContaining("nests deeper than 256 levels");
    }

    @Test
    void jsonEquals_comparesNumbersByValue() {
        assertThat(JsonValues.jsonEquals(1L, 1.0)).isTrue();
        assertThat(JsonValues.jsonEquals(1, new BigInteger("1"))).isTrue();
        assertThat(JsonValues.jsonEquals(Map.of("a", List.of(1)), Json.parse("{\"a\":[1.0]}"))).isTrue();
        assertThat(JsonValues.jsonEquals("1", 1)).isFalse();
        assertThat(JsonValues.jsonEquals(null, 0)).isFalse();
    }
}
