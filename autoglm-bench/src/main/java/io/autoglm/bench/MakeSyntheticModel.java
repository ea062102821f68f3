package io.autoglm.bench;

import io.autoglm.gguf.GgmlType;
import io.autoglm.testing.SyntheticModels;
import java.nio.file.Path;

/**
 * Writes a random-weight llama (real 32,000-token Llama vocabulary) for the decode and quantizer
 * benchmarks, with the project's GGUF writer. Default shape: 768 embedding, 8 layers, 12 heads,
 * 2048 feed-forward, F16 — about 106M parameters.
 *
 * <pre>{@code
 * java -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.MakeSyntheticModel \
 *      ../shared/models/vocab/ggml-vocab-llama-spm.gguf /tmp/synthetic-100m-f16.gguf [embd layers ff]
 * }</pre>
 */
public final class MakeSyntheticModel {
    private MakeSyntheticModel() {
    }

    /** @param args vocab GGUF, output path, optional embedding length, layers, feed-forward length */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 5) {
            System.err.println("usage: MakeSyntheticModel VOCAB.gguf OUT.gguf [EMBD LAYERS FF]");
            System.exit(2);
        }
        int embd = args.length == 5 ? Integer.parseInt(args[2]) : 768;
        int layers = args.length == 5 ? Integer.parseInt(args[3]) : 8;
        int ff = args.length == 5 ? Integer.parseInt(args[4]) : 2048;
        Path out = Path.of(args[1]);
        SyntheticModels.llama(Path.of(args[0])).embd(embd).layers(layers).heads(12).headsKv(12).ff(ff).context(2048)
                .type(GgmlType.F16).seed(7).write(out);
        System.out.println("wrote " + out);
    }
}
