/**
 * Bit-exact Java ports of ggml's block quantization codecs ({@link io.autoglm.quant.BlockCodec},
 * {@link io.autoglm.quant.BlockCodecs}), a multi-threaded row quantizer ({@link io.autoglm.quant.RowQuantizer}),
 * the GGUF model quantizer with llama.cpp's preset mixes ({@link io.autoglm.quant.ModelQuantizer}) and the quality
 * evaluation of a quantized model against its source ({@link io.autoglm.quant.QualityEvaluator}). This module also
 * provides core's {@link io.autoglm.memory.QuantizationProvider}, so {@code Quantization.AUTO} and explicit presets on
 * {@code AutoGLM.builder()} work when it is on the class path.
 */
package io.autoglm.quant;
