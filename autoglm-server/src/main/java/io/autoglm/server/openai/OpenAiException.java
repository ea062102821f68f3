package io.autoglm.server.openai;

import java.util.Objects;

/**
 * A request the OpenAI API answers with an error: the HTTP status and the body
 * {@code {"error":{"message","type","param","code"}}}. Thrown by the parsing and mapping code of this
 * package; a transport turns it into its response. The message names the field, the value and the limit.
 */
public final class OpenAiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    /**
     * @param status HTTP status
     * @param type OpenAI error type ({@code invalid_request_error}, ...)
     * @param param the request field at fault, or null
     * @param code a machine-readable code, or null
     * @param message what is wrong and what to do
     * @param retryAfterSeconds seconds a client should wait before retrying, or 0 for no advice
     */
    public OpenAiException(int status, String type, String param, String code, String message, long retryAfterSeconds) {
        super(Objects.requireNonNull(message, "message"));
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * @param param the field at fault
     * @param message what is wrong
     * @return a 400 {@code invalid_request_error}
     */
    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, null, message, 0);
    }

    /**
     * @param param the field naming something we do not support
     * @param message what is not supported
     * @return a 400 {@code invalid_request_error} with code {@code unsupported_parameter}
     */
    public static OpenAiException unsupported(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, "unsupported_parameter", message, 0);
    }

    /**
     * @param model the model name asked for
     * @return a 404 {@code model_not_found}
     */
    public static OpenAiException modelNotFound(String model) {
        return new OpenAiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it; GET /v1/models lists them", 0);
    }

    /**
     * @param message why
     * @param retryAfterSeconds advice for the client, &gt;= 1
     * @return a 429 {@code rate_limit_exceeded}
     */
    public static OpenAiException rateLimited(String message, long retryAfterSeconds) {
        return new OpenAiException(429, "rate_limit_error", null, "rate_limit_exceeded", message, Math.max(1, retryAfterSeconds));
    }

    /**
     * @param code {@code shutting_down}, {@code model_loading}, ...
     * @param message why
     * @return a 503 {@code server_error} with a retry hint of one second
     */
    public static OpenAiException unavailable(String code, String message) {
        return new OpenAiException(503, "server_error", null, code, message, 1);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the OpenAI error type */
    public String type() {
        return type;
    }

    /** @return the request field at fault, or null */
    public String param() {
        return param;
    }

    /** @return the machine-readable code, or null */
    public String code() {
        return code;
    }

    /** @return seconds to wait before a retry, 0 when there is no advice */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** @return the wire body of this error */
    public ErrorResponse toResponse() {
        return new ErrorResponse(new ErrorResponse.Error(getMessage(), type, param, code));
    }
}
