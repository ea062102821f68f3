package io.autoglm.backend.ffm;

import io.autoglm.Backend;
import io.autoglm.LoadProgressListener;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers of the FFM backend tests. */
final class FfmTestSupport {
    private FfmTestSupport() {
    }

    static ModelSpec spec(Path model, int threads, int ctx) {
        return spec(model, threads, ctx, null, false);
    }

    static ModelSpec spec(Path model, int threads, int ctx, LoadProgressListener progress, boolean embeddings) {
        return new ModelSpec(model, Backend.FFM, threads, ctx, 512, 0, null, Quantization.NONE, -1, null, progress, 16,
                embeddings);
    }

    static FfmModel load(Path model, int threads, int ctx) {
        return (FfmModel) new FfmBackend().load(spec(model, threads, ctx));
    }

    /** Result of a generation with its tokens. */
    record Run(List<Integer> tokens, GenerationResult result) {
        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static Run generate(FfmModel m, int[] prompt, SamplingParams p, int max, boolean ignoreEos, String grammar) {
        List<Integer> out = new ArrayList<>();
        GenerationResult r = m.generate(new GenerationSpec(prompt, p, max, ignoreEos, grammar), t -> {
            out.add(t);
            return true;
        });
        return new Run(out, r);
    }

    static String text(FfmModel m, int[] tokens) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            b.writeBytes(m.tokenBytes(t));
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
