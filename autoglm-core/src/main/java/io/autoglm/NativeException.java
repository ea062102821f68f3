package io.autoglm;

/** A native llama.cpp call failed. The message names the function, its arguments and the return code. */
public class NativeException extends AutoGLMException {
    private static final long serialVersionUID = 1L;
    private final String function;
    private final long returnCode;

    /**
     * @param function the native function that failed, e.g. {@code llama_decode}
     * @param arguments a short description of the arguments
     * @param returnCode the value it returned
     */
    public NativeException(String function, String arguments, long returnCode) {
        super(function + "(" + arguments + ") failed with return code " + returnCode);
        this.function = function;
        this.returnCode = returnCode;
    }

    /** @return the native function that failed */
    public String function() {
        return function;
    }

    /** @return the value the native function returned */
    public long returnCode() {
        return returnCode;
    }
}
