package io.autoglm.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.DocExcerpts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/frameworks.md's Spring Boot section: the example as compiled, the properties {@link StoryApplicationTest} runs it
 * with, the snippet at the build's Spring Boot version.
 */
class FrameworkDocsTest {
    private final Path doc = DocExcerpts.file("docs/frameworks.md");

    @Test
    void example_isTheCompiledApplication() {
        List<String> java = DocExcerpts.blocks(doc, "Spring Boot", "java");
        assertThat(java).hasSize(1);
        DocExcerpts.assertExcerptOf(java.getFirst(), DocExcerpts.file(
                "autoglm-spring-boot-starter/src/test/java/io/autoglm/spring/boot/example/StoryApplication.java"));
    }

    @Test
    void properties_areTheTestedOnes() throws Exception {
        String test = Files.readString(DocExcerpts.file(
                "autoglm-spring-boot-starter/src/test/java/io/autoglm/spring/boot/example/StoryApplicationTest.java"));
        List<String> properties = DocExcerpts.blocks(doc, "Spring Boot", "properties");
        assertThat(properties).hasSizeGreaterThanOrEqualTo(1);
        for (String line : properties.getFirst().strip().split("\n")) {
            if (line.startsWith("autoglm.model=")) {
                assertThat(line).isEqualTo("autoglm.model=stories260k");   // the test gives the same model as a path
            } else {
                assertThat(test).as(line).contains("\"" + line + "\"");
            }
        }
    }

    @Test
    void snippet_namesTheStarter_atTheBuildsSpringBoot() throws Exception {
        List<String> xml = DocExcerpts.blocks(doc, "Spring Boot", "xml");
        assertThat(xml).hasSizeGreaterThanOrEqualTo(1);
        String pom = Files.readString(DocExcerpts.file("pom.xml"));
        Matcher m = Pattern.compile("<spring-boot.version>([^<]+)</spring-boot.version>").matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(xml.getFirst()).contains("<artifactId>spring-boot-dependencies</artifactId>\n      <version>" + m.group(1) + "</version>",
                "<artifactId>autoglm-bom</artifactId>", "<artifactId>autoglm-spring-boot-starter</artifactId>");
    }
}
