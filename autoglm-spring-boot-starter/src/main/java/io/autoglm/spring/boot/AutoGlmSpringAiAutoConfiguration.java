package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import io.autoglm.spring.ai.AutoGlmChatModel;
import io.autoglm.spring.ai.AutoGlmChatOptions;
import io.autoglm.spring.ai.AutoGlmEmbeddingModel;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Spring AI's {@link ChatModel} and {@link EmbeddingModel} over the {@link LanguageModel} bean, unless you
 * define your own (or turn them off with {@code autoglm.chat.enabled=false}, {@code autoglm.embedding.enabled=false}).
 */
@AutoConfiguration(after = AutoGlmAutoConfiguration.class)
@ConditionalOnClass({ChatModel.class, LanguageModel.class})
@ConditionalOnSingleCandidate(LanguageModel.class)
public class AutoGlmSpringAiAutoConfiguration {
    /** Creates the configuration. */
    public AutoGlmSpringAiAutoConfiguration() {
    }

    /**
     * @param model the model
     * @param p the properties
     * @return the chat model
     */
    @Bean
    @ConditionalOnMissingBean(ChatModel.class)
    @ConditionalOnBooleanProperty(name = "autoglm.chat.enabled", matchIfMissing = true)
    public AutoGlmChatModel autoglmChatModel(LanguageModel model, AutoGlmProperties p) {
        AutoGlmProperties.Chat c = p.getChat();
        AutoGlmChatOptions.Builder o = AutoGlmChatOptions.builder()
                .temperature(c.getTemperature()).maxTokens(c.getMaxTokens()).topK(c.getTopK()).topP(c.getTopP())
                .seed(c.getSeed()).chatTemplate(p.getChatTemplate());
        return new AutoGlmChatModel(model, o.build());
    }

    /**
     * @param model the model
     * @param p the properties
     * @return the embedding model
     */
    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    @ConditionalOnBooleanProperty(name = "autoglm.embedding.enabled", matchIfMissing = true)
    public AutoGlmEmbeddingModel autoglmEmbeddingModel(LanguageModel model, AutoGlmProperties p) {
        return new AutoGlmEmbeddingModel(model, p.getEmbedding().isNormalize());
    }
}
