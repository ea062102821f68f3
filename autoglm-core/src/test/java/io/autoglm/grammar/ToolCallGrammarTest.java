package io.autoglm.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Forced tool calls on a real model: the grammar, the output, and the parser that checks it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallGrammarTest {
    static final String WEATHER = """
            {"type": "object", "properties": {
               "location": {"type": "string", "maxLength": 24, "description": "City and country e.g. Bogotá, Colombia"},
               "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
             "required": ["location", "unit"], "additionalProperties": false}""";
    static final String SEARCH = """
            {"type": "object", "$defs": {"range": {"type": "object", "properties": {
                 "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}},
                 "required": ["from", "to"], "additionalProperties": false}},
             "properties": {"query": {"type": "string", "minLength": 1, "maxLength": 20},
               "limit": {"type": "integer", "minimum": 1, "maximum": 10},
               "period": {"$ref": "#/$defs/range"}},
             "required": ["query"], "additionalProperties": false}""";
    static final long[] SEEDS = {1, 2, 3, 4, 5, 6};

    LanguageModel model;

    Path nativeLibrary() {
        return null;
    }

    @BeforeAll
    void load() {
        AutoGLM.Builder b = AutoGLM.builder().model(TestModels.stories260K()).contextSize(2048).threads(1);
        if (nativeLibrary() != null) {
            b.nativeLibrary(nativeLibrary());
        }
        model = b.build();
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    private ToolCallGrammar.Builder tools() {
        return ToolCallGrammar.builder().tool("get_weather", WEATHER).tool("search_docs", SEARCH).tool("get_time", (Map<String, ?>) null);
    }

    private String generate(ToolCallGrammar g, long seed) {
        long max = g.maxBytes();
        assertThat(max).isLessThan(2000);
        Completion c = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                .sampling(SamplingParams.builder().temperature(1.0f).seed(seed).build())
                .grammar(g.grammar()).maxTokens((int) max + 1).build());
        assertThat(c.finishReason()).as(c.text()).isEqualTo(FinishReason.END_OF_GENERATION);
        return c.text();
    }

    @Test
    void required_callsOneOfTheTools_withValidArguments() {
        ToolCallGrammar g = tools().build();
        for (long seed : SEEDS) {
            String text = generate(g, seed);
            List<ToolCall> calls = g.parse(text);
            assertThat(calls).hasSize(1);
            ToolCall call = calls.getFirst();
            Map<String, Object> params = Json.parseObject(switch (call.name()) {
                case "get_weather" -> WEATHER;
                case "search_docs" -> SEARCH;
                default -> "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}";
            });
            assertThat(JsonGrammars.validate(params, call.arguments())).isEmpty();
            assertThat(ExternalValidator.errors(Json.write(params), call.argumentsJson())).as(text).isEmpty();
            Map<String, Object> raw = Json.parseObject(text);
            assertThat(raw.keySet()).containsExactly("name", "arguments");
        }
    }

    @Test
    void named_callsOnlyThatTool() {
        ToolCallGrammar search = tools().forceTool("search_docs").build();
        assertThat(search.grammar()).doesNotContain("get_weather").doesNotContain("get_time");
        for (long seed : SEEDS) {
            List<ToolCall> calls = search.parse(generate(search, seed));
            assertThat(calls).extracting(ToolCall::name).containsExactly("search_docs");
            assertThat((String) calls.getFirst().arguments().get("query")).hasSizeBetween(1, 20);
        }
        ToolCallGrammar weather = tools().forceTool("get_weather").build();
        for (long seed : new long[] {1, 2, 3}) {
            ToolCall call = weather.parse(generate(weather, seed)).getFirst();
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(call.arguments().keySet()).containsExactly("location", "unit");
            assertThat(call.arguments().get("unit")).isIn("celsius", "fahrenheit");
            assertThat(ExternalValidator.errors(WEATHER, call.argumentsJson())).isEmpty();
        }
    }

    @Test
    void parallel_writesAnArrayOfOneToMaxCalls() {
        ToolCallGrammar g = tools().maxCalls(3).build();
        int total = 0;
        for (long seed : SEEDS) {
            String text = generate(g, seed);
            assertThat(text).startsWith("[");
            List<ToolCall> calls = g.parse(text);
            assertThat(calls).hasSizeBetween(1, 3);
            total += calls.size();
        }
        assertThat(total).isGreaterThanOrEqualTo(SEEDS.length);
    }

    @Test
    void noParameters_givesAnEmptyArgumentsObject() {
        ToolCallGrammar g = ToolCallGrammar.builder().tool("get_time", (Map<String, ?>) null).build();
        for (long seed : new long[] {1, 2}) {
            ToolCall call = g.parse(generate(g, seed)).getFirst();
            assertThat(call.name()).isEqualTo("get_time");
            assertThat(call.arguments()).isEmpty();
            assertThat(call.argumentsJson()).isEqualTo("{}");
        }
    }

    @Test
    void truncatedOutput_isReportedAsTruncated() {
        ToolCallGrammar g = tools().forceTool("get_weather").build();
        Completion c = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                .sampling(SamplingParams.builder().temperature(1.0f).seed(3).build()).grammar(g.grammar()).maxTokens(6).build());
        assertThat(c.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThatThrownBy(() -> g.parse(c.text())).isInstanceOfSatisfying(InvalidToolCallException.class,
                e -> assertThat(e.truncated()).isTrue()).hasMessageContaining("JSON text ends early");
    }

    @Test
    void parse_rejectsWrongShapesUnknownToolsAndBadArguments() {
        ToolCallGrammar g = tools().build();
        assertThat(g.parse("{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\", \"unit\": \"celsius\"}}"))
                .containsExactly(new ToolCall("get_weather", Map.of("location", "Paris", "unit", "celsius")));
        assertThatThrownBy(() -> g.parse("{\"name\": \"launch\", \"arguments\": {}}")).isInstanceOf(InvalidToolCallException.class)
                .hasMessage("tool call names unknown tool 'launch' (expected get_weather, search_docs, get_time)");
        assertThatThrownBy(() -> g.parse("{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\", \"unit\": \"kelvin\"}}"))
                .hasMessage("arguments of tool call to 'get_weather' break its schema: /unit: not one of the enum values");
        assertThatThrownBy(() -> g.parse("{\"name\": \"get_time\", \"arguments\": {\"tz\": 1}}"))
                .hasMessageContaining("/tz: additional property 'tz' is not allowed");
        assertThatThrownBy(() -> g.parse("{\"name\": \"get_time\"}")).hasMessageContaining("has no 'arguments' object");
        assertThatThrownBy(() -> g.parse("{\"name\": \"get_time\", \"arguments\": {}, \"id\": 1}"))
                .hasMessageContaining("unexpected member 'id'");
        assertThatThrownBy(() -> g.parse("[{\"name\": \"get_time\", \"arguments\": {}}, {\"name\": \"get_time\", \"arguments\": {}}]"))
                .hasMessage("tool call output has 2 calls, expected 1 to 1");
        assertThatThrownBy(() -> g.parse("null")).hasMessageContaining("tool call output is null");
        assertThatThrownBy(() -> g.parse("{\"name\": 1")).isInstanceOfSatisfying(InvalidToolCallException.class,
                e -> assertThat(e.truncated()).isTrue());
        assertThatThrownBy(() -> g.parse("{\"name\" 1}")).isInstanceOfSatisfying(InvalidToolCallException.class,
                e -> assertThat(e.truncated()).isFalse());
        ToolCallGrammar named = tools().forceTool("get_time").build();
        assertThatThrownBy(() -> named.parse("{\"name\": \"get_weather\", \"arguments\": {\"location\": \"x\", \"unit\": \"celsius\"}}"))
                .hasMessageContaining("unknown tool 'get_weather' (expected get_time)");
    }

    @Test
    void parameterSchemas_areCopied_andAnEmptyPropertiesObjectMeansNoArguments() {
        Map<String, Object> params = new java.util.LinkedHashMap<>(Json.parseObject("{\"type\": \"object\", \"properties\": {}}"));
        ToolCallGrammar.Builder b = ToolCallGrammar.builder().tool("ping", params);
        params.put("properties", Map.of("x", Map.of("type", "string")));
        ToolCallGrammar g = b.build();
        assertThat(g.grammar()).doesNotContain("\\\"x\\\"");
        Gbnf gbnf = Gbnf.parse(g.grammar());
        assertThat(gbnf.matches("{\"name\": \"ping\", \"arguments\": {}}")).isTrue();
        assertThat(gbnf.matches("{\"name\": \"ping\", \"arguments\": {\"x\": \"\"}}")).isFalse();
        java.util.List<Object> cyclic = new java.util.ArrayList<>();
        cyclic.add(cyclic);
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("loop", Map.of("type", "object", "enum", cyclic)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nests deeper than 256 levels");
    }

    @Test
    void builder_validatesAtOnce() {
        assertThatThrownBy(() -> ToolCallGrammar.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("no tools: add at least one with tool(name, parameters)");
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("a", (Map<String, ?>) null).tool("a", (Map<String, ?>) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tool name 'a' is used twice");
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("", (Map<String, ?>) null)).hasMessage("tool name must be 1 to 256 characters, was 0");
        assertThatThrownBy(() -> ToolCallGrammar.builder().maxCalls(0)).hasMessage("maxCalls must be between 1 and 64, was 0");
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("a", (Map<String, ?>) null).forceTool("b").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("forceTool('b') names no added tool (tools: a)");
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("a", Map.of("type", "string")))
                .isInstanceOf(UnsupportedSchemaException.class)
                .hasMessage("unsupported parameter schema of tool 'a' at #/type: tool parameters must describe an object, found type string");
        assertThatThrownBy(() -> ToolCallGrammar.builder().tool("a", "{\"properties\": {\"x\": {\"pattern\": \"y\"}}}").build())
                .isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageStartingWith("unsupported parameter schema of tool 'a' at #/properties/x/pattern: 'pattern'");
    }
}
