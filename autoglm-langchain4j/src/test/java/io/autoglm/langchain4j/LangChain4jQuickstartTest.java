package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.Test;

/** Runs the documented example. */
class LangChain4jQuickstartTest {
    @Test
    void run_chatsCallsTheToolAndEmbeds() {
        String[] lines = LangChain4jQuickstart.run(TestModels.stories260K().toString()).split("\n", -1);
        assertThat(lines[0]).isNotBlank();
        assertThat(lines[lines.length - 1]).isEqualTo("64");
    }
}
