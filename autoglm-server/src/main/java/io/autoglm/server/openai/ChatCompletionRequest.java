package io.autoglm.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code POST /v1/chat/completions} body ({@link RequestParser#chat}).
 *
 * @param model the model name as asked
 * @param messages the conversation, at least one message
 * @param params generation parameters
 * @param stream whether to answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param tools the functions the model may call (empty for none)
 * @param toolChoice how tools are chosen
 * @param responseFormat {@code text}, {@code json_object} or {@code json_schema}
 * @param user the end user's id (not part of the cache key), or null
 */
public record ChatCompletionRequest(String model, List<Message> messages, GenerationParams params, boolean stream,
        boolean includeUsage, List<Tool> tools, ToolChoice toolChoice, ResponseFormat responseFormat, String user) {

    /** Validates and copies. */
    public ChatCompletionRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        Objects.requireNonNull(params, "params");
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(responseFormat, "responseFormat");
    }

    /**
     * One message of the conversation.
     *
     * @param role {@code system} ({@code developer} is read as system), {@code user}, {@code assistant} or {@code tool}
     * @param content its text (text parts joined), or null for an assistant message that only calls tools
     * @param name the optional participant name
     * @param toolCalls tool calls an assistant message made (empty for none)
     * @param toolCallId for a {@code tool} message: the call it answers
     */
    public record Message(String role, String content, String name, List<ChatCompletion.ToolCall> toolCalls, String toolCallId) {
        /** Copies. */
        public Message {
            Objects.requireNonNull(role, "role");
            toolCalls = List.copyOf(toolCalls);
        }
    }

    /**
     * A function the model may call.
     *
     * @param name the function name
     * @param description what it does, or null
     * @param parameters its JSON Schema (an object schema), or null for none
     */
    public record Tool(String name, String description, JsonNode parameters) {
    }

    /**
     * {@code tool_choice}.
     *
     * @param mode none, auto, required or one named function
     * @param name the function for {@link Mode#NAMED}, else null
     */
    public record ToolChoice(Mode mode, String name) {
        /** How the model picks a tool. */
        public enum Mode {
            /** Never call a tool. */
            NONE,
            /** The model decides (its chat template and output). */
            AUTO,
            /** Call one of the tools (output constrained by a grammar). */
            REQUIRED,
            /** Call the named tool (output constrained by a grammar). */
            NAMED
        }
    }

    /**
     * {@code response_format}.
     *
     * @param type text, json_object or json_schema
     * @param name the schema's name (json_schema), or null
     * @param schema the JSON Schema (json_schema), or null
     */
    public record ResponseFormat(Type type, String name, JsonNode schema) {
        /** The format kinds. */
        public enum Type {
            /** Free text. */
            TEXT,
            /** Any JSON object. */
            JSON_OBJECT,
            /** JSON valid against a schema. */
            JSON_SCHEMA
        }

        /** Free text. */
        public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null);
    }
}
