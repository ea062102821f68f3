package io.autoglm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.hub.ModelNotFoundException;
import io.autoglm.spring.ai.AutoGlmChatModel;
import io.autoglm.testing.fixtures.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The conditions: what is created from which properties, what backs off for the user's beans, and the failures. */
class AutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            AutoGlmAutoConfiguration.class, AutoGlmSpringAiAutoConfiguration.class, AutoGlmChatClientAutoConfiguration.class,
            AutoGlmHealthAutoConfiguration.class, AutoGlmMetricsAutoConfiguration.class, AutoGlmServerAutoConfiguration.class,
            ChatClientAutoConfiguration.class));

    static String model;

    @BeforeAll
    static void fixtures() {
        model = TestModels.stories260K().toString();
    }

    private ApplicationContextRunner withModel() {
        return runner.withPropertyValues("autoglm.model=" + model, "autoglm.threads=1", "autoglm.context-size=64", "autoglm.parallel=1");
    }

    @Test
    void withoutAModel_nothingIsCreated() {
        runner.run(c -> {
            assertThat(c).hasNotFailed();
            assertThat(c).doesNotHaveBean(LanguageModel.class).doesNotHaveBean(ChatModel.class).doesNotHaveBean(EmbeddingModel.class)
                    .doesNotHaveBean(AutoGlmHealthIndicator.class).doesNotHaveBean(AutoGlmMetrics.class);
        });
    }

    @Test
    void aModel_givesEveryBean_andIsClosedWithTheContext() {
        LanguageModel[] seen = new LanguageModel[1];
        withModel().run(c -> {
            assertThat(c).hasSingleBean(LanguageModel.class).hasSingleBean(AutoGlmChatModel.class)
                    .hasSingleBean(EmbeddingModel.class).hasSingleBean(AutoGlmMetrics.class)
                    .hasBean("autoglmHealthIndicator").hasBean("autoglmNativeStructuredOutput");
            seen[0] = c.getBean(LanguageModel.class);
            assertThat(c.getBean(AutoGlmHealthIndicator.class).health().getStatus().getCode()).isEqualTo("UP");
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> seen[0].complete("Once"))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed");
    }

    @Test
    void userBeans_win() {
        withModel().withUserConfiguration(UserBeans.class).run(c -> {
            assertThat(c).hasSingleBean(LanguageModel.class).hasSingleBean(ChatModel.class);
            assertThat(c.getBean(LanguageModel.class).info().contextSize()).isEqualTo(32);
            assertThat(c.getBean(ChatModel.class)).isNotInstanceOf(AutoGlmChatModel.class);
            assertThat(c).doesNotHaveBean("autoglmNativeStructuredOutput");
            assertThat(c).hasSingleBean(EmbeddingModel.class); // still ours, over the user's LanguageModel
            assertThat(c.getBean(EmbeddingModel.class).dimensions()).isEqualTo(64);
        });
    }

    @Test
    void switches_turnBeansOff() {
        withModel().withPropertyValues("autoglm.chat.enabled=false", "autoglm.embedding.enabled=false",
                "management.health.autoglm.enabled=false", "autoglm.chat.native-structured-output=false").run(c -> {
                    assertThat(c).hasSingleBean(LanguageModel.class).doesNotHaveBean(ChatModel.class).doesNotHaveBean(EmbeddingModel.class)
                            .doesNotHaveBean(HealthIndicator.class).doesNotHaveBean("autoglmNativeStructuredOutput");
                });
    }

    @Test
    void badProperties_failStartUp_namingTheProperty() {
        withModel().withPropertyValues("autoglm.parallel=0").run(c -> assertThat(c).hasFailed().getFailure()
                .hasStackTraceContaining("IllegalArgumentException: autoglm.parallel: parallel must be in [1, 64], was 0"));
        withModel().withPropertyValues("autoglm.quantize=q9").run(c -> assertThat(c).hasFailed().getFailure()
                .hasStackTraceContaining("IllegalArgumentException: autoglm.quantize: unknown quantization 'q9'"));
        withModel().withPropertyValues("autoglm.server.enabled=true", "autoglm.server.port=70000").run(c -> assertThat(c).hasFailed()
                .getFailure().hasStackTraceContaining("autoglm.server.port: port must be in [0, 65535], was 70000"));
        withModel().withPropertyValues("autoglm.server.enabled=true")
                .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(io.autoglm.server.OpenAiServer.class))
                .run(c -> assertThat(c).hasFailed().getFailure().rootCause()
                        .hasMessage("autoglm.server.enabled=true needs io.autoglm:autoglm-server on the class path "
                                + "(io.autoglm.server.OpenAiServer not found); add it, or remove autoglm.server.enabled"));
        withModel().run(c -> assertThat(c).doesNotHaveBean(io.autoglm.server.OpenAiServer.class));
    }

    @Test
    void server_startsWithTheContext_andIsClosedBeforeTheModel() {
        io.autoglm.server.OpenAiServer[] server = new io.autoglm.server.OpenAiServer[1];
        LanguageModel[] model = new LanguageModel[1];
        withModel().withPropertyValues("autoglm.server.enabled=true", "autoglm.server.port=0", "autoglm.server.host=127.0.0.1")
                .run(c -> {
                    assertThat(c).hasNotFailed().hasSingleBean(io.autoglm.server.OpenAiServer.class);
                    server[0] = c.getBean(io.autoglm.server.OpenAiServer.class);
                    model[0] = c.getBean(LanguageModel.class);
                    assertThat(server[0].isRunning()).isTrue();
                    assertThat(server[0].url()).startsWith("http://127.0.0.1:").doesNotEndWith(":0");
                });
        assertThat(server[0].isRunning()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model[0].complete("Once"))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("closed");

        // an OpenAiServer of the user's replaces ours
        withModel().withPropertyValues("autoglm.server.enabled=true", "autoglm.server.port=0")
                .withUserConfiguration(UserServer.class)
                .run(c -> {
                    assertThat(c).hasNotFailed().hasSingleBean(io.autoglm.server.OpenAiServer.class).hasBean("myServer");
                    assertThat(c.getBean(io.autoglm.server.OpenAiServer.class).isRunning()).isFalse();
                });
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aModelThatCannotBeLoaded_failsStartUp_withTheReason(org.springframework.boot.test.system.CapturedOutput output) {
        SpringApplication app = new SpringApplication(EmptyApplication.class);
        app.setWebApplicationType(org.springframework.boot.WebApplicationType.NONE);
        app.setDefaultProperties(java.util.Map.of("autoglm.model", "/nonexistent/missing.gguf", "autoglm.threads", "1"));
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(app::run);
        assertThat(failure).isNotNull().hasRootCauseInstanceOf(io.autoglm.ModelLoadException.class);
        Throwable root = org.assertj.core.util.Throwables.getRootCause(failure);
        assertThat(root.getMessage()).contains("missing.gguf");
        FailureAnalysis analysis = new AutoGlmFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).startsWith("AutoGLM could not load the model: ").contains("missing.gguf");
        assertThat(analysis.getAction()).contains("autoglm.model");
        assertThat(output.toString()).contains("APPLICATION FAILED TO START")
                .contains("AutoGLM could not load the model: model file not found: /nonexistent/missing.gguf");

        app.setDefaultProperties(java.util.Map.of("autoglm.model", "hf://nobody/nothing/model.gguf", "autoglm.offline", "true"));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(app::run)).hasRootCauseInstanceOf(ModelNotFoundException.class)
                .hasStackTraceContaining("downloads are off");
    }

    /** An application with nothing of its own. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class EmptyApplication {
    }

    /** A user's own OpenAI-compatible server (built, not started). */
    @Configuration(proxyBeanMethods = false)
    static class UserServer {
        @Bean
        io.autoglm.server.OpenAiServer myServer(LanguageModel model) {
            return io.autoglm.server.OpenAiServer.builder().model("mine", model).port(0).build();
        }
    }

    /** A user's own model and chat model. */
    @Configuration(proxyBeanMethods = false)
    static class UserBeans {
        @Bean(destroyMethod = "close")
        LanguageModel myModel() {
            return AutoGLM.builder().model(java.nio.file.Path.of(model)).contextSize(32).threads(1).parallel(1).build();
        }

        @Bean
        ChatModel myChatModel() {
            return prompt -> {
                throw new UnsupportedOperationException("not called");
            };
        }
    }
}
