package io.autoglm.langchain4j;

/**
 * What {@link dev.langchain4j.model.chat.request.ToolChoice#AUTO} (and no tool choice at all) means
 * for a request that offers tools. {@code REQUIRED} always forces a tool call and {@code NONE} never
 * offers one, whatever this says.
 */
public enum AutoToolChoice {
    /**
     * The model chooses: a grammar lets it write either a tool call or an answer (plain text, or JSON
     * when a response format asks for it). Right for models trained to call tools.
     */
    MODEL_DECIDES,
    /**
     * A turn that has no tool results yet after the last user message must call a tool (the grammar
     * forces it); once tool results have come back, the model answers and no tool is offered. This
     * is the call-execute-answer loop of LangChain4j's {@code AiServices} made deterministic, so that
     * small models that cannot decide reliably still use the tools.
     */
    CALL_THEN_ANSWER
}
