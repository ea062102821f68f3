package io.autoglm;

/** Why generation ended. */
public enum FinishReason {
    /** A stop string was produced; the text ends before it. */
    STOP,
    /** The maximum number of tokens was reached. */
    LENGTH,
    /** The model produced an end-of-generation token (EOS, EOT, ...). */
    END_OF_GENERATION,
    /** The caller cancelled the request, or the model was closed while it ran. */
    CANCELLED;

    /** @return the OpenAI {@code finish_reason} string: {@code stop}, {@code length} or {@code cancelled} */
    public String openAiName() {
        return switch (this) {
            case STOP, END_OF_GENERATION -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
