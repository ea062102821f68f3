package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.Completion;
import io.autoglm.FinishReason;
import io.autoglm.server.openai.Generation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounded hand-off between the model and a (slow) reader, on a real model. */
class GenerationTest {
    static ChatRequest longChat() {
        return ChatRequest.builder().message(ChatMessage.user("Tell a long story")).chatTemplate("chatml").maxTokens(3000).build();
    }

    static List<Generation.Event> drain(Generation g) {
        List<Generation.Event> out = new ArrayList<>();
        Generation.Event e;
        while ((e = g.pollNow()) != null) {
            out.add(e);
        }
        return out;
    }

    @Test
    void readerThatNeverReads_overflowsTheBuffer_cancelsOnlyThisGeneration() throws Exception {
        RecordingModel m = new RecordingModel(Models.tiny());
        Generation g = Generation.start(1, true, 16, (i, l) -> m.chat(longChat(), l).completion());
        assertThat(g.join(120, TimeUnit.SECONDS)).isTrue();
        assertThat(g.overflowed()).isTrue();
        List<Generation.Event> events = drain(g);
        assertThat(events.stream().filter(e -> e instanceof Generation.Token)).hasSize(16);
        Completion c = ((Generation.Done) events.get(events.size() - 1)).completion();
        assertThat(c.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.usage().completionTokens()).isEqualTo(17);
        // the model went on serving others
        assertThat(Models.tiny().chat(ChatRequest.builder().message(ChatMessage.user("hi")).chatTemplate("chatml").maxTokens(3).build())
                .usage().completionTokens()).isEqualTo(3);
    }

    @Test
    void cancelWhileProducing_endsTheChoiceCancelled_withinAStep() throws Exception {
        Generation g = Generation.start(2, true, 100_000, (i, l) -> Models.tiny().chat(longChat(), l).completion());
        Generation.Event first = g.poll(60, TimeUnit.SECONDS);
        assertThat(first).isInstanceOf(Generation.Token.class);
        g.cancel();
        assertThat(g.join(60, TimeUnit.SECONDS)).isTrue();
        List<Generation.Event> rest = drain(g);
        assertThat(rest).filteredOn(e -> e instanceof Generation.Done d && d.completion().finishReason() == FinishReason.CANCELLED)
                .isNotEmpty();
        // every choice ended: cancelled while producing, or interrupted while it waited for the model
        assertThat(rest.stream().filter(e -> !(e instanceof Generation.Token))).hasSize(2);
        assertThat(g.cancelled()).isTrue();
        assertThat(g.overflowed()).isFalse();
    }

    @Test
    void nonStreaming_deliversOnlyTheEnds() throws Exception {
        Generation g = Generation.start(2, false, 1, (i, l) -> Models.stories().chat(ChatRequest.builder()
                .message(ChatMessage.user("Once")).chatTemplate("chatml").maxTokens(5).build(), l).completion());
        assertThat(g.join(60, TimeUnit.SECONDS)).isTrue();
        List<Generation.Event> events = drain(g);
        assertThat(events).hasSize(2).allMatch(e -> e instanceof Generation.Done);
        assertThat(events).extracting(Generation.Event::choice).containsExactlyInAnyOrder(0, 1);
    }
}
