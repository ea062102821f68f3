package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import io.autoglm.server.OpenAiServer;
import io.autoglm.server.ServedModel;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Serves the {@link LanguageModel} bean over the OpenAI-compatible API of {@code io.autoglm:autoglm-server}
 * ({@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}, {@code /v1/models}, ...) when
 * {@code autoglm.server.enabled=true} and that module is on the class path. The server is Helidon's, on its own
 * listener ({@code autoglm.server.host}:{@code autoglm.server.port}) beside the application's; it starts with the
 * context and is closed (draining running requests) before the model. With the application's Prometheus registry
 * present, the server's {@code /metrics} uses it. An {@link OpenAiServer} bean of your own replaces it. Without the
 * module, enabling it stops start-up with a message rather than being ignored.
 */
@AutoConfiguration(after = AutoGlmAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration")
@ConditionalOnBooleanProperty(name = "autoglm.server.enabled")
public class AutoGlmServerAutoConfiguration {
    /** The class whose presence turns the server on. */
    static final String SERVER_CLASS = "io.autoglm.server.OpenAiServer";

    private static final Logger LOG = LoggerFactory.getLogger(AutoGlmServerAutoConfiguration.class);

    /** Creates the configuration. */
    public AutoGlmServerAutoConfiguration() {
    }

    /** The server, when its module is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SERVER_CLASS)
    @ConditionalOnSingleCandidate(LanguageModel.class)
    static class ServerPresent {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        OpenAiServer autoglmOpenAiServer(LanguageModel model, AutoGlmProperties p,
                ObjectProvider<PrometheusMeterRegistry> prometheus) {
            AutoGlmProperties.Server s = p.getServer();
            String name = s.getModelName() != null ? s.getModelName() : model.info().name();
            ServedModel.Builder served = ServedModel.builder(name, model);
            if (p.getChatTemplate() != null) {
                served.chatTemplate(p.getChatTemplate());
            }
            OpenAiServer.Builder b = OpenAiServer.builder().model(served.build());
            property("autoglm.server.host", () -> b.host(s.getHost()));
            property("autoglm.server.port", () -> b.port(s.getPort()));
            if (s.getApiKey() != null && !s.getApiKey().isBlank()) {
                property("autoglm.server.api-key", () -> b.apiKey(s.getApiKey()));
            }
            PrometheusMeterRegistry registry = prometheus.getIfUnique();
            if (registry != null) {
                b.meterRegistry(registry);
            }
            OpenAiServer server = b.build().start();
            LOG.info("AutoGLM serves {} over the OpenAI-compatible API at {}/v1", name, server.url());
            return server;
        }
    }

    /** Refuses {@code autoglm.server.enabled=true} while the server module is absent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SERVER_CLASS)
    static class ServerMissing {
        @Bean
        Object autoglmServerMissing() {
            throw new IllegalStateException("autoglm.server.enabled=true needs io.autoglm:autoglm-server on the class path ("
                    + SERVER_CLASS + " not found); add it, or remove autoglm.server.enabled");
        }
    }

    private static void property(String name, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
