/**
 * AutoGLM core: the public API ({@code io.autoglm}), the GGUF format ({@code io.autoglm.gguf}),
 * model references and downloads ({@code io.autoglm.hub}) and the backend SPI ({@code io.autoglm.backend}).
 */
module io.autoglm.core {
    requires transitive org.slf4j;
    requires llama;
    requires jdk.management;
    requires java.net.http;

    exports io.autoglm;
    exports io.autoglm.backend;
    exports io.autoglm.gguf;
    exports io.autoglm.grammar;
    exports io.autoglm.hub;
    exports io.autoglm.memory;
    exports io.autoglm.routing;
    exports io.autoglm.validate;
    exports io.autoglm.internal to io.autoglm.quant, io.autoglm.backend.jni;

    uses io.autoglm.backend.InferenceBackend;
    uses io.autoglm.memory.QuantizationProvider;
    uses io.autoglm.routing.EmbeddingProvider;
    provides io.autoglm.backend.InferenceBackend with io.autoglm.backend.ffm.FfmBackend;
}
