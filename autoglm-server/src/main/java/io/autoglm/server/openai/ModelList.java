package io.autoglm.server.openai;

import java.util.List;

/**
 * The answer to {@code GET /v1/models}.
 *
 * @param object always {@code list}
 * @param data the models served
 */
public record ModelList(String object, List<Model> data) {
    /**
     * The answer to {@code GET /v1/models/{id}}.
     *
     * @param id the model's name
     * @param object always {@code model}
     * @param created Unix seconds when it was loaded
     * @param ownedBy who serves it
     */
    public record Model(String id, String object, long created, String ownedBy) {
    }
}
