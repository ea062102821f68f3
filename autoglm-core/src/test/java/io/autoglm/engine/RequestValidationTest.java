package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.CompletionRequest;
import io.autoglm.SamplingParams;
import org.junit.jupiter.api.Test;

/** Invalid sampling and request values are rejected by the builders, naming parameter and value. */
class RequestValidationTest {
    @Test
    void negativeTemperature_isRejected() {
        assertThatThrownBy(() -> SamplingParams.builder().temperature(-1f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature").hasMessageContaining("-1.0");
    }

    @Test
    void topPAboveOne_isRejected() {
        assertThatThrownBy(() -> SamplingParams.builder().topP(1.5f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topP").hasMessageContaining("1.5");
    }

    @Test
    void nonPositiveMaxTokens_andEmptyStop_areRejected() {
        assertThatThrownBy(() -> CompletionRequest.builder().maxTokens(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> CompletionRequest.builder().stop("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderWithoutModel_isIllegalState() {
        assertThatThrownBy(() -> AutoGLM.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model");
    }
}
