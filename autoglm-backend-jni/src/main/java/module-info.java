/**
 * AutoGLM's optional JNI backend: loads GGUF models through the {@code de.kherud:llama} binding for
 * hosts that cannot grant native access to the FFM backend. Found through {@link java.util.ServiceLoader};
 * select it with {@code AutoGLM.builder().backend(Backend.JNI)}.
 */
module io.autoglm.backend.jni {
    requires io.autoglm.core;
    requires llama;
    requires org.slf4j;

    provides io.autoglm.backend.InferenceBackend with io.autoglm.backend.jni.JniBackend;
}
