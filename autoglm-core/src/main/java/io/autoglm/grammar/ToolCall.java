package io.autoglm.grammar;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One tool call parsed from model output by {@link ToolCallGrammar#parse(String)}.
 *
 * @param name the tool's name
 * @param arguments the arguments object, already checked against the tool's parameter schema
 */
public record ToolCall(String name, Map<String, Object> arguments) {
    /** Validates and copies. */
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(arguments, "arguments")));
    }

    /** @return the arguments as compact JSON text (OpenAI's {@code function.arguments} string) */
    public String argumentsJson() {
        return Json.write(arguments);
    }
}
