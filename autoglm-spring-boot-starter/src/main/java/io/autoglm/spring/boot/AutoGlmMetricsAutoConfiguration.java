package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/** Micrometer meters from the model's {@code stats()} ({@link AutoGlmMetrics}), when Micrometer is on the class path. */
@AutoConfiguration(after = AutoGlmAutoConfiguration.class)
@ConditionalOnClass({MeterBinder.class, LanguageModel.class})
@ConditionalOnSingleCandidate(LanguageModel.class)
public class AutoGlmMetricsAutoConfiguration {
    /** Creates the configuration. */
    public AutoGlmMetricsAutoConfiguration() {
    }

    /**
     * @param model the model
     * @return the meter binder Spring Boot binds to every registry
     */
    @Bean
    @ConditionalOnMissingBean
    public AutoGlmMetrics autoglmMetrics(LanguageModel model) {
        return new AutoGlmMetrics(model);
    }
}
