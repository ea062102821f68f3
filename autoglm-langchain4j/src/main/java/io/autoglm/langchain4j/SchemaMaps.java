package io.autoglm.langchain4j;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns LangChain4j's {@link JsonSchemaElement} trees into the plain JSON Schema trees ({@code Map},
 * {@code List}, strings, booleans) that {@code io.autoglm.grammar} compiles. A
 * {@link JsonReferenceSchema} becomes {@code {"$ref": "#/$defs/<reference>"}} and an object's
 * {@link JsonObjectSchema#definitions() definitions} become its {@code $defs}, so recursive schemas
 * resolve inside the converted tree.
 */
final class SchemaMaps {
    private static final int MAX_DEPTH = 128;

    private SchemaMaps() {
    }

    /**
     * @param element a schema element, not null
     * @return the JSON Schema as a plain tree
     * @throws IllegalArgumentException for an element type this adapter does not know, or nesting deeper than 128
     */
    static Map<String, Object> toMap(JsonSchemaElement element) {
        Objects.requireNonNull(element, "schema element");
        return convert(element, 0);
    }

    private static Map<String, Object> convert(JsonSchemaElement element, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("JSON schema nested deeper than " + MAX_DEPTH + " levels");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        switch (element) {
            case JsonObjectSchema o -> {
                m.put("type", "object");
                describe(m, o.description());
                Map<String, Object> properties = new LinkedHashMap<>();
                if (o.properties() != null) {
                    o.properties().forEach((name, p) -> properties.put(name, convert(p, depth + 1)));
                }
                m.put("properties", properties);
                if (o.required() != null && !o.required().isEmpty()) {
                    m.put("required", List.copyOf(o.required()));
                }
                if (o.additionalProperties() != null) {
                    m.put("additionalProperties", o.additionalProperties());
                }
                if (o.definitions() != null && !o.definitions().isEmpty()) {
                    Map<String, Object> defs = new LinkedHashMap<>();
                    o.definitions().forEach((name, d) -> defs.put(name, convert(d, depth + 1)));
                    m.put("$defs", defs);
                }
            }
            case JsonStringSchema s -> {
                m.put("type", "string");
                describe(m, s.description());
            }
            case JsonIntegerSchema i -> {
                m.put("type", "integer");
                describe(m, i.description());
            }
            case JsonNumberSchema n -> {
                m.put("type", "number");
                describe(m, n.description());
            }
            case JsonBooleanSchema b -> {
                m.put("type", "boolean");
                describe(m, b.description());
            }
            case JsonNullSchema ignored -> m.put("type", "null");
            case JsonEnumSchema e -> {
                m.put("type", "string");
                describe(m, e.description());
                m.put("enum", List.copyOf(e.enumValues()));
            }
            case JsonArraySchema a -> {
                m.put("type", "array");
                describe(m, a.description());
                if (a.items() != null) {
                    m.put("items", convert(a.items(), depth + 1));
                }
            }
            case JsonAnyOfSchema any -> {
                describe(m, any.description());
                List<Object> branches = new ArrayList<>();
                for (JsonSchemaElement branch : any.anyOf()) {
                    branches.add(convert(branch, depth + 1));
                }
                m.put("anyOf", branches);
            }
            case JsonReferenceSchema r -> m.put("$ref", "#/$defs/" + r.reference());
            case JsonRawSchema raw -> m.putAll(Json.parseObject(raw.schema()));
            default -> throw new IllegalArgumentException("unsupported JSON schema element "
                    + element.getClass().getName() + " (supported: object, string, integer, number, boolean, null, enum, "
                    + "array, anyOf, reference, raw)");
        }
        return m;
    }

    private static void describe(Map<String, Object> m, String description) {
        if (description != null && !description.isBlank()) {
            m.put("description", description);
        }
    }
}
