package io.autoglm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.DocExcerpts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/frameworks.md's LangChain4j section: the example as compiled, the snippet at the build's LangChain4j version. */
class FrameworkDocsTest {
    private final Path doc = DocExcerpts.file("docs/frameworks.md");

    @Test
    void example_isTheCompiledQuickstart() {
        List<String> java = DocExcerpts.blocks(doc, "LangChain4j", "java");
        assertThat(java).hasSize(1);
        DocExcerpts.assertExcerptOf(java.getFirst(),
                DocExcerpts.file("autoglm-langchain4j/src/test/java/io/autoglm/langchain4j/LangChain4jQuickstart.java"));
    }

    @Test
    void snippet_namesTheAdapter_atTheBuildsVersions() throws Exception {
        List<String> xml = DocExcerpts.blocks(doc, "LangChain4j", "xml");
        assertThat(xml).hasSize(1);
        String pom = Files.readString(DocExcerpts.file("pom.xml"));
        Matcher m = Pattern.compile("<langchain4j.version>([^<]+)</langchain4j.version>").matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(xml.getFirst()).contains("<artifactId>autoglm-bom</artifactId>", "<artifactId>autoglm-langchain4j</artifactId>",
                "<artifactId>langchain4j</artifactId>\n    <version>" + m.group(1) + "</version>");
    }
}
