package io.autoglm.internal;

import io.autoglm.AutoGLM;
import io.autoglm.AutoGLMException;
import io.autoglm.Backend;
import io.autoglm.CompletionRequest;
import io.autoglm.IsolationProbe;
import io.autoglm.LanguageModel;
import io.autoglm.Quantization;
import io.autoglm.backend.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Child-JVM side of the isolation probe ({@link IsolationProbes}): builds the model through the public
 * {@link AutoGLM} API with the caller's options (and no probe of its own), decodes one token, computes one embedding
 * when the caller wants embeddings, and reports on stdout. A native abort ends this JVM before it reports, which is
 * what the parent looks for. Not API.
 */
public final class ProbeMain {
    static final String PREFIX = "autoglm-probe: ";
    static final String STARTED = "started";
    static final String OK = "ok";
    static final String REFUSED = "refused";
    static final String FAILED = "failed";

    private ProbeMain() {
    }

    static List<String> arguments(ModelSpec s, Path file) {
        List<String> a = new ArrayList<>();
        a.add("model=" + file);
        a.add("backend=" + s.backend().name());
        a.add("threads=" + s.threads());
        a.add("context=" + s.contextSize());
        a.add("batch=" + s.batchSize());
        a.add("gpuLayers=" + s.gpuLayers());
        if (s.nativeLibrary() != null) {
            a.add("nativeLibrary=" + s.nativeLibrary().toAbsolutePath());
        }
        a.add("quantization=" + s.quantization().name());
        if (s.memoryBudgetBytes() > 0) {
            a.add("memoryBudget=" + s.memoryBudgetBytes());
        }
        a.add("embeddings=" + s.embeddings());
        if (s.device() != null) {
            a.add("device=" + s.device().name());
        }
        a.add("flashAttention=" + s.flashAttention());
        return a;
    }

    /**
     * @param args {@code key=value} options as {@link #arguments} writes them
     */
    public static void main(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                o.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        System.out.println(PREFIX + STARTED);
        System.out.flush();
        try {
            AutoGLM.Builder b = AutoGLM.builder().model(Path.of(o.get("model"))).isolationProbe(IsolationProbe.OFF)
                    .backend(Backend.valueOf(o.get("backend"))).threads(Integer.parseInt(o.get("threads")))
                    .contextSize(Integer.parseInt(o.get("context"))).batchSize(Integer.parseInt(o.get("batch")))
                    .gpuLayers(Integer.parseInt(o.get("gpuLayers"))).quantization(Quantization.valueOf(o.get("quantization")))
                    .embeddings(Boolean.parseBoolean(o.get("embeddings")));
            if (o.containsKey("nativeLibrary")) {
                b.nativeLibrary(Path.of(o.get("nativeLibrary")));
            }
            if (o.containsKey("memoryBudget")) {
                b.memoryBudget(Long.parseLong(o.get("memoryBudget")));
            }
            if (o.containsKey("device")) {
                b.device(io.autoglm.Device.valueOf(o.get("device")));
            }
            b.flashAttention(Boolean.parseBoolean(o.getOrDefault("flashAttention", "false")));
            try (LanguageModel m = b.build()) {
                m.complete(CompletionRequest.builder().prompt("Hello, world").maxTokens(1).ignoreEos(true).build());
                if (Boolean.parseBoolean(o.get("embeddings"))) {
                    m.embed("Hello, world");
                }
            }
            System.out.println(PREFIX + OK);
            System.out.flush();
            System.exit(0);
        } catch (AutoGLMException e) {
            System.out.println(PREFIX + REFUSED + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
            System.out.flush();
            System.exit(3);
        } catch (Throwable e) {
            System.out.println(PREFIX + FAILED + " " + e.toString().replace('\n', ' '));
            System.out.flush();
            System.exit(1);
        }
    }
}
