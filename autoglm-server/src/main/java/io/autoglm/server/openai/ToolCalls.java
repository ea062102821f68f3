package io.autoglm.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How tools reach the model and how its calls are read back. The tools are described in a system
 * message, and the model is asked to answer a call as {@code <tool_call>{"name":..,"arguments":{..}}</tool_call>}
 * (the convention of Hermes/Qwen-style chat templates); a reply that is just such a JSON object (the
 * Llama 3.1 convention) counts too. With {@code tool_choice: required} or a named tool, the output is
 * constrained by a grammar to exactly one call object.
 */
public final class ToolCalls {
    private static final Pattern TAGGED = Pattern.compile("<tool_call>\\s*(.*?)\\s*(?:</tool_call>|$)", Pattern.DOTALL);

    private ToolCalls() {
    }

    /**
     * @param tools the request's tools
     * @return the system-message text describing them and the expected answer format
     */
    public static String systemPrompt(List<ChatCompletionRequest.Tool> tools) {
        StringBuilder sb = new StringBuilder("You may call functions. To call one, answer with only\n"
                + "<tool_call>{\"name\": <function name>, \"arguments\": <arguments object>}</tool_call>\n"
                + "The functions:\n");
        for (ChatCompletionRequest.Tool t : tools) {
            ObjectNode o = OpenAiJson.mapper().createObjectNode();
            o.put("name", t.name());
            if (t.description() != null) {
                o.put("description", t.description());
            }
            if (t.parameters() != null) {
                o.set("parameters", t.parameters());
            }
            sb.append(o).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param call a call an assistant made earlier
     * @return how that call reads in the conversation the model sees
     */
    public static String render(ChatCompletion.ToolCall call) {
        return "<tool_call>{\"name\": " + OpenAiJson.string(call.function().name()) + ", \"arguments\": "
                + call.function().arguments() + "}</tool_call>";
    }

    /**
     * The JSON Schema of one call object, for a grammar: {@code {"name": <one of the tools>, "arguments": <its schema>}}.
     *
     * @param tools the tools that may be called (one for a named tool)
     * @return the schema; {@code anyOf} over the tools when there are several
     */
    public static JsonNode callSchema(List<ChatCompletionRequest.Tool> tools) {
        List<ObjectNode> alternatives = new ArrayList<>();
        for (ChatCompletionRequest.Tool t : tools) {
            ObjectNode s = OpenAiJson.mapper().createObjectNode();
            s.put("type", "object");
            ObjectNode props = s.putObject("properties");
            props.putObject("name").putArray("enum").add(t.name());
            if (t.parameters() != null) {
                props.set("arguments", t.parameters());
            } else {
                props.putObject("arguments").put("type", "object");
            }
            s.putArray("required").add("name").add("arguments");
            s.put("additionalProperties", false);
            alternatives.add(s);
        }
        if (alternatives.size() == 1) {
            return alternatives.get(0);
        }
        ObjectNode any = OpenAiJson.mapper().createObjectNode();
        ArrayNode arr = any.putArray("anyOf");
        alternatives.forEach(arr::add);
        return any;
    }

    /**
     * Reads the tool calls in a model's reply.
     *
     * @param text the reply
     * @param names the names of the request's tools (calls to other names are not calls)
     * @param idPrefix a unique prefix for the calls' ids ({@code call_...})
     * @return the calls, in order; empty when the reply calls no tool
     */
    public static List<ChatCompletion.ToolCall> parse(String text, Set<String> names, String idPrefix) {
        List<ChatCompletion.ToolCall> out = new ArrayList<>();
        Matcher m = TAGGED.matcher(text);
        boolean tagged = false;
        while (m.find()) {
            tagged = true;
            ChatCompletion.ToolCall c = call(m.group(1), names, idPrefix + out.size());
            if (c != null) {
                out.add(c);
            }
        }
        if (!tagged) {
            ChatCompletion.ToolCall c = call(text.strip(), names, idPrefix + "0");
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    private static ChatCompletion.ToolCall call(String json, Set<String> names, String id) {
        if (!json.startsWith("{")) {
            return null;
        }
        JsonNode node;
        try {
            node = OpenAiJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
        if (node == null || !node.isObject() || !node.path("name").isTextual()) {
            return null;
        }
        String name = node.get("name").asText();
        if (!names.contains(name)) {
            return null;
        }
        JsonNode args = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        String arguments;
        if (args == null || args.isNull()) {
            arguments = "{}";
        } else if (args.isTextual()) {
            arguments = args.asText();
        } else {
            arguments = args.toString();
        }
        return new ChatCompletion.ToolCall(id, "function", new ChatCompletion.FunctionCall(name, arguments));
    }
}
