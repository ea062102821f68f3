package io.autoglm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The model builder rejects each bad option at once, naming the parameter, the value and the limit. */
class AutoGLMBuilderTest {
    @Test
    void threads_outsideOneTo512_isRejectedWithRange() {
        assertThatThrownBy(() -> AutoGLM.builder().threads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be in [1, 512], was 0");
        assertThatThrownBy(() -> AutoGLM.builder().threads(513)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be in [1, 512], was 513");
        assertThatCode(() -> AutoGLM.builder().threads(1).threads(512)).doesNotThrowAnyException();
    }

    @Test
    void contextSize_zeroOrInRange_isAccepted_otherValuesRejected() {
        assertThatCode(() -> AutoGLM.builder().contextSize(0).contextSize(16).contextSize(1 << 20))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> AutoGLM.builder().contextSize(15)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextSize must be 0 (model default) or in [16, 1048576], was 15");
        assertThatThrownBy(() -> AutoGLM.builder().contextSize((1 << 20) + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextSize must be 0 (model default) or in [16, 1048576], was 1048577");
    }

    @Test
    void batchSize_outsideOneTo65536_isRejectedWithRange() {
        assertThatThrownBy(() -> AutoGLM.builder().batchSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize must be in [1, 65536], was 0");
        assertThatThrownBy(() -> AutoGLM.builder().batchSize(65537)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize must be in [1, 65536], was 65537");
        assertThatCode(() -> AutoGLM.builder().batchSize(1).batchSize(65536)).doesNotThrowAnyException();
    }

    @Test
    void negativeGpuLayers_isRejected() {
        assertThatThrownBy(() -> AutoGLM.builder().gpuLayers(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpuLayers must be >= 0, was -1");
        assertThatCode(() -> AutoGLM.builder().gpuLayers(0)).doesNotThrowAnyException();
    }

    @Test
    void nonPositiveMemoryBudget_isRejected() {
        assertThatThrownBy(() -> AutoGLM.builder().memoryBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memoryBudget must be > 0 bytes, was 0");
        assertThatCode(() -> AutoGLM.builder().memoryBudget(1)).doesNotThrowAnyException();
    }

    @Test
    void maxQueuedRequestsBelowOne_isRejected() {
        assertThatThrownBy(() -> AutoGLM.builder().maxQueuedRequests(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueuedRequests must be >= 1, was 0");
        assertThatCode(() -> AutoGLM.builder().maxQueuedRequests(1)).doesNotThrowAnyException();
    }

    @Test
    void blankChatTemplate_isRejected_nullIsAllowed() {
        assertThatThrownBy(() -> AutoGLM.builder().chatTemplate(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chatTemplate must not be blank");
        AutoGLM.Builder b = AutoGLM.builder();
        assertThat(b.chatTemplate(null)).isSameAs(b);
    }

    @Test
    void nullPaths_areRejectedNamingTheParameter() {
        assertThatThrownBy(() -> AutoGLM.builder().model((java.nio.file.Path) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("model");
        assertThatThrownBy(() -> AutoGLM.builder().model((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("model");
        assertThatThrownBy(() -> AutoGLM.builder().nativeLibrary(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("nativeLibrary");
    }
}
