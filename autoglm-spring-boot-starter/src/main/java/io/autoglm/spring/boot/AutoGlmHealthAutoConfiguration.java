package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code autoglm} health indicator (off with {@code management.health.autoglm.enabled=false}). */
@AutoConfiguration(after = AutoGlmAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, LanguageModel.class})
@ConditionalOnSingleCandidate(LanguageModel.class)
@ConditionalOnEnabledHealthIndicator("autoglm")
public class AutoGlmHealthAutoConfiguration {
    /** Creates the configuration. */
    public AutoGlmHealthAutoConfiguration() {
    }

    /**
     * @param model the model
     * @return the indicator, named {@code autoglm} in the health endpoint
     */
    @Bean
    @ConditionalOnMissingBean(name = "autoglmHealthIndicator")
    public AutoGlmHealthIndicator autoglmHealthIndicator(LanguageModel model) {
        return new AutoGlmHealthIndicator(model);
    }
}
