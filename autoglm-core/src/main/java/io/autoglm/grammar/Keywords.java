package io.autoglm.grammar;

import java.util.Set;

/** Which JSON Schema keywords the compiler uses, ignores, or refuses. */
final class Keywords {
    private Keywords() {
    }

    /** Keywords that never constrain a value (annotations, identifiers, definitions). */
    static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "example", "$schema", "$id",
            "id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentMediaType",
            "contentEncoding", "contentSchema", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$vocabulary",
            "discriminator", "externalDocs", "xml", "unevaluatedItems");

    /** Keywords the compiler turns into grammar. */
    static final Set<String> SUPPORTED = Set.of("type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf", "properties",
            "required", "additionalProperties", "unevaluatedProperties", "items", "prefixItems", "additionalItems",
            "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "format", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "nullable", "minProperties", "maxProperties");

    /** Standard assertion keywords the compiler refuses, with the reason given to the caller. */
    static String refusal(String keyword) {
        return switch (keyword) {
            case "pattern" -> "'pattern' (regular expressions) is not supported; use enum, format "
                    + "(date, time, date-time, uuid) or minLength/maxLength";
            case "patternProperties", "propertyNames" -> "'" + keyword + "' is not supported; declare the property "
                    + "names in 'properties'";
            case "dependentRequired", "dependentSchemas", "dependencies" -> "'" + keyword + "' is not supported; use "
                    + "anyOf with one object schema per case";
            case "if", "then", "else" -> "'" + keyword + "' (conditional schemas) is not supported; use anyOf";
            case "not" -> "'not' is not supported";
            case "contains", "minContains", "maxContains" -> "'" + keyword + "' is not supported; use items or prefixItems";
            case "$dynamicRef", "$recursiveRef" -> "'" + keyword + "' is not supported; use $ref to #/$defs/...";
            default -> null;
        };
    }
}
