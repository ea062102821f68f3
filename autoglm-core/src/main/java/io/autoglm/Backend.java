package io.autoglm;

/** The native path a model runs through. Both give identical greedy output. */
public enum Backend {
    /** Direct downcalls into the llama.cpp C API with the JDK's foreign function API (default). */
    FFM,
    /** The {@code de.kherud:llama} JNI binding, for hosts that cannot enable native access for FFM. */
    JNI
}
