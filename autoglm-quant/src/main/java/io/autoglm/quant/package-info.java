/**
 * Bit-exact Java ports of ggml's block quantization codecs ({@link io.autoglm.quant.BlockCodec},
 * {@link io.autoglm.quant.BlockCodecs}) and a multi-threaded row quantizer ({@link io.autoglm.quant.RowQuantizer}).
 */
package io.autoglm.quant;
