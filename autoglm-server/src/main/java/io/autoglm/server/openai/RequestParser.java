package io.autoglm.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads OpenAI request bodies into the records of this package, checking every field's type and
 * range. Unknown fields are ignored; fields of OpenAI's API that this server does not implement
 * give a 400 that names them. Every failure is an {@link OpenAiException} naming the field.
 */
public final class RequestParser {
    /** Most choices per request ({@code n}). */
    public static final int MAX_N = 8;
    /** Most stop strings. */
    public static final int MAX_STOP = 16;
    /** Most inputs of one embeddings or completions request. */
    public static final int MAX_INPUTS = 2048;
    /** Most messages of one chat request. */
    public static final int MAX_MESSAGES = 4096;
    /** Most tools of one chat request. */
    public static final int MAX_TOOLS = 128;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    /** Chat fields of OpenAI's API that we do not implement (a non-default value is refused). */
    private static final Set<String> CHAT_UNSUPPORTED = Set.of("audio", "prediction", "web_search_options",
            "functions", "function_call", "reasoning_effort", "verbosity");
    private static final Set<String> COMPLETIONS_UNSUPPORTED = Set.of("suffix");

    private RequestParser() {
    }

    /**
     * @param body the request body
     * @return the parsed JSON object
     * @throws OpenAiException 400 when the body is not one JSON object
     */
    public static JsonNode readObject(byte[] body) {
        if (body.length == 0) {
            throw OpenAiException.invalid(null, "the request body is empty; send a JSON object");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw OpenAiException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw OpenAiException.invalid(null, "the request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw OpenAiException.invalid(null, "the request body must be a JSON object, was "
                    + (root == null ? "empty" : type(root)));
        }
        return root;
    }

    /**
     * @param root a {@code /v1/chat/completions} body
     * @return the request
     * @throws OpenAiException 400 naming the field at fault
     */
    public static ChatCompletionRequest chat(JsonNode root) {
        refuse(root, CHAT_UNSUPPORTED);
        modalities(root);
        String model = requiredString(root, "model");
        JsonNode msgs = root.get("messages");
        if (msgs == null || msgs.isNull()) {
            throw OpenAiException.invalid("messages", "messages is required: an array of at least one message");
        }
        if (!msgs.isArray()) {
            throw OpenAiException.invalid("messages", "messages must be an array, was " + type(msgs));
        }
        if (msgs.isEmpty()) {
            throw OpenAiException.invalid("messages", "messages must hold at least one message");
        }
        if (msgs.size() > MAX_MESSAGES) {
            throw OpenAiException.invalid("messages", "messages must hold at most " + MAX_MESSAGES + " messages, was " + msgs.size());
        }
        List<ChatCompletionRequest.Message> messages = new ArrayList<>(msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            messages.add(message(msgs.get(i), "messages[" + i + "]"));
        }
        GenerationParams params = params(root, true);
        boolean stream = bool(root, "stream", false);
        boolean includeUsage = streamOptions(root, stream);
        List<ChatCompletionRequest.Tool> tools = tools(root.get("tools"));
        ChatCompletionRequest.ToolChoice choice = toolChoice(root.get("tool_choice"), tools);
        ChatCompletionRequest.ResponseFormat format = responseFormat(root.get("response_format"));
        if (format.type() != ChatCompletionRequest.ResponseFormat.Type.TEXT
                && (choice.mode() == ChatCompletionRequest.ToolChoice.Mode.REQUIRED
                || choice.mode() == ChatCompletionRequest.ToolChoice.Mode.NAMED)) {
            throw OpenAiException.invalid("response_format",
                    "response_format cannot be combined with tool_choice 'required' or a named tool (both constrain the output)");
        }
        return new ChatCompletionRequest(model, messages, params, stream, includeUsage, tools, choice, format,
                optionalString(root, "user"));
    }

    /**
     * @param root a {@code /v1/completions} body
     * @return the request
     * @throws OpenAiException 400 naming the field at fault
     */
    public static CompletionsRequest completions(JsonNode root) {
        refuse(root, COMPLETIONS_UNSUPPORTED);
        String model = requiredString(root, "model");
        JsonNode best = root.get("best_of");
        if (best != null && !best.isNull() && !(best.isIntegralNumber() && best.asLong() == 1)) {
            throw OpenAiException.unsupported("best_of", "best_of is not supported (only 1); ask for n choices instead");
        }
        JsonNode p = root.get("prompt");
        if (p == null || p.isNull()) {
            throw OpenAiException.invalid("prompt", "prompt is required: a string, an array of strings, or token arrays");
        }
        List<Input> prompts = inputs(p, "prompt");
        GenerationParams params = params(root, false);
        boolean stream = bool(root, "stream", false);
        boolean includeUsage = streamOptions(root, stream);
        return new CompletionsRequest(model, prompts, params, stream, includeUsage, bool(root, "echo", false),
                optionalString(root, "user"));
    }

    /**
     * @param root a {@code /v1/embeddings} body
     * @return the request
     * @throws OpenAiException 400 naming the field at fault
     */
    public static EmbeddingsRequest embeddings(JsonNode root) {
        String model = requiredString(root, "model");
        JsonNode in = root.get("input");
        if (in == null || in.isNull()) {
            throw OpenAiException.invalid("input", "input is required: a string, an array of strings, or token arrays");
        }
        List<Input> inputs = inputs(in, "input");
        String format = optionalString(root, "encoding_format");
        boolean base64 = false;
        if (format != null) {
            switch (format) {
                case "float" -> base64 = false;
                case "base64" -> base64 = true;
                default -> throw OpenAiException.invalid("encoding_format", "encoding_format must be 'float' or 'base64', was '" + format + "'");
            }
        }
        JsonNode dims = root.get("dimensions");
        if (dims != null && !dims.isNull()) {
            throw OpenAiException.unsupported("dimensions", "dimensions is not supported: the model's embedding length is fixed");
        }
        return new EmbeddingsRequest(model, inputs, base64, optionalString(root, "user"));
    }

    /**
     * @param root a {@code /tokenize} body: {@code model}, {@code content} (or {@code text}), optional {@code add_special}
     * @return model, text and whether to add special tokens
     */
    public static TokenizeRequest tokenize(JsonNode root) {
        String model = requiredString(root, "model");
        String field = root.has("content") ? "content" : "text";
        String text = requiredString(root, field);
        return new TokenizeRequest(model, text, bool(root, "add_special", true), bool(root, "parse_special", true));
    }

    /**
     * @param root a {@code /detokenize} body: {@code model}, {@code tokens}
     * @return model and tokens
     */
    public static DetokenizeRequest detokenize(JsonNode root) {
        String model = requiredString(root, "model");
        JsonNode t = root.get("tokens");
        if (t == null || t.isNull()) {
            throw OpenAiException.invalid("tokens", "tokens is required: an array of token ids");
        }
        return new DetokenizeRequest(model, tokenArray(t, "tokens", true));
    }

    /**
     * @param model the model name
     * @param text the text
     * @param addSpecial whether BOS/EOS are added as the vocabulary asks
     * @param parseSpecial whether special-token text is recognised
     */
    public record TokenizeRequest(String model, String text, boolean addSpecial, boolean parseSpecial) {
    }

    /**
     * @param model the model name
     * @param tokens the token ids
     */
    public record DetokenizeRequest(String model, int[] tokens) {
    }

    // ----------------------------------------------------------------------------------------

    private static void refuse(JsonNode root, Set<String> unsupported) {
        for (String f : unsupported) {
            JsonNode v = root.get(f);
            if (v != null && !v.isNull()) {
                throw OpenAiException.unsupported(f, f + " is not supported by this server");
            }
        }
        JsonNode store = root.get("store");
        if (store != null && store.isBoolean() && store.asBoolean()) {
            throw OpenAiException.unsupported("store", "store: true is not supported: this server keeps no completions");
        }
    }

    private static void modalities(JsonNode root) {
        JsonNode m = root.get("modalities");
        if (m == null || m.isNull()) {
            return;
        }
        if (!m.isArray()) {
            throw OpenAiException.invalid("modalities", "modalities must be an array, was " + type(m));
        }
        for (int i = 0; i < m.size(); i++) {
            if (!"text".equals(m.get(i).asText())) {
                throw OpenAiException.unsupported("modalities", "modalities may only hold 'text', was " + m.get(i));
            }
        }
    }

    private static boolean streamOptions(JsonNode root, boolean stream) {
        JsonNode so = root.get("stream_options");
        if (so == null || so.isNull()) {
            return false;
        }
        if (!so.isObject()) {
            throw OpenAiException.invalid("stream_options", "stream_options must be an object, was " + type(so));
        }
        if (!stream) {
            throw OpenAiException.invalid("stream_options", "stream_options is only allowed with stream: true");
        }
        return bool(so, "include_usage", false, "stream_options.include_usage");
    }

    private static ChatCompletionRequest.Message message(JsonNode m, String path) {
        if (m == null || !m.isObject()) {
            throw OpenAiException.invalid(path, path + " must be an object with role and content, was " + type(m));
        }
        JsonNode r = m.get("role");
        if (r == null || r.isNull()) {
            throw OpenAiException.invalid(path + ".role", path + ".role is required");
        }
        if (!r.isTextual()) {
            throw OpenAiException.invalid(path + ".role", path + ".role must be a string, was " + type(r));
        }
        String role = switch (r.asText()) {
            case "system", "developer" -> "system";
            case "user" -> "user";
            case "assistant" -> "assistant";
            case "tool", "function" -> "tool";
            default -> throw OpenAiException.invalid(path + ".role", path + ".role must be one of system, developer, user, "
                    + "assistant, tool; was '" + r.asText() + "'");
        };
        String content = content(m.get("content"), path + ".content");
        List<ChatCompletion.ToolCall> calls = List.of();
        JsonNode tc = m.get("tool_calls");
        if (tc != null && !tc.isNull()) {
            if (!"assistant".equals(role)) {
                throw OpenAiException.invalid(path + ".tool_calls", path + ".tool_calls is only allowed on assistant messages");
            }
            calls = toolCalls(tc, path + ".tool_calls");
        }
        if (content == null && !("assistant".equals(role) && !calls.isEmpty())) {
            throw OpenAiException.invalid(path + ".content", path + ".content is required for a " + r.asText() + " message");
        }
        String toolCallId = optionalString(m, "tool_call_id", path + ".tool_call_id");
        return new ChatCompletionRequest.Message(role, content, optionalString(m, "name", path + ".name"), calls, toolCallId);
    }

    private static String content(JsonNode c, String path) {
        if (c == null || c.isNull()) {
            return null;
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw OpenAiException.invalid(path, path + " must be a string or an array of text parts, was " + type(c));
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < c.size(); j++) {
            JsonNode part = c.get(j);
            String pp = path + "[" + j + "]";
            if (!part.isObject()) {
                throw OpenAiException.invalid(pp, pp + " must be an object such as {\"type\":\"text\",\"text\":\"...\"}, was " + type(part));
            }
            String t = part.path("type").asText("");
            if (!"text".equals(t)) {
                throw OpenAiException.unsupported(pp + ".type", pp + ".type '" + t + "' is not supported; only text parts are");
            }
            String text = requiredString(part, "text", pp + ".text");
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(text);
        }
        return sb.toString();
    }

    private static List<ChatCompletion.ToolCall> toolCalls(JsonNode tc, String path) {
        if (!tc.isArray()) {
            throw OpenAiException.invalid(path, path + " must be an array, was " + type(tc));
        }
        List<ChatCompletion.ToolCall> out = new ArrayList<>();
        for (int i = 0; i < tc.size(); i++) {
            JsonNode c = tc.get(i);
            String p = path + "[" + i + "]";
            if (!c.isObject()) {
                throw OpenAiException.invalid(p, p + " must be an object, was " + type(c));
            }
            JsonNode f = c.get("function");
            if (f == null || !f.isObject()) {
                throw OpenAiException.invalid(p + ".function", p + ".function must be an object with name and arguments");
            }
            String id = optionalString(c, "id", p + ".id");
            String name = requiredString(f, "name", p + ".function.name");
            JsonNode args = f.get("arguments");
            String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString();
            out.add(new ChatCompletion.ToolCall(id == null ? "call_" + i : id, "function", new ChatCompletion.FunctionCall(name, arguments)));
        }
        return out;
    }

    private static List<ChatCompletionRequest.Tool> tools(JsonNode t) {
        if (t == null || t.isNull()) {
            return List.of();
        }
        if (!t.isArray()) {
            throw OpenAiException.invalid("tools", "tools must be an array, was " + type(t));
        }
        if (t.size() > MAX_TOOLS) {
            throw OpenAiException.invalid("tools", "tools must hold at most " + MAX_TOOLS + " tools, was " + t.size());
        }
        List<ChatCompletionRequest.Tool> out = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < t.size(); i++) {
            JsonNode tool = t.get(i);
            String p = "tools[" + i + "]";
            if (!tool.isObject()) {
                throw OpenAiException.invalid(p, p + " must be an object, was " + type(tool));
            }
            String kind = tool.path("type").asText("function");
            if (!"function".equals(kind)) {
                throw OpenAiException.unsupported(p + ".type", p + ".type '" + kind + "' is not supported; only 'function' is");
            }
            JsonNode f = tool.get("function");
            if (f == null || !f.isObject()) {
                throw OpenAiException.invalid(p + ".function", p + ".function is required: an object with name and parameters");
            }
            String name = requiredString(f, "name", p + ".function.name");
            if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
                throw OpenAiException.invalid(p + ".function.name", p + ".function.name must be 1-64 letters, digits, _ or -, was '" + name + "'");
            }
            if (!names.add(name)) {
                throw OpenAiException.invalid(p + ".function.name", "two tools are named '" + name + "'");
            }
            JsonNode params = f.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw OpenAiException.invalid(p + ".function.parameters", p + ".function.parameters must be a JSON Schema object, was " + type(params));
            }
            out.add(new ChatCompletionRequest.Tool(name, optionalString(f, "description", p + ".function.description"),
                    params == null || params.isNull() ? null : params));
        }
        return out;
    }

    private static ChatCompletionRequest.ToolChoice toolChoice(JsonNode c, List<ChatCompletionRequest.Tool> tools) {
        ChatCompletionRequest.ToolChoice.Mode deflt = tools.isEmpty() ? ChatCompletionRequest.ToolChoice.Mode.NONE
                : ChatCompletionRequest.ToolChoice.Mode.AUTO;
        if (c == null || c.isNull()) {
            return new ChatCompletionRequest.ToolChoice(deflt, null);
        }
        if (c.isTextual()) {
            ChatCompletionRequest.ToolChoice.Mode mode = switch (c.asText()) {
                case "none" -> ChatCompletionRequest.ToolChoice.Mode.NONE;
                case "auto" -> ChatCompletionRequest.ToolChoice.Mode.AUTO;
                case "required" -> ChatCompletionRequest.ToolChoice.Mode.REQUIRED;
                default -> throw OpenAiException.invalid("tool_choice", "tool_choice must be 'none', 'auto', 'required' or "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}, was '" + c.asText() + "'");
            };
            if (mode != ChatCompletionRequest.ToolChoice.Mode.NONE && tools.isEmpty()) {
                throw OpenAiException.invalid("tool_choice", "tool_choice '" + c.asText() + "' needs tools");
            }
            return new ChatCompletionRequest.ToolChoice(mode, null);
        }
        if (!c.isObject()) {
            throw OpenAiException.invalid("tool_choice", "tool_choice must be a string or an object, was " + type(c));
        }
        String name = requiredString(c.path("function"), "name", "tool_choice.function.name");
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
            throw OpenAiException.invalid("tool_choice.function.name", "tool_choice names '" + name + "', which is not among tools");
        }
        return new ChatCompletionRequest.ToolChoice(ChatCompletionRequest.ToolChoice.Mode.NAMED, name);
    }

    private static ChatCompletionRequest.ResponseFormat responseFormat(JsonNode f) {
        if (f == null || f.isNull()) {
            return ChatCompletionRequest.ResponseFormat.TEXT;
        }
        if (!f.isObject()) {
            throw OpenAiException.invalid("response_format", "response_format must be an object, was " + type(f));
        }
        String t = requiredString(f, "type", "response_format.type");
        return switch (t) {
            case "text" -> ChatCompletionRequest.ResponseFormat.TEXT;
            case "json_object" -> new ChatCompletionRequest.ResponseFormat(ChatCompletionRequest.ResponseFormat.Type.JSON_OBJECT, null, null);
            case "json_schema" -> {
                JsonNode js = f.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw OpenAiException.invalid("response_format.json_schema",
                            "response_format.json_schema is required for type json_schema: {\"name\":...,\"schema\":{...}}");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw OpenAiException.invalid("response_format.json_schema.schema",
                            "response_format.json_schema.schema must be a JSON Schema object, was " + type(schema));
                }
                yield new ChatCompletionRequest.ResponseFormat(ChatCompletionRequest.ResponseFormat.Type.JSON_SCHEMA,
                        optionalString(js, "name", "response_format.json_schema.name"), schema);
            }
            default -> throw OpenAiException.invalid("response_format.type",
                    "response_format.type must be 'text', 'json_object' or 'json_schema', was '" + t + "'");
        };
    }

    private static GenerationParams params(JsonNode root, boolean chat) {
        Integer maxTokens = null;
        for (String f : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode v = root.get(f);
            if (v != null && !v.isNull()) {
                maxTokens = (int) integer(v, f, 1, Integer.MAX_VALUE);
                break;
            }
        }
        Double temperature = optionalNumber(root, "temperature", 0, 2);
        Double topP = optionalNumber(root, "top_p", 0, 1);
        Long seed = null;
        JsonNode s = root.get("seed");
        if (s != null && !s.isNull()) {
            seed = integer(s, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        }
        List<String> stop = stop(root.get("stop"));
        Double presence = optionalNumber(root, "presence_penalty", -2, 2);
        Double frequency = optionalNumber(root, "frequency_penalty", -2, 2);
        Map<Integer, Float> bias = logitBias(root.get("logit_bias"));
        boolean logprobs;
        int top;
        if (chat) {
            logprobs = bool(root, "logprobs", false);
            JsonNode tl = root.get("top_logprobs");
            top = tl == null || tl.isNull() ? 0 : (int) integer(tl, "top_logprobs", 0, 20);
            if (top > 0 && !logprobs) {
                throw OpenAiException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
            }
        } else {
            JsonNode lp = root.get("logprobs");
            top = lp == null || lp.isNull() ? 0 : (int) integer(lp, "logprobs", 0, 5);
            logprobs = lp != null && !lp.isNull();
        }
        JsonNode nn = root.get("n");
        int n = nn == null || nn.isNull() ? 1 : (int) integer(nn, "n", 1, MAX_N);
        JsonNode tk = root.get("top_k");
        Integer topK = tk == null || tk.isNull() ? null : (int) integer(tk, "top_k", 0, Integer.MAX_VALUE);
        Double minP = optionalNumber(root, "min_p", 0, 1);
        Double repeat = optionalNumber(root, "repeat_penalty", 0.01, 10);
        return new GenerationParams(maxTokens, temperature, topP, seed, stop, presence == null ? 0 : presence,
                frequency == null ? 0 : frequency, bias, logprobs, top, n, topK, minP, repeat);
    }

    private static List<String> stop(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray()) {
            if (s.size() > MAX_STOP) {
                throw OpenAiException.invalid("stop", "stop must hold at most " + MAX_STOP + " strings, was " + s.size());
            }
            for (int i = 0; i < s.size(); i++) {
                if (!s.get(i).isTextual()) {
                    throw OpenAiException.invalid("stop", "stop[" + i + "] must be a string, was " + type(s.get(i)));
                }
                out.add(s.get(i).asText());
            }
        } else {
            throw OpenAiException.invalid("stop", "stop must be a string or an array of strings, was " + type(s));
        }
        for (String v : out) {
            if (v.isEmpty()) {
                throw OpenAiException.invalid("stop", "stop strings must not be empty");
            }
        }
        return out;
    }

    private static Map<Integer, Float> logitBias(JsonNode b) {
        if (b == null || b.isNull()) {
            return Map.of();
        }
        if (!b.isObject()) {
            throw OpenAiException.invalid("logit_bias", "logit_bias must be an object of token id to bias, was " + type(b));
        }
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw OpenAiException.invalid("logit_bias", "logit_bias keys must be token ids, was '" + e.getKey() + "'");
            }
            if (token < 0) {
                throw OpenAiException.invalid("logit_bias", "logit_bias token ids must be >= 0, was " + token);
            }
            JsonNode v = e.getValue();
            if (!v.isNumber()) {
                throw OpenAiException.invalid("logit_bias", "logit_bias[" + token + "] must be a number, was " + type(v));
            }
            double d = v.asDouble();
            if (!(d >= -100 && d <= 100)) {
                throw OpenAiException.invalid("logit_bias", "logit_bias[" + token + "] must be in [-100, 100], was " + v);
            }
            out.put(token, (float) d);
        }
        return out;
    }

    private static List<Input> inputs(JsonNode v, String field) {
        List<Input> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(new Input(v.asText(), null));
            return out;
        }
        if (!v.isArray()) {
            throw OpenAiException.invalid(field, field + " must be a string, an array of strings, or token arrays, was " + type(v));
        }
        if (v.isEmpty()) {
            throw OpenAiException.invalid(field, field + " must not be empty");
        }
        if (v.get(0).isIntegralNumber()) {
            out.add(new Input(null, tokenArray(v, field, false)));
            return out;
        }
        if (v.size() > MAX_INPUTS) {
            throw OpenAiException.invalid(field, field + " must hold at most " + MAX_INPUTS + " items, was " + v.size());
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String p = field + "[" + i + "]";
            if (item.isTextual()) {
                out.add(new Input(item.asText(), null));
            } else if (item.isArray()) {
                out.add(new Input(null, tokenArray(item, p, false)));
            } else {
                throw OpenAiException.invalid(p, p + " must be a string or an array of token ids, was " + type(item));
            }
        }
        return out;
    }

    private static int[] tokenArray(JsonNode v, String field, boolean allowEmpty) {
        if (!v.isArray()) {
            throw OpenAiException.invalid(field, field + " must be an array of token ids, was " + type(v));
        }
        if (v.isEmpty() && !allowEmpty) {
            throw OpenAiException.invalid(field, field + " must hold at least one token id");
        }
        int[] t = new int[v.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (int) integer(v.get(i), field + "[" + i + "]", 0, Integer.MAX_VALUE);
        }
        return t;
    }

    // ---- typed field access -----------------------------------------------------------------

    private static String requiredString(JsonNode o, String field) {
        return requiredString(o, field, field);
    }

    private static String requiredString(JsonNode o, String field, String path) {
        JsonNode v = o == null ? null : o.get(field);
        if (v == null || v.isNull()) {
            throw OpenAiException.invalid(path, path + " is required");
        }
        if (!v.isTextual()) {
            throw OpenAiException.invalid(path, path + " must be a string, was " + type(v));
        }
        return v.asText();
    }

    private static String optionalString(JsonNode o, String field) {
        return optionalString(o, field, field);
    }

    private static String optionalString(JsonNode o, String field, String path) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw OpenAiException.invalid(path, path + " must be a string, was " + type(v));
        }
        return v.asText();
    }

    private static boolean bool(JsonNode o, String field, boolean deflt) {
        return bool(o, field, deflt, field);
    }

    private static boolean bool(JsonNode o, String field, boolean deflt, String path) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return deflt;
        }
        if (!v.isBoolean()) {
            throw OpenAiException.invalid(path, path + " must be true or false, was " + type(v));
        }
        return v.asBoolean();
    }

    private static Double optionalNumber(JsonNode o, String field, double min, double max) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw OpenAiException.invalid(field, field + " must be a number, was " + type(v));
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw OpenAiException.invalid(field, field + " must be in [" + fmt(min) + ", " + fmt(max) + "], was " + v);
        }
        return d;
    }

    private static long integer(JsonNode v, String field, long min, long max) {
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw OpenAiException.invalid(field, field + " must be an integer, was " + type(v));
        }
        if (!v.canConvertToLong()) {
            throw OpenAiException.invalid(field, field + " is out of range, was " + v);
        }
        long l = v.asLong();
        if (l < min) {
            throw OpenAiException.invalid(field, field + " must be >= " + min + ", was " + l);
        }
        if (l > max) {
            throw OpenAiException.invalid(field, field + " must be <= " + max + ", was " + l);
        }
        return l;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String type(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "missing";
        }
        JsonNodeType t = v.getNodeType();
        return switch (t) {
            case STRING -> "a string";
            case NUMBER -> "a number (" + v + ")";
            case BOOLEAN -> "a boolean (" + v + ")";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }
}
