package io.autoglm.grammar;

import java.util.List;

/** Schemas the compiler must handle, from small shapes to OpenAI's published examples. */
final class SchemaCorpus {
    private SchemaCorpus() {
    }

    /**
     * @param name short name (test display name)
     * @param schema the schema as JSON text
     * @param openApi true when the schema uses OpenAPI's {@code nullable}, which JSON Schema validators ignore
     */
    record Case(String name, String schema, boolean openApi) {
        Case(String name, String schema) {
            this(name, schema, false);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("flat-person", """
                    {"type": "object", "properties": {
                       "name": {"type": "string", "maxLength": 12},
                       "age": {"type": "integer", "minimum": 0, "maximum": 120}},
                     "required": ["name", "age"], "additionalProperties": false}"""),
            new Case("required-optional-mix", """
                    {"type": "object", "properties": {
                       "a": {"type": "boolean"}, "b": {"type": "integer", "minimum": 1, "maximum": 9},
                       "c": {"type": "string", "maxLength": 4}, "d": {"type": "null"}, "e": {"type": "boolean"}},
                     "required": ["a", "c"], "additionalProperties": false}"""),
            new Case("all-optional", """
                    {"type": "object", "properties": {
                       "x": {"type": "integer", "minimum": -5, "maximum": 5},
                       "y": {"type": "string", "maxLength": 3}, "z": {"type": "boolean"}}}"""),
            new Case("nested-objects", """
                    {"type": "object", "properties": {
                       "person": {"type": "object", "properties": {
                         "name": {"type": "string", "minLength": 1, "maxLength": 10},
                         "address": {"type": "object", "properties": {
                            "street": {"type": "string", "maxLength": 16},
                            "zip": {"type": "integer", "minimum": 10000, "maximum": 99999}},
                          "required": ["street", "zip"], "additionalProperties": false}},
                        "required": ["name", "address"], "additionalProperties": false}},
                     "required": ["person"], "additionalProperties": false}"""),
            new Case("deep-nesting", """
                    {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "object",
                      "properties": {"c": {"type": "object", "properties": {"d": {"type": "object", "properties": {
                      "e": {"type": "object", "properties": {"f": {"type": "integer", "minimum": 0, "maximum": 9}},
                      "required": ["f"]}}, "required": ["e"]}}, "required": ["d"]}}, "required": ["c"]}},
                      "required": ["b"]}}, "required": ["a"]}"""),
            new Case("array-of-integers", """
                    {"type": "array", "items": {"type": "integer", "minimum": -50, "maximum": 50}, "minItems": 1, "maxItems": 5}"""),
            new Case("array-of-objects", """
                    {"type": "array", "maxItems": 3, "items": {"type": "object", "properties": {
                       "id": {"type": "integer", "minimum": 1, "maximum": 999}, "done": {"type": "boolean"}},
                     "required": ["id", "done"], "additionalProperties": false}}"""),
            new Case("items-without-type", """
                    {"items": {"type": "boolean"}, "minItems": 2, "maxItems": 3}"""),
            new Case("enum-strings", """
                    {"type": "string", "enum": ["red", "green", "blue"]}"""),
            new Case("enum-mixed-values", """
                    {"enum": ["a", 1, null, true, {"k": [1, 2]}, [], 2.5]}"""),
            new Case("const-in-object", """
                    {"type": "object", "properties": {"kind": {"const": "fixed"}, "n": {"type": "integer", "minimum": 0, "maximum": 3}},
                     "required": ["kind", "n"]}"""),
            new Case("string-lengths", """
                    {"type": "object", "properties": {
                       "short": {"type": "string", "minLength": 3, "maxLength": 8},
                       "exact": {"type": "string", "minLength": 5, "maxLength": 5},
                       "empty": {"type": "string", "maxLength": 0}},
                     "required": ["short", "exact", "empty"]}"""),
            new Case("formats", """
                    {"type": "object", "properties": {
                       "day": {"type": "string", "format": "date"}, "at": {"type": "string", "format": "time"},
                       "when": {"type": "string", "format": "date-time"}, "id": {"type": "string", "format": "uuid"}},
                     "required": ["day", "at", "when", "id"], "additionalProperties": false}"""),
            new Case("integer-ranges", """
                    {"type": "object", "properties": {
                       "digit": {"type": "integer", "exclusiveMinimum": 0, "maximum": 9},
                       "negative": {"type": "integer", "minimum": -1000, "maximum": -10},
                       "seven": {"type": "integer", "minimum": 7, "maximum": 7},
                       "fraction-bounds": {"type": "integer", "minimum": 2.5, "exclusiveMaximum": 40.5},
                       "at-least": {"type": "integer", "minimum": 100},
                       "big": {"type": "integer", "minimum": -9999999999, "maximum": 9999999999}},
                     "required": ["digit", "negative", "seven", "fraction-bounds", "at-least", "big"]}"""),
            new Case("number-bounds", """
                    {"type": "object", "properties": {
                       "p": {"type": "number", "minimum": 0, "maximum": 1},
                       "open": {"type": "number", "exclusiveMinimum": -5, "exclusiveMaximum": 5},
                       "lat": {"type": "number", "minimum": -90, "maximum": 90},
                       "positive": {"type": "number", "exclusiveMinimum": 0}},
                     "required": ["p", "open", "lat", "positive"]}"""),
            new Case("unbounded-number", """
                    {"type": "number"}"""),
            new Case("type-array", """
                    {"type": "array", "maxItems": 4, "items": {"type": ["string", "integer", "null"], "maxLength": 6}}"""),
            new Case("openapi-nullable", """
                    {"type": "object", "properties": {
                       "nick": {"type": "string", "maxLength": 5, "nullable": true},
                       "tag": {"enum": ["x", "y"], "nullable": true}},
                     "required": ["nick", "tag"]}""", true),
            new Case("anyOf-shapes", """
                    {"anyOf": [
                       {"type": "object", "properties": {"kind": {"const": "circle"}, "radius": {"type": "number", "minimum": 0, "maximum": 100}},
                        "required": ["kind", "radius"], "additionalProperties": false},
                       {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "integer", "minimum": 1, "maximum": 50}},
                        "required": ["kind", "side"], "additionalProperties": false}]}"""),
            new Case("oneOf-disjoint-types", """
                    {"type": "array", "maxItems": 4, "items": {"oneOf": [{"type": "string", "maxLength": 4}, {"type": "integer"}, {"type": "boolean"}]}}"""),
            new Case("anyOf-with-shared-keywords", """
                    {"type": "object", "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 9}, "b": {"type": "boolean"}},
                     "additionalProperties": false,
                     "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}"""),
            new Case("allOf-merge", """
                    {"allOf": [
                       {"type": "object", "properties": {"id": {"type": "integer", "minimum": 0, "maximum": 99}}, "required": ["id"]},
                       {"properties": {"label": {"type": "string", "maxLength": 6}, "id": {"maximum": 50}}, "required": ["label"]}]}"""),
            new Case("defs-refs", """
                    {"$defs": {"point": {"type": "object", "properties": {
                        "x": {"type": "integer", "minimum": -9, "maximum": 9}, "y": {"type": "integer", "minimum": -9, "maximum": 9}},
                        "required": ["x", "y"], "additionalProperties": false}},
                     "type": "object", "properties": {"from": {"$ref": "#/$defs/point"}, "to": {"$ref": "#/$defs/point"}},
                     "required": ["from", "to"], "additionalProperties": false}"""),
            new Case("draft7-definitions-and-tuple", """
                    {"$schema": "http://json-schema.org/draft-07/schema#",
                     "definitions": {"flag": {"type": "boolean"}},
                     "type": "array", "items": [{"type": "string", "maxLength": 3}, {"$ref": "#/definitions/flag"}],
                     "additionalItems": false, "minItems": 1}"""),
            new Case("prefixItems-tuple", """
                    {"type": "array", "prefixItems": [{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 0, "maximum": 9},
                       {"type": "boolean"}], "items": false, "minItems": 2}"""),
            new Case("recursive-linked-list", """
                    {"$defs": {"list": {"type": "object", "properties": {
                        "v": {"type": "integer", "minimum": 0, "maximum": 9},
                        "next": {"anyOf": [{"$ref": "#/$defs/list"}, {"type": "null"}]}},
                        "required": ["v", "next"], "additionalProperties": false}},
                     "$ref": "#/$defs/list"}"""),
            new Case("recursive-tree", """
                    {"$defs": {"node": {"type": "object", "properties": {
                        "value": {"type": "integer", "minimum": 0, "maximum": 99},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
                        "required": ["value"], "additionalProperties": false}},
                     "$ref": "#/$defs/node"}"""),
            new Case("map-of-integers", """
                    {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 9}, "maxProperties": 3}"""),
            new Case("free-form-object", """
                    {"type": "object"}"""),
            new Case("empty-schema", """
                    {}"""),
            new Case("unicode-names-and-values", """
                    {"type": "object", "properties": {"naïve key": {"enum": ["é", "中文", "😀"]},
                       "quote\\"back\\\\slash": {"type": "boolean"}},
                     "required": ["naïve key", "quote\\"back\\\\slash"], "additionalProperties": false}"""),
            new Case("min-properties-met-by-required", """
                    {"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "boolean"}, "c": {"type": "boolean"}},
                     "required": ["a", "b"], "minProperties": 2, "maxProperties": 3}"""),
            new Case("long-string-chunked", """
                    {"type": "string", "minLength": 1005, "maxLength": 1010}"""),
            new Case("openai-get-weather", """
                    {"type": "object", "properties": {
                       "location": {"type": "string", "description": "City and country e.g. Bogotá, Colombia"},
                       "units": {"type": ["string", "null"], "enum": ["celsius", "fahrenheit", null],
                                 "description": "Units the temperature will be returned in."}},
                     "required": ["location", "units"], "additionalProperties": false}"""),
            new Case("openai-math-reasoning", """
                    {"type": "object", "properties": {
                       "steps": {"type": "array", "items": {"type": "object", "properties": {
                           "explanation": {"type": "string"}, "output": {"type": "string"}},
                           "required": ["explanation", "output"], "additionalProperties": false}},
                       "final_answer": {"type": "string"}},
                     "required": ["steps", "final_answer"], "additionalProperties": false}"""),
            new Case("openai-ui-recursive", """
                    {"type": "object", "properties": {
                       "type": {"type": "string", "enum": ["div", "button", "header", "section", "field", "form"]},
                       "label": {"type": "string", "maxLength": 8},
                       "children": {"type": "array", "items": {"$ref": "#"}, "maxItems": 2},
                       "attributes": {"type": "array", "maxItems": 2, "items": {"type": "object", "properties": {
                           "name": {"type": "string", "maxLength": 6}, "value": {"type": "string", "maxLength": 6}},
                           "required": ["name", "value"], "additionalProperties": false}}},
                     "required": ["type", "label", "children", "attributes"], "additionalProperties": false}"""),
            new Case("openai-function-search", """
                    {"type": "object", "properties": {
                       "query": {"type": "string", "maxLength": 30},
                       "filters": {"type": "object", "properties": {
                           "since": {"type": "string", "format": "date"},
                           "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                           "sort": {"type": "string", "enum": ["relevance", "date"]}},
                         "additionalProperties": false},
                       "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3, "uniqueItems": false}},
                     "required": ["query"], "additionalProperties": false}"""));
}
