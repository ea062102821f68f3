package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.CompletionRequest;
import io.autoglm.ContextOverflowException;
import io.autoglm.GenerationOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of the engine's text assembly: UTF-8 pieces, stop strings, prompt fitting. */
class TextAssemblyTest {

    @Test
    void utf8_characterSplitAcrossPieces_isReleasedWhenComplete() {
        Utf8Accumulator u = new Utf8Accumulator();
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        assertThat(u.append(new byte[] {'a', smile[0]})).isEqualTo("a");
        assertThat(u.append(new byte[] {smile[1], smile[2]})).isEmpty();
        assertThat(u.append(new byte[] {smile[3], e[0]})).isEqualTo("😀");
        assertThat(u.append(new byte[] {e[1], 'b'})).isEqualTo("éb");
        assertThat(u.flush()).isEmpty();
    }

    @Test
    void utf8_unfinishedCharacterAtEnd_flushesAsReplacement() {
        Utf8Accumulator u = new Utf8Accumulator();
        assertThat(u.append(new byte[] {'x', (byte) 0xE2, (byte) 0x82})).isEqualTo("x");
        assertThat(u.flush()).isEqualTo("\uFFFD");
    }

    @Test
    void stop_stringSpanningPieces_cutsBeforeIt() {
        StopMatcher m = new StopMatcher(List.of("END"));
        StringBuilder out = new StringBuilder();
        for (String p : List.of("hello E", "N", "D more")) {
            out.append(m.append(p));
        }
        assertThat(m.stopped()).isTrue();
        assertThat(out).hasToString("hello ");
    }

    @Test
    void stop_possibleStartIsHeldBackThenReleased() {
        StopMatcher m = new StopMatcher(List.of("\n\n"));
        assertThat(m.append("one\n")).isEqualTo("one");
        assertThat(m.append("two")).isEqualTo("\ntwo");
        assertThat(m.stopped()).isFalse();
        assertThat(m.append("\n")).isEmpty();
        assertThat(m.flush()).isEqualTo("\n");
    }

    @Test
    void stop_earliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("zz", "b"));
        assertThat(m.append("a b zz")).isEqualTo("a ");
        assertThat(m.append("more")).isEmpty();
    }

    private static GenerationOptions opts(int maxTokens, boolean truncate) {
        return CompletionRequest.builder().prompt("x").maxTokens(maxTokens).truncatePrompt(truncate).build().options();
    }

    @Test
    void fit_promptFillingContext_overflowsWithoutTruncation() {
        int[] t = new int[16];
        assertThatThrownBy(() -> ServingModel.fitToContext(t, 16, opts(4, false), -1))
                .isInstanceOf(ContextOverflowException.class).hasMessageContaining("16 tokens");
        assertThat(ServingModel.fitToContext(new int[15], 16, opts(4, false), -1)).hasSize(15);
    }

    @Test
    void fit_truncation_keepsBosAndLastTokensLeavingRoomForGeneration() {
        int[] t = new int[40];
        Arrays.setAll(t, i -> i + 100);
        t[0] = 7; // BOS
        int[] fitted = ServingModel.fitToContext(t, 32, opts(8, true), 7);
        assertThat(fitted).hasSize(24);
        assertThat(fitted[0]).isEqualTo(7);
        assertThat(fitted[1]).isEqualTo(t[40 - 23]);
        assertThat(fitted[23]).isEqualTo(t[39]);
        // room is capped at half the context
        assertThat(ServingModel.fitToContext(t, 32, opts(1000, true), 7)).hasSize(16);
    }

    @Test
    void fit_doubleBos_isCollapsed() {
        assertThat(ServingModel.fitToContext(new int[] {7, 7, 9}, 32, opts(4, false), 7)).containsExactly(7, 9);
    }
}
