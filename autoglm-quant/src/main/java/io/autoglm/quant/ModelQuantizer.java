package io.autoglm.quant;

import io.autoglm.ModelFormatException;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufWriter;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.internal.Checks;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quantizes a GGUF model into another GGUF file with llama.cpp's preset mixes and per-tensor rules.
 *
 * <pre>{@code
 * QuantizationResult r = ModelQuantizer.builder()
 *         .input(Path.of("model-f16.gguf"))
 *         .output(Path.of("model-q4_k_m.gguf"))
 *         .preset(Quantization.Q4_K_M)          // or .preset("int4")
 *         .threads(4)
 *         .listener(p -> System.out.printf("%.0f%%%n", 100 * p.fraction()))
 *         .build()
 *         .quantize();
 * }</pre>
 *
 * <p>Which tensors are quantized and to what follows current llama.cpp ({@code llama_tensor_get_type}): norms
 * and 1-D tensors are copied; {@code output.weight} (or a tied {@code token_embd.weight}) gets Q6_K; the
 * {@code _M}/{@code _S} mixes give {@code attn_v}/{@code ffn_down} of some layers more bits; a row length that
 * does not divide into the chosen type's blocks falls back (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, Q2_K/Q3_K
 * to Q4_0) and, when nothing fits, to F16. {@link #plan()} shows the choices without writing anything.
 *
 * <p>Tensors are streamed: the worker threads read their rows from the input file with positional reads, convert
 * them in small per-thread buffers and write the results straight to their place in the output, so heap use does
 * not grow with the model (copied tensors come from the memory-mapped input). The output is synced to the device
 * while it is written ({@link Builder#durable(boolean)}). The output goes to a temporary file renamed at the end: a failure,
 * an interrupt of the calling thread or an exception thrown by the listener leaves no output file.
 * An already quantized input is dequantized first (with a warning: precision is lost twice).
 * Metadata is copied; {@code general.file_type} and {@code general.quantization_version} = 2 are set.
 */
public final class ModelQuantizer {
    /** Largest number of elements converted at once. */
    public static final int SLAB_ELEMENTS = 1 << 22;

    private static final Logger LOG = LoggerFactory.getLogger(ModelQuantizer.class);

    private final Path input;
    private final Path output;
    private final Quantization preset;
    private final int threads;
    private final boolean pure;
    private final boolean durable;
    private final QuantizationListener listener;

    private ModelQuantizer(Builder b) {
        this.input = b.input;
        this.output = b.output;
        this.preset = b.preset;
        this.threads = b.threads;
        this.pure = b.pure;
        this.durable = b.durable;
        this.listener = b.listener;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a quantization run. */
    public static final class Builder {
        private Path input;
        private Path output;
        private Quantization preset;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean pure;
        private boolean durable = true;
        private QuantizationListener listener = p -> { };

        private Builder() {
        }

        /** @param v the GGUF model to read (F32, F16, BF16 or quantized) @return this */
        public Builder input(Path v) {
            input = Objects.requireNonNull(v, "input");
            return this;
        }

        /** @param v the file to write; replaced atomically if it exists @return this */
        public Builder output(Path v) {
            output = Objects.requireNonNull(v, "output");
            return this;
        }

        /**
         * @param v a concrete preset (not NONE or AUTO)
         * @return this
         */
        public Builder preset(Quantization v) {
            Objects.requireNonNull(v, "preset");
            if (v == Quantization.NONE || v == Quantization.AUTO) {
                throw new IllegalArgumentException("preset must be a concrete type such as Q4_K_M, was " + v);
            }
            preset = v;
            return this;
        }

        /**
         * @param v a preset name or alias: F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, Q4_K_S, Q4_K_M,
         *          Q5_K_S, Q5_K_M, Q6_K, int8, int4, fp16 (case-insensitive)
         * @return this
         */
        public Builder preset(String v) {
            return preset(Quantization.parse(v));
        }

        /** @param v threads converting rows, 1 to 1024 (default: available processors) @return this */
        public Builder threads(int v) {
            threads = Checks.inRange("threads", v, 1, 1024);
            return this;
        }

        /** @param v true to give every quantizable tensor the preset's base type (llama-quantize --pure) @return this */
        public Builder pure(boolean v) {
            pure = v;
            return this;
        }

        /**
         * @param v false to leave the output to the operating system's write-back instead of forcing it to the device
         *          before the rename (default true; see {@link GgufWriter#durable(boolean)})
         * @return this
         */
        public Builder durable(boolean v) {
            durable = v;
            return this;
        }

        /** @param v progress receiver, called on the quantizing thread @return this */
        public Builder listener(QuantizationListener v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /**
         * @return the quantizer
         * @throws IllegalStateException when input, output or preset is missing, or output equals input
         */
        public ModelQuantizer build() {
            if (input == null || output == null || preset == null) {
                throw new IllegalStateException("input, output and preset are required (input=" + input + ", output=" + output
                        + ", preset=" + preset + ")");
            }
            if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new IllegalStateException("output must differ from input, both were " + input);
            }
            return new ModelQuantizer(this);
        }
    }

    /**
     * Computes the per-tensor types without writing anything.
     *
     * @return one entry per tensor, in output order
     * @throws io.autoglm.ModelLoadException when the input cannot be opened
     * @throws ModelFormatException when the input is not a valid GGUF file
     */
    public List<TensorPlan> plan() {
        try (GgufFile in = GgufFile.open(input)) {
            return plan(in, preset, pure);
        }
    }

    static List<TensorPlan> plan(GgufFile in, Quantization preset, boolean pure) {
        List<TensorInfo> ordered = new ArrayList<>(in.tensors());
        ordered.sort(Comparator.comparing(TensorInfo::name, TensorTypeRules.LOADER_ORDER));
        List<TensorTypeRules.Tensor> ts = new ArrayList<>(ordered.size());
        for (TensorInfo t : ordered) {
            ts.add(new TensorTypeRules.Tensor(t.name(), t.shape(), t.type()));
        }
        List<TensorTypeRules.Choice> choices = TensorTypeRules.plan(facts(in), ts, preset, pure);
        List<TensorPlan> out = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            TensorInfo t = ordered.get(i);
            TensorTypeRules.Choice c = choices.get(i);
            out.add(new TensorPlan(t.name(), t.shape(), t.type(), c.type(), c.quantizable(), c.fallback()));
        }
        return out;
    }

    private static TensorTypeRules.Facts facts(GgufFile in) {
        String arch = in.architecture().orElse("");
        int nLayer = (int) in.blockCount().orElse(0);
        int nHead = firstInt(in, arch + ".attention.head_count", 0);
        int nHeadKv = firstInt(in, arch + ".attention.head_count_kv", nHead);
        int nExpert = firstInt(in, arch + ".expert_count", 0);
        return new TensorTypeRules.Facts(arch, nLayer, nHead, nHeadKv, nExpert);
    }

    /** Reads an integer hparam that some architectures store per layer as an array (first element used). */
    private static int firstInt(GgufFile in, String key, int dflt) {
        GgufValue v = in.get(key).orElse(null);
        if (v == null) {
            return dflt;
        }
        if (v.type().isInteger()) {
            return (int) v.asLong();
        }
        if (v.value() instanceof io.autoglm.gguf.GgufArray a && a.size() > 0 && a.elementType().isInteger()) {
            return (int) a.getLong(0);
        }
        return dflt;
    }

    /**
     * Runs the quantization.
     *
     * @return a summary
     * @throws io.autoglm.ModelLoadException when the input cannot be opened
     * @throws ModelFormatException when the input is not a valid GGUF file
     * @throws QuantizationException when the output cannot be written (the message names the path and the cause),
     *         the input cannot be read while converting, a tensor holds NaN or infinite values, or the thread was
     *         interrupted
     * @throws RuntimeException whatever the listener threw, unchanged
     */
    public QuantizationResult quantize() {
        long start = System.nanoTime();
        try (GgufFile in = GgufFile.open(input); InputChannel reads = InputChannel.open(input);
                RowQuantizer rq = new RowQuantizer(threads)) {
            List<TensorPlan> plan = plan(in, preset, pure);
            GgufWriter w = new GgufWriter().durable(durable);
            for (Map.Entry<String, GgufValue> e : in.metadata().entrySet()) {
                if (!e.getKey().startsWith("split.")) {
                    w.put(e.getKey(), e.getValue());
                }
            }
            w.putUint32("general.quantization_version", 2);
            w.putUint32("general.file_type", preset.fileType());

            long total = 0;
            boolean requantize = false;
            for (TensorPlan p : plan) {
                total += in.tensor(p.name()).orElseThrow().byteSize();
                requantize |= !p.copied() && p.sourceType().isQuantized();
            }
            if (requantize) {
                LOG.warn("{} is already quantized; its quantized tensors are dequantized and quantized again to {}, which loses "
                        + "precision twice: quantize from the F16/BF16/F32 model when you have it", input, preset);
            }
            Map<GgmlType, Integer> perType = new EnumMap<>(GgmlType.class);
            int fallbacks = 0;
            long[] done = {0};
            int[] count = {0};
            long totalBytes = total;
            for (TensorPlan p : plan) {
                TensorInfo t = in.tensor(p.name()).orElseThrow();
                perType.merge(p.targetType(), 1, Integer::sum);
                if (p.fallback()) {
                    fallbacks++;
                    LOG.debug("{}: row length {} does not divide into the chosen type's blocks, using {}", p.name(), t.rowLength(),
                            p.targetType());
                }
                Runnable progress = () -> {
                    done[0] += t.byteSize();
                    count[0]++;
                    listener.onProgress(new QuantizationProgress(count[0], plan.size(), p.name(), p.sourceType(), p.targetType(),
                            done[0], totalBytes));
                };
                if (p.copied()) {
                    w.addTensor(p.name(), p.targetType(), t.shape(), out -> {
                        out.write(in.tensorData(t));
                        progress.run();
                    });
                } else {
                    w.addPositionalTensor(p.name(), p.targetType(), t.shape(), out -> {
                        convert(input, reads.channel(), t, p.targetType(), rq, out);
                        progress.run();
                    });
                }
            }
            if (fallbacks > 0) {
                LOG.warn("{} of {} tensors needed a fallback type because their row length does not divide into {} blocks",
                        fallbacks, plan.size(), preset);
            }
            try {
                w.write(output);
            } catch (InterruptedIOException e) { // GgufWriter reports any I/O failure under an interrupt as this
                Thread.currentThread().interrupt();
                throw new QuantizationException("quantization of " + input + " was interrupted; no output was written", e);
            } catch (AccessDeniedException e) {
                throw new QuantizationException("cannot write " + output + ": permission denied for " + e.getFile()
                        + "; choose a writable folder", e);
            } catch (NoSuchFileException e) {
                throw new QuantizationException("cannot write " + output + ": folder " + e.getFile() + " does not exist", e);
            } catch (IOException e) {
                throw new QuantizationException("cannot write " + output + ": " + e + " (is the disk full?)", e);
            }
            long outBytes;
            try {
                outBytes = Files.size(output);
            } catch (IOException e) {
                outBytes = -1;
            }
            QuantizationResult r = new QuantizationResult(output, preset, perType, fallbacks, in.fileSize(), outBytes,
                    Duration.ofNanos(System.nanoTime() - start));
            LOG.info("quantized {} to {} ({}): {} -> {} bytes in {} ms", input, output, preset, r.inputBytes(), r.outputBytes(),
                    r.elapsed().toMillis());
            return r;
        }
    }

    /** A second, read-only handle on the input for the workers' positional reads (the mapping serves the copies). */
    private record InputChannel(FileChannel channel) implements AutoCloseable {
        static InputChannel open(Path input) {
            try {
                return new InputChannel(FileChannel.open(input, StandardOpenOption.READ));
            } catch (IOException e) {
                throw new QuantizationException("cannot read " + input + ": " + e, e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing the input channel failed", e); // read-only: nothing is lost
            }
        }
    }

    /**
     * Converts one tensor: the workers read their rows from the input and write the converted rows at their place in
     * the output ({@link GgufWriter.PositionalOutput}), in slabs of at most {@value #SLAB_ELEMENTS} elements between
     * which an interrupt is noticed.
     */
    private static void convert(Path input, FileChannel ch, TensorInfo t, GgmlType target, RowQuantizer rq,
            GgufWriter.PositionalOutput out) throws IOException {
        long rowLenL = t.rowLength();
        if (rowLenL > SLAB_ELEMENTS) {
            throw new QuantizationException("tensor " + t.name() + " has rows of " + rowLenL + " elements; at most "
                    + SLAB_ELEMENTS + " are supported");
        }
        int rowLen = (int) rowLenL;
        long rows = t.rowCount();
        int rowsPerSlab = (int) Math.max(1, Math.min(rows, SLAB_ELEMENTS / rowLen));
        BlockCodec dst = BlockCodecs.of(target);
        BlockCodec src = codecFor(t.type(), t);
        long srcRowBytes = t.type().rowSize(rowLen);
        long dstRowBytes = target.rowSize(rowLen);
        // what the output threw, to tell it from a failure to read the input (both arrive as IOException)
        java.util.Set<IOException> writeFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (long r0 = 0; r0 < rows; r0 += rowsPerSlab) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while quantizing " + t.name());
            }
            int n = (int) Math.min(rowsPerSlab, rows - r0);
            long slabStart = r0;
            try {
                rq.convert(ch, t.absoluteOffset() + r0 * srcRowBytes, src, n, rowLen, dst, (first, bytes, len) -> {
                    try {
                        out.write((slabStart + first) * dstRowBytes, ByteBuffer.wrap(bytes, 0, len));
                    } catch (IOException e) {
                        writeFailures.add(e);
                        throw e;
                    }
                });
            } catch (IOException e) {
                if (writeFailures.contains(e) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                throw new QuantizationException("cannot read tensor " + t.name() + " from " + input + " (rows from " + r0
                        + "): " + e, e);
            } catch (IllegalArgumentException e) {
                throw new QuantizationException("cannot quantize tensor " + t.name() + " to " + target + " (rows from " + r0
                        + "): " + e.getMessage(), e);
            }
        }
    }

    private static BlockCodec codecFor(GgmlType src, TensorInfo t) {
        if (!BlockCodecs.isSupported(src)) {
            throw new QuantizationException("tensor " + t.name() + " is " + src + ", which cannot be dequantized in Java; supported: "
                    + BlockCodecs.supported());
        }
        return BlockCodecs.of(src);
    }

    @Override
    public String toString() {
        return "ModelQuantizer[" + input + " -> " + output + ", " + preset + (pure ? ", pure" : "") + (durable ? "" : ", not durable")
                + ", threads=" + threads + "]";
    }
}
