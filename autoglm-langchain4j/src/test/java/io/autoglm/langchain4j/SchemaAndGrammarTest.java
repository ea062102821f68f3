package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import io.autoglm.grammar.Json;
import io.autoglm.grammar.JsonGrammars;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces without a model: schema conversion, GBNF renaming, the streaming tool-call scanner. */
class SchemaAndGrammarTest {
    @Test
    void everyElementType_convertsToItsJsonSchema() {
        JsonObjectSchema node = JsonObjectSchema.builder()
                .description("a tree node")
                .addProperty("name", JsonStringSchema.builder().description("its name").build())
                .addProperty("size", new JsonIntegerSchema())
                .addProperty("weight", new JsonNumberSchema())
                .addProperty("leaf", new JsonBooleanSchema())
                .addProperty("kind", JsonEnumSchema.builder().enumValues("a", "b").build())
                .addProperty("children", JsonArraySchema.builder().items(JsonReferenceSchema.builder().reference("node").build()).build())
                .addProperty("extra", JsonAnyOfSchema.builder().anyOf(new JsonStringSchema(), new JsonNullSchema()).build())
                .required("name")
                .additionalProperties(false)
                .definitions(Map.of("node", JsonObjectSchema.builder().addProperty("name", new JsonStringSchema()).build()))
                .build();
        Map<String, Object> map = SchemaMaps.toMap(node);
        assertThat(Json.write(map)).isEqualTo("{\"type\":\"object\",\"description\":\"a tree node\",\"properties\":{"
                + "\"name\":{\"type\":\"string\",\"description\":\"its name\"},\"size\":{\"type\":\"integer\"},"
                + "\"weight\":{\"type\":\"number\"},\"leaf\":{\"type\":\"boolean\"},"
                + "\"kind\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
                + "\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}},"
                + "\"extra\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}},"
                + "\"required\":[\"name\"],\"additionalProperties\":false,"
                + "\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}}}");
        // the core compiler takes it, references included
        assertThat(JsonGrammars.forSchema(map)).contains("root ::=");
        assertThat(JsonGrammars.validate(map, Json.parse("{\"name\":\"x\",\"children\":[{\"name\":\"y\"}],\"extra\":null}"))).isEmpty();
        assertThat(JsonGrammars.validate(map, Json.parse("{\"size\":1.5}"))).isNotEmpty();

        assertThat(SchemaMaps.toMap(JsonRawSchema.from("{\"type\":\"string\",\"maxLength\":3}")))
                .isEqualTo(Map.of("type", "string", "maxLength", 3L));
        assertThatThrownBy(() -> SchemaMaps.toMap(new JsonSchemaElement() {
            @Override
            public String description() {
                return null;
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported JSON schema element");
    }

    @Test
    void prefixRules_renamesRulesOnly() {
        String gbnf = "root ::= item ( \",\" ws item ){0,3} # root-comment stays\n"
                + "item ::= \"item \\\" root\" [a-z\\]root] char{2}\n"
                + "ws ::= [ \\t\\n]?\n"
                + "char ::= .\n";
        assertThat(Gbnf.prefixRules(gbnf, "p-")).isEqualTo(
                "p-root ::= p-item ( \",\" p-ws p-item ){0,3} # root-comment stays\n"
                        + "p-item ::= \"item \\\" root\" [a-z\\]root] p-char{2}\n"
                        + "p-ws ::= [ \\t\\n]?\n"
                        + "p-char ::= .\n");
        assertThat(Gbnf.either("root ::= \"a\"", "root ::= \"b\""))
                .isEqualTo("root ::= [ \\t\\n]{0,2} ( a-root | b-root )\na-root ::= \"a\"\nb-root ::= \"b\"\n");
    }

    @Test
    void scanner_findsNamesAndArgumentRanges_inCutText() {
        String one = "{\"name\": \"add\", \"arguments\": {\"a\": [1, {\"x\": \"}\"}], \"b\": 2}}";
        for (int c = 0; c <= one.length(); c++) {
            int cut = c;
            String part = one.substring(0, cut);
            List<ToolCallScanner.Seen> seen = ToolCallScanner.scan(part);
            int argsStart = one.indexOf("{\"a\"");
            if (cut < "{\"name\": \"add\"".length()) {
                assertThat(seen).allSatisfy(s -> assertThat(s.name()).isNull());
            } else {
                assertThat(seen).singleElement().satisfies(s -> {
                    assertThat(s.name()).isEqualTo("add");
                    assertThat(s.argsStart()).isEqualTo(cut > argsStart ? argsStart : -1);
                    assertThat(s.argsEnd()).isEqualTo(cut >= one.length() - 1 ? one.length() - 1 : -1);
                });
            }
        }
        String two = "[{\"name\":\"a\",\"arguments\":{}}, {\"name\":\"b\",\"arguments\":{\"k\":\"v\"}}]";
        List<ToolCallScanner.Seen> seen = ToolCallScanner.scan(two);
        assertThat(seen).extracting(ToolCallScanner.Seen::name).containsExactly("a", "b");
        assertThat(two.substring(seen.get(0).argsStart(), seen.get(0).argsEnd())).isEqualTo("{}");
        assertThat(two.substring(seen.get(1).argsStart(), seen.get(1).argsEnd())).isEqualTo("{\"k\":\"v\"}");
    }
}
