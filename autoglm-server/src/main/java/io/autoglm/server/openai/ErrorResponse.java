package io.autoglm.server.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every error: {@code {"error":{"message","type","param","code"}}} ({@code param} and
 * {@code code} are {@code null} when they do not apply, as OpenAI sends them).
 *
 * @param error the error
 */
public record ErrorResponse(Error error) {
    /**
     * @param message what is wrong
     * @param type OpenAI error type
     * @param param the field at fault, or null
     * @param code machine-readable code, or null
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {
    }
}
