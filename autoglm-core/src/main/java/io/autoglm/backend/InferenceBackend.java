package io.autoglm.backend;

/**
 * A native path that loads GGUF models: the FFM downcalls or the JNI binding. The file has already
 * been accepted by the Java GGUF reader when {@link #load} is called.
 */
public interface InferenceBackend {
    /** @return {@code ffm} or {@code jni} */
    String name();

    /**
     * @param spec what to load and how
     * @return the loaded model
     * @throws io.autoglm.ModelLoadException when the native side refuses the model or cannot start
     */
    BackendModel load(ModelSpec spec);
}
