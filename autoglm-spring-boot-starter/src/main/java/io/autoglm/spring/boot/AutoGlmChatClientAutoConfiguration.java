package io.autoglm.spring.boot;

import io.autoglm.spring.ai.AutoGlmChatModel;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Makes {@code ChatClient}'s {@code entity(...)} calls hand their JSON schema to the AutoGLM chat model, which
 * enforces it with a grammar, instead of appending format instructions to the prompt (a small model would not
 * follow them). Off with {@code autoglm.chat.native-structured-output=false}.
 */
@AutoConfiguration(after = AutoGlmSpringAiAutoConfiguration.class)
@ConditionalOnClass(ChatClientCustomizer.class)
@ConditionalOnBean(AutoGlmChatModel.class)
@ConditionalOnBooleanProperty(name = "autoglm.chat.native-structured-output", matchIfMissing = true)
public class AutoGlmChatClientAutoConfiguration {
    /** Creates the configuration. */
    public AutoGlmChatClientAutoConfiguration() {
    }

    /** @return a customizer that turns on native structured output for every {@code ChatClient.Builder} */
    @Bean
    public ChatClientCustomizer autoglmNativeStructuredOutput() {
        return builder -> builder.defaultAdvisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT);
    }
}
