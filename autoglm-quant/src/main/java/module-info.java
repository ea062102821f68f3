/** AutoGLM quantization: bit-exact ggml codecs, the GGUF model quantizer and quality evaluation. */
module io.autoglm.quant {
    requires transitive io.autoglm.core;
    requires jdk.incubator.vector;

    exports io.autoglm.quant;

    provides io.autoglm.memory.QuantizationProvider with io.autoglm.quant.internal.QuantizerProvider;
}
