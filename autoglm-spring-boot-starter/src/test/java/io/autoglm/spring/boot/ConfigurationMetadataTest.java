package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.LanguageModel;
import io.autoglm.Quantization;
import io.autoglm.grammar.Json;
import io.autoglm.hub.ModelCatalog;
import io.autoglm.testing.fixtures.TestModels;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata IDEs complete {@code autoglm.*} from (META-INF/spring-configuration-metadata.json, written
 * by spring-boot-configuration-processor from {@link AutoGlmProperties} and merged with the hand-written hints): every
 * property is there with its type and description, and every suggested value is one the starter accepts.
 */
class ConfigurationMetadataTest {
    static Map<String, Map<String, Object>> properties;
    static Map<String, List<String>> hints;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        Map<String, Object> ours = null;
        for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                Map<String, Object> json = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                if (((List<Object>) json.getOrDefault("groups", List.of())).stream()
                        .anyMatch(g -> AutoGlmProperties.class.getName().equals(((Map<String, Object>) g).get("sourceType")))) {
                    assertThat(ours).as("one metadata file for AutoGlmProperties").isNull();
                    ours = json;
                }
            }
        }
        assertThat(ours).as("the starter's configuration metadata on the class path").isNotNull();
        properties = new TreeMap<>();
        for (Object p : (List<Object>) ours.get("properties")) {
            Map<String, Object> m = (Map<String, Object>) p;
            properties.put((String) m.get("name"), m);
        }
        hints = new TreeMap<>();
        for (Object h : (List<Object>) ours.get("hints")) {
            Map<String, Object> m = (Map<String, Object>) h;
            List<String> values = new ArrayList<>();
            for (Object v : (List<Object>) m.get("values")) {
                values.add((String) ((Map<String, Object>) v).get("value"));
            }
            hints.put((String) m.get("name"), values);
        }
    }

    @Test
    void everyProperty_hasItsTypeAndADescription() {
        assertThat(properties.keySet()).contains("autoglm.model", "autoglm.quantize", "autoglm.memory-budget",
                "autoglm.parallel", "autoglm.context-size", "autoglm.threads", "autoglm.backend", "autoglm.chat.max-tokens",
                "autoglm.chat.temperature", "autoglm.embedding.enabled", "autoglm.server.enabled", "autoglm.server.port",
                "autoglm.server.host", "autoglm.server.api-key", "autoglm.server.model-name");
        properties.forEach((name, p) -> {
            assertThat(name).startsWith("autoglm.");
            assertThat((String) p.get("type")).as(name).isNotBlank();
            assertThat((String) p.get("description")).as(name).isNotBlank().endsWith(".");
        });
        assertThat(properties.get("autoglm.memory-budget").get("type")).isEqualTo("org.springframework.util.unit.DataSize");
        assertThat(properties.get("autoglm.server.port").get("defaultValue")).isEqualTo(8081L);
        assertThat(properties.get("autoglm.server.enabled").get("defaultValue")).isEqualTo(false);
        assertThat(properties.get("autoglm.parallel").get("defaultValue")).isEqualTo((long) new AutoGlmProperties().getParallel());
    }

    @Test
    void suggestedQuantizationsAndModels_areAccepted() {
        assertThat(hints.get("autoglm.quantize")).contains("none", "auto", "q4_k_m", "q8_0").allSatisfy(q -> assertThat(Quantization.parse(q)).as(q).isNotNull());
        ModelCatalog catalog = ModelCatalog.builtIn();
        assertThat(hints.get("autoglm.model")).isNotEmpty()
                .allSatisfy(m -> assertThat(catalog.find(m)).as("catalog entry " + m).isPresent());
    }

    @Test
    void suggestedChatTemplates_areBuiltIntoLlamaCpp() {
        try (LanguageModel model = AutoGLM.builder().model(TestModels.stories260K()).contextSize(256).threads(1).parallel(1).build()) {
            assertThat(hints.get("autoglm.chat-template")).contains("chatml").allSatisfy(t -> assertThat(model.chat(ChatRequest
                    .builder().message(ChatMessage.user("Hi")).chatTemplate(t).maxTokens(1).build()).usage().promptTokens())
                    .as(t).isPositive());
        }
    }
}
