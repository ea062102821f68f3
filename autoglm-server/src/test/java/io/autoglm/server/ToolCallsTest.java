package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.server.openai.ChatCompletion;
import io.autoglm.server.openai.ToolCalls;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading tool calls from model output (crafted texts: the small test models never call tools). */
class ToolCallsTest {
    static final Set<String> NAMES = Set.of("get_weather", "search");

    @Test
    void taggedCalls_areReadInOrder_withObjectOrStringArguments() {
        String text = "Let me check.\n<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>\n"
                + "<tool_call>{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\\\"cats\\\"}\"}</tool_call>";
        List<ChatCompletion.ToolCall> calls = ToolCalls.parse(text, NAMES, "call_x_");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.get(0).id()).isEqualTo("call_x_0");
        assertThat(calls.get(1).function().arguments()).isEqualTo("{\"q\":\"cats\"}");
        assertThat(calls.get(1).type()).isEqualTo("function");
    }

    @Test
    void bareJsonReply_withParametersKey_isACall() {
        List<ChatCompletion.ToolCall> calls = ToolCalls.parse("  {\"name\": \"search\", \"parameters\": {\"q\": \"x\"}} ", NAMES, "c");
        assertThat(calls).singleElement().satisfies(c -> assertThat(c.function().arguments()).isEqualTo("{\"q\":\"x\"}"));
    }

    @Test
    void unclosedTagAtTheEnd_stillReadsTheCall() {
        assertThat(ToolCalls.parse("<tool_call>{\"name\": \"search\", \"arguments\": {}}", NAMES, "c")).hasSize(1);
    }

    @Test
    void textUnknownNamesAndBrokenJson_areNotCalls() {
        assertThat(ToolCalls.parse("Once upon a time there was a cat.", NAMES, "c")).isEmpty();
        assertThat(ToolCalls.parse("{\"name\": \"launch_rockets\", \"arguments\": {}}", NAMES, "c")).isEmpty();
        assertThat(ToolCalls.parse("<tool_call>{\"name\": \"search\", \"arguments\": {</tool_call>", NAMES, "c")).isEmpty();
        assertThat(ToolCalls.parse("{\"city\": \"Paris\"}", NAMES, "c")).isEmpty();
    }

    @Test
    void renderedCall_isReadBackAsTheSameCall() {
        ChatCompletion.ToolCall call = new ChatCompletion.ToolCall("call_1", "function",
                new ChatCompletion.FunctionCall("get_weather", "{\"city\":\"Oslo\"}"));
        List<ChatCompletion.ToolCall> back = ToolCalls.parse(ToolCalls.render(call), NAMES, "call_");
        assertThat(back).singleElement().satisfies(c -> assertThat(c.function()).isEqualTo(call.function()));
    }
}
