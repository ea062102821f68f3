/**
 * Bit-exact Java ports of ggml's block quantization codecs ({@link io.autoglm.quant.BlockCodec},
 * {@link io.autoglm.quant.BlockCodecs}), a multi-threaded row quantizer ({@link io.autoglm.quant.RowQuantizer}) and
 * the GGUF model quantizer with llama.cpp's preset mixes ({@link io.autoglm.quant.ModelQuantizer}).
 */
package io.autoglm.quant;
