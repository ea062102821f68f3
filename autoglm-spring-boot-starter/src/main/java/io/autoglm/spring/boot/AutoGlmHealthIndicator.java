package io.autoglm.spring.boot;

import io.autoglm.LanguageModel;
import io.autoglm.ModelInfo;
import io.autoglm.ModelStats;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the loaded model: UP with what is loaded and how busy it is (queued requests, busy
 * sequences, KV cache use), DOWN once the model is closed or cannot report.
 */
public class AutoGlmHealthIndicator implements HealthIndicator {
    private final LanguageModel model;

    /** @param model the model to watch */
    public AutoGlmHealthIndicator(LanguageModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public Health health() {
        ModelInfo info;
        ModelStats stats;
        try {
            info = model.info();
            stats = model.stats();
        } catch (RuntimeException e) {
            return Health.down(e).build();
        }
        return Health.up()
                .withDetail("model", info.name())
                .withDetail("path", info.path().toString())
                .withDetail("backend", info.backend())
                .withDetail("contextSize", info.contextSize())
                .withDetail("parallel", stats.parallel())
                .withDetail("queuedRequests", stats.queuedRequests())
                .withDetail("busySequences", stats.busySequences())
                .withDetail("kvCellsUsed", stats.kvCellsUsed())
                .withDetail("kvCellsTotal", stats.kvCellsTotal())
                .withDetail("precision", info.precisionDecision())
                .build();
    }
}
