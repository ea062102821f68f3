package io.autoglm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.DocExcerpts;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/frameworks.md's core-only section shows {@link ChatQuickstart} as compiled, and the user guide's Maven snippet. */
class FrameworkDocsTest {
    private final Path doc = DocExcerpts.file("docs/frameworks.md");

    @Test
    void coreExample_isTheCompiledQuickstart() {
        List<String> java = DocExcerpts.blocks(doc, "Core only", "java");
        assertThat(java).hasSize(1);
        DocExcerpts.assertExcerptOf(java.getFirst(), DocExcerpts.file("autoglm-examples/src/main/java/io/autoglm/examples/ChatQuickstart.java"));
    }

    @Test
    void coreSnippet_isTheUserGuidesCheckedOne() {
        // .ci/consumer-check.sh resolves and runs the user guide's snippet in a fresh project
        List<String> xml = DocExcerpts.blocks(doc, "Core only", "xml");
        List<String> guide = DocExcerpts.blocks(DocExcerpts.file("docs/user-guide.md"), "Using AutoGLM in your project", "xml");
        assertThat(xml).hasSize(1);
        assertThat(guide).first().isEqualTo(xml.getFirst());
    }
}
