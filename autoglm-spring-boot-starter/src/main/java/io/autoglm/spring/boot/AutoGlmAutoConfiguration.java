package io.autoglm.spring.boot;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.Quantization;
import io.autoglm.hub.ModelHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Loads the model named by {@code autoglm.model} as a {@link LanguageModel} bean, closed when the
 * application context closes. A {@code LanguageModel} bean of your own replaces it (and is used by the
 * chat, embedding, health and metrics beans). A model that cannot be loaded stops start-up with the reason.
 */
@AutoConfiguration
@ConditionalOnClass(LanguageModel.class)
@EnableConfigurationProperties(AutoGlmProperties.class)
public class AutoGlmAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(AutoGlmAutoConfiguration.class);

    /** Creates the configuration. */
    public AutoGlmAutoConfiguration() {
    }

    /**
     * @param p the properties
     * @return the loaded model
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "autoglm", name = "model")
    public LanguageModel autoglmLanguageModel(AutoGlmProperties p) {
        AutoGLM.Builder b = AutoGLM.builder();
        if (p.isOffline()) {
            b.modelHub(ModelHub.builder().offline(true).build());
        }
        property("autoglm.model", () -> b.model(p.getModel()));
        property("autoglm.quantize", () -> b.quantization(Quantization.parse(p.getQuantize())));
        if (p.getMemoryBudget() != null) {
            property("autoglm.memory-budget", () -> b.memoryBudget(p.getMemoryBudget().toBytes()));
        }
        property("autoglm.parallel", () -> b.parallel(p.getParallel()));
        property("autoglm.context-size", () -> b.contextSize(p.getContextSize()));
        if (p.getThreads() != null) {
            property("autoglm.threads", () -> b.threads(p.getThreads()));
        }
        property("autoglm.backend", () -> b.backend(p.getBackend()));
        property("autoglm.chat-template", () -> b.chatTemplate(p.getChatTemplate()));
        property("autoglm.max-queued-requests", () -> b.maxQueuedRequests(p.getMaxQueuedRequests()));
        property("autoglm.gpu-layers", () -> b.gpuLayers(p.getGpuLayers()));
        if (p.getNativeLibrary() != null) {
            property("autoglm.native-library", () -> b.nativeLibrary(p.getNativeLibrary()));
        }
        LanguageModel model = b.build();
        LOG.info("AutoGLM loaded {} ({}, {} backend, {} x {} tokens) in {} ms", p.getModel(), model.info().name(),
                model.info().backend(), model.info().parallel(), model.info().contextSize(), Math.round(model.info().loadMillis()));
        return model;
    }

    /** Names the property in a builder's refusal, so the message says what to change. */
    private static void property(String name, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
