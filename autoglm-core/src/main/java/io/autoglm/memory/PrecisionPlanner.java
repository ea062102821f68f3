package io.autoglm.memory;

import io.autoglm.AutoGLMException;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.internal.BundledLibrary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the precision a model runs at for a memory budget and, when needed, produces the quantized copy.
 *
 * <p>The need of a candidate is its tensor bytes (as stored, or as {@link QuantizationProvider#estimateWeightBytes}
 * computes them for a preset) plus an F16 KV cache of {@code n_layer x n_ctx x (n_embd_k_gqa + n_embd_v_gqa) x 2}
 * bytes plus an overhead of {@value #FIXED_OVERHEAD_BYTES} bytes and 5% of the weights (compute buffers, logits,
 * runtime). For {@link Quantization#AUTO} the candidates are, most precise first: the file as stored, then those of
 * {@link #AUTO_LADDER} that are smaller than the stored tensors; the first that fits wins. An explicit preset is
 * used as asked (checked against the budget only when one was set explicitly). A quantized copy is written to
 * {@code <cache>/models/<sha256 of the source>-<preset>.gguf} and reused when it already exists.
 */
public final class PrecisionPlanner {
    /** Fixed part of the overhead allowance, in bytes (64 MiB). */
    public static final long FIXED_OVERHEAD_BYTES = 64L << 20;

    /** Presets AUTO considers, most precise first. */
    public static final List<Quantization> AUTO_LADDER = List.of(Quantization.F16, Quantization.Q8_0, Quantization.Q6_K,
            Quantization.Q5_K_M, Quantization.Q4_K_M, Quantization.Q3_K_M, Quantization.Q2_K);

    private static final Logger LOG = LoggerFactory.getLogger(PrecisionPlanner.class);

    private final Optional<QuantizationProvider> provider;
    private final Path cacheDir;

    private PrecisionPlanner(Optional<QuantizationProvider> provider, Path cacheDir) {
        this.provider = provider;
        this.cacheDir = cacheDir;
    }

    /** @return a planner using the {@link ServiceLoader} provider (if any) and {@code BundledLibrary.cacheDir()/models} */
    public static PrecisionPlanner create() {
        return new PrecisionPlanner(findProvider(), BundledLibrary.cacheDir().resolve("models"));
    }

    /**
     * @param cacheDir folder for quantized copies
     * @return a planner using the {@link ServiceLoader} provider (if any) and the given cache folder
     */
    public static PrecisionPlanner create(Path cacheDir) {
        return new PrecisionPlanner(findProvider(), Objects.requireNonNull(cacheDir, "cacheDir"));
    }

    /** @return true when a {@link QuantizationProvider} (autoglm-quant) was found */
    public boolean canQuantize() {
        return provider.isPresent();
    }

    /** @return the folder holding quantized copies */
    public Path cacheDir() {
        return cacheDir;
    }

    private static Optional<QuantizationProvider> findProvider() {
        try {
            for (QuantizationProvider p : ServiceLoader.load(QuantizationProvider.class, PrecisionPlanner.class.getClassLoader())) {
                return Optional.of(p);
            }
        } catch (ServiceConfigurationError e) {
            LOG.warn("ignoring a broken QuantizationProvider: {}", e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Decides without writing anything.
     *
     * @param model the GGUF model
     * @param requested AUTO or a concrete preset ({@code NONE} is returned as stored)
     * @param contextSize context in tokens, 0 for the model's trained length
     * @param budgetBytes the budget, or a value &lt;= 0 to measure available memory
     * @return the decision; {@link PrecisionDecision#file()} is the source or the (maybe not yet written) cache file
     * @throws ModelLoadException when nothing fits (naming the smallest budget that would), or autoglm-quant is needed
     *                            but missing
     */
    public PrecisionDecision decide(Path model, Quantization requested, int contextSize, long budgetBytes) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requested, "requested");
        if (contextSize < 0) {
            throw new IllegalArgumentException("contextSize must be >= 0, was " + contextSize);
        }
        boolean explicitBudget = budgetBytes > 0;
        long budget;
        String budgetSource;
        if (explicitBudget) {
            budget = budgetBytes;
            budgetSource = "memoryBudget";
        } else {
            MemoryProbe.Available a = MemoryProbe.available();
            budget = a.bytes();
            budgetSource = a.source();
        }
        long storedBytes;
        int ctx;
        long kv;
        try (GgufFile f = GgufFile.open(model)) {
            storedBytes = 0;
            for (TensorInfo t : f.tensors()) {
                storedBytes += t.byteSize();
            }
            ctx = contextSize > 0 ? contextSize : (int) Math.min(Integer.MAX_VALUE, f.contextLength().orElse(2048));
            kv = kvCacheBytes(f, ctx);
        }
        if (requested == Quantization.NONE) {
            return decision(requested, Quantization.NONE, storedBytes, kv, budget, budgetSource, ctx, model, model);
        }
        if (requested != Quantization.AUTO) {
            QuantizationProvider p = requireProvider(requested);
            long w = p.estimateWeightBytes(model, requested);
            PrecisionDecision d = decision(requested, requested, w, kv, budget, budgetSource, ctx, model,
                    cacheFile(model, requested));
            if (d.requiredBytes() > budget) {
                if (explicitBudget) {
                    throw new ModelLoadException(String.format(Locale.ROOT,
                            "%s needs %s (weights %s + KV cache %s + overhead %s) but memoryBudget is %s; "
                                    + "the smallest budget that works for %s is %d bytes", requested, PrecisionDecision.mib(d.requiredBytes()),
                            PrecisionDecision.mib(w), PrecisionDecision.mib(kv), PrecisionDecision.mib(d.overheadBytes()),
                            PrecisionDecision.mib(budget), requested, d.requiredBytes()));
                }
                LOG.warn("{} needs {} but only {} seem available ({})", requested, PrecisionDecision.mib(d.requiredBytes()),
                        PrecisionDecision.mib(budget), budgetSource);
            }
            return d;
        }
        // AUTO
        PrecisionDecision stored = decision(requested, Quantization.NONE, storedBytes, kv, budget, budgetSource, ctx, model, model);
        if (stored.requiredBytes() <= budget) {
            return stored;
        }
        QuantizationProvider p = provider.orElseThrow(() -> new ModelLoadException(String.format(Locale.ROOT,
                "the model needs %s as stored but the budget is %s (%s); quantizing it to fit needs autoglm-quant "
                        + "on the class path", PrecisionDecision.mib(stored.requiredBytes()), PrecisionDecision.mib(budget),
                budgetSource)));
        List<PrecisionDecision> tried = new ArrayList<>();
        for (Quantization q : AUTO_LADDER) {
            long w = p.estimateWeightBytes(model, q);
            if (w >= storedBytes) {
                continue;
            }
            PrecisionDecision d = decision(requested, q, w, kv, budget, budgetSource, ctx, model, model);
            if (d.requiredBytes() <= budget) {
                return decision(requested, q, w, kv, budget, budgetSource, ctx, model, cacheFile(model, q));
            }
            tried.add(d);
        }
        PrecisionDecision smallest = stored;
        for (PrecisionDecision d : tried) {
            if (d.requiredBytes() < smallest.requiredBytes()) {
                smallest = d;
            }
        }
        throw new ModelLoadException(String.format(Locale.ROOT,
                "no precision fits the memory budget of %s (%s) at context %d; the smallest need is %s with %s "
                        + "(weights %s + KV cache %s + overhead %s): the smallest budget that would work is %d bytes",
                PrecisionDecision.mib(budget), budgetSource, ctx, PrecisionDecision.mib(smallest.requiredBytes()),
                smallest.chosen() == Quantization.NONE ? "the file as stored" : smallest.chosen().name(),
                PrecisionDecision.mib(smallest.weightBytes()), PrecisionDecision.mib(kv),
                PrecisionDecision.mib(smallest.overheadBytes()), smallest.requiredBytes()));
    }

    /**
     * Decides and, when the decision is a quantized copy that is not in the cache yet, writes it.
     *
     * @param model the GGUF model
     * @param requested AUTO or a concrete preset
     * @param contextSize context in tokens, 0 for the model's trained length
     * @param budgetBytes the budget, or a value &lt;= 0 to measure available memory
     * @param threads quantizer threads, at least 1
     * @return the decision; its {@link PrecisionDecision#file()} exists
     * @throws ModelLoadException as {@link #decide}, or when quantizing fails
     */
    public PrecisionDecision resolve(Path model, Quantization requested, int contextSize, long budgetBytes, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        PrecisionDecision d = decide(model, requested, contextSize, budgetBytes);
        if (d.quantized()) {
            if (Files.isRegularFile(d.file())) {
                LOG.info("reusing the cached {} copy {}", d.chosen(), d.file());
            } else {
                QuantizationProvider p = requireProvider(d.chosen());
                try {
                    Files.createDirectories(d.file().getParent());
                } catch (IOException e) {
                    throw new ModelLoadException("cannot create the model cache folder " + d.file().getParent() + ": " + e, e);
                }
                LOG.info("quantizing {} to {} into {}", model, d.chosen(), d.file());
                long t0 = System.nanoTime();
                try {
                    p.quantize(model, d.file(), d.chosen(), threads);
                } catch (AutoGLMException e) {
                    throw new ModelLoadException("quantizing " + model + " to " + d.chosen() + " failed: " + e.getMessage(), e);
                }
                LOG.info("quantized {} to {} in {} s", model.getFileName(), d.chosen(),
                        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            }
        }
        LOG.info("precision: {}", d.summary());
        return d;
    }

    private QuantizationProvider requireProvider(Quantization q) {
        return provider.orElseThrow(() -> new ModelLoadException("quantization " + q.name().toLowerCase(Locale.ROOT)
                + " needs autoglm-quant on the class path"));
    }

    private static PrecisionDecision decision(Quantization requested, Quantization chosen, long weights, long kv, long budget,
            String budgetSource, int ctx, Path source, Path file) {
        long overhead = FIXED_OVERHEAD_BYTES + weights / 20;
        return new PrecisionDecision(requested, chosen, weights, kv, overhead, budget, budgetSource, ctx, source, file);
    }

    /**
     * F16 KV cache size: {@code n_layer x n_ctx x (n_embd_k_gqa + n_embd_v_gqa) x 2} bytes, with
     * {@code n_embd_k_gqa = key_length x head_count_kv} (key_length defaults to embedding_length / head_count).
     *
     * @param f the model
     * @param contextSize tokens
     * @return bytes
     */
    public static long kvCacheBytes(GgufFile f, int contextSize) {
        String arch = f.architecture().orElse("llama");
        long nLayer = f.blockCount().orElse(0);
        long nEmbd = f.embeddingLength().orElse(0);
        long nHead = Math.max(1, f.headCount().orElse(1));
        long nHeadKv = f.getLong(arch + ".attention.head_count_kv").orElse(nHead);
        long keyLen = f.getLong(arch + ".attention.key_length").orElse(nEmbd / nHead);
        long valLen = f.getLong(arch + ".attention.value_length").orElse(nEmbd / nHead);
        return nLayer * contextSize * (keyLen * nHeadKv + valLen * nHeadKv) * 2;
    }

    private Path cacheFile(Path model, Quantization q) {
        return cacheDir.resolve(sourceHash(model) + "-" + q.name() + ".gguf");
    }

    /** Hashes of sources already seen by this JVM, keyed by path, size and modification time. */
    private static final java.util.Map<String, String> HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String sourceHash(Path model) {
        String key;
        try {
            key = model.toAbsolutePath().normalize() + "|" + Files.size(model) + "|" + Files.getLastModifiedTime(model).toMillis();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + model + ": " + e, e);
        }
        return HASHES.computeIfAbsent(key, k -> sha256(model));
    }

    /**
     * @param file a file
     * @return its SHA-256 as lower-case hex, read in 1 MiB chunks
     */
    public static String sha256(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + " to hash it: " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
