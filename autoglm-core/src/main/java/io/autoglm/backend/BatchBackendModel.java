package io.autoglm.backend;

/**
 * A model whose decoding the engine drives step by step: many sequences share one native context
 * and each step is one native decode call ({@link BatchDecoder}).
 */
public interface BatchBackendModel extends BackendModel {
    /**
     * @return the model's decoder; confined to the thread that loaded the model (the engine's decode
     *     thread), like every native call that touches the context
     */
    BatchDecoder decoder();
}
