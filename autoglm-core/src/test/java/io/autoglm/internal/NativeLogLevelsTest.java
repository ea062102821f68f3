package io.autoglm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeLogLevelsTest {
    @Test
    void theWarningsEveryLoadOfTheTestModelsPrints_areRoutine() {
        // copied from the log of loading stories260K.gguf with a 128-token context (b4916 and current)
        assertThat(NativeLogLevels.isRoutineWarning(
                "load: bad special token: 'tokenizer.ggml.seperator_token_id' = 4294967295, using default id -1")).isTrue();
        assertThat(NativeLogLevels.isRoutineWarning(
                "load: special_eos_id is not in special_eog_ids - the tokenizer config may be incorrect")).isTrue();
        assertThat(NativeLogLevels.isRoutineWarning(
                "llama_context: n_ctx_per_seq (128) < n_ctx_train (2048) -- the full capacity of the model will not be utilized"))
                .isTrue();
        assertThat(NativeLogLevels.isRoutineWarning(
                "llama_context: n_ctx_seq (128) < n_ctx_train (2048) -- the full capacity of the model will not be utilized"))
                .isTrue();
        assertThat(NativeLogLevels.isRoutineWarning("llama_context: n_batch is less than GGML_KQ_MASK_PAD - increasing to 64"))
                .isTrue();
    }

    @Test
    void otherWarnings_stayWarnings() {
        // a context longer than the model was trained for is a real risk: it stays WARN
        assertThat(NativeLogLevels.isRoutineWarning(
                "llama_context: n_ctx_pre_seq (8192) > n_ctx_train (2048) -- possible training context overflow")).isFalse();
        assertThat(NativeLogLevels.isRoutineWarning(
                "llama_context: n_ctx_seq (8192) > n_ctx_train (2048) -- possible training context overflow")).isFalse();
        assertThat(NativeLogLevels.isRoutineWarning("llama_model_load: tensor 'output.weight' has wrong shape")).isFalse();
        assertThat(NativeLogLevels.isRoutineWarning("ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate")).isFalse();
        assertThat(NativeLogLevels.isRoutineWarning("")).isFalse();
    }

    @Test
    void aBatchWithoutRoomInTheKvCache_isAHandledError_otherErrorsStayErrors() {
        // copied from b4916's log when a micro-batch finds no contiguous cells (the engine splits or evicts)
        assertThat(NativeLogLevels.isHandledError("decode: failed to prepare ubatch")).isTrue();
        assertThat(NativeLogLevels.isHandledError("llama_decode: failed to decode, ret = -3")).isTrue();
        assertThat(NativeLogLevels.isHandledError("llama_model_load: error loading model: missing tensor 'output.weight'"))
                .isFalse();
        assertThat(NativeLogLevels.isHandledError("ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer"))
                .isFalse();
    }
}
