package io.autoglm.validate;

import io.autoglm.ModelFormatException;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a GGUF file, already accepted by the bounds-checked {@link GgufFile} reader, holds values llama.cpp can
 * run without aborting the process: llama.cpp answers many unexpected values with a {@code GGML_ASSERT} or an
 * uncaught C++ exception, which ends the JVM, instead of an error code.
 *
 * <pre>{@code
 * ModelValidator.Report r = ModelValidator.validate(Path.of("model.gguf"));   // throws ModelFormatException
 * System.out.println(r.architecture() + " checked " + r.coverage());
 * }</pre>
 *
 * <p>What is checked, for every file:
 * <ul>
 *   <li><b>keys llama.cpp reads with type assertions</b>: {@code general.alignment}, {@code general.file_type} and
 *       {@code general.quantization_version} UINT32 when present;</li>
 *   <li><b>hyperparameters</b> ({@code <arch>.*}): context length, embedding length and layer count present and
 *       in range (1..512 layers); per-layer values (head counts, feed-forward lengths) scalar or one per layer;
 *       head counts dividing the embedding (unless a key length is given) and KV heads dividing heads; rope
 *       dimensions even and within a head; every float finite, epsilons in (0, 1], rope base and scale &gt; 0;
 *       known rope scaling and pooling types; expert counts consistent;</li>
 *   <li><b>vocabulary</b> ({@code tokenizer.*}): a tokenizer that can tokenize text; token, score and type arrays of
 *       equal length and the element types llama.cpp reads them as; scores not NaN; token types 0..6; unique token
 *       texts; byte tokens spelled {@code <0xHH>}; an SPM vocabulary that can spell every byte; the special-token ids
 *       llama.cpp will use inside the vocabulary (an id outside it is ignored by llama.cpp, which keeps its default:
 *       that default must be inside), and a BOS/EOS token wherever the tokenizer adds one.</li>
 * </ul>
 * and, for files with tensors (a vocab-only file has none):
 * <ul>
 *   <li><b>tensor types by role</b>: 1-D tensors, norms, biases and rope factors F32 (the CPU kernels of current
 *       llama.cpp abort on F16 norms, every generation on quantized or integer ones); matrices one of
 *       {@link #matrixTypes()}, the types the CPU kernels of both supported generations multiply and look up;</li>
 *   <li><b>placement</b>: tensor data 32-byte aligned in the file (ggml uses the mapping in place and asserts it);</li>
 *   <li><b>layers</b>: every {@code blk.N.*} tensor has {@code N < block_count}, and every layer has tensors;</li>
 *   <li><b>the architecture's tensor set</b>, for {@link #describedArchitectures()}: every expected tensor present
 *       with the shape the hyperparameters give, no unexpected tensor, embedding and output rows equal to the
 *       vocabulary size.</li>
 * </ul>
 * Files of other architectures get the generic checks only ({@link Coverage#GENERIC}); llama.cpp still refuses
 * architectures it does not know, with an error rather than an abort.
 *
 * <p>Every refusal is a {@link ModelFormatException} whose message names the key or tensor, its value and what was
 * expected, and the file. Thread-safe; stateless.
 */
public final class ModelValidator {
    private ModelValidator() {
    }

    /** How much of a file the checks could cover. */
    public enum Coverage {
        /** hyperparameters, vocabulary and the architecture's whole tensor set */
        ARCHITECTURE,
        /** hyperparameters, vocabulary and per-role tensor rules; the architecture's tensor set is not described */
        GENERIC,
        /** a file without tensors: hyperparameters and vocabulary */
        VOCABULARY_ONLY
    }

    /**
     * What a successful validation saw.
     *
     * @param architecture {@code general.architecture}
     * @param coverage how much was checked
     * @param tensors tensors checked
     * @param vocabularySize tokens in the vocabulary
     */
    public record Report(String architecture, Coverage coverage, int tensors, int vocabularySize) {
        /** Checks the arguments. */
        public Report {
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(coverage, "coverage");
        }
    }

    /**
     * Validates a file.
     *
     * @param file a GGUF file
     * @return what was checked
     * @throws ModelFormatException when the file is not valid GGUF or holds a value llama.cpp cannot run
     * @throws io.autoglm.ModelLoadException when the file cannot be read
     */
    public static Report validate(Path file) {
        Objects.requireNonNull(file, "file");
        try (GgufFile f = GgufFile.open(file)) {
            long parts = f.metadata().containsKey(SPLIT_COUNT) && f.metadata().get(SPLIT_COUNT).type().isInteger()
                    ? f.metadata().get(SPLIT_COUNT).asLong() : 1;
            if (parts <= 1) {
                return validate(f);
            }
            return new Checker(f, splitTensors(file, f, parts)).run();
        }
    }

    private static final String SPLIT_COUNT = "split.count";
    private static final java.util.regex.Pattern SPLIT_NAME = java.util.regex.Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    /**
     * The tensors of every part of a split model ({@code NAME-0000i-of-0000N.gguf} beside the first part, as
     * llama.cpp looks for them), each part read and checked by the Java reader.
     */
    private static java.util.List<io.autoglm.gguf.TensorInfo> splitTensors(Path first, GgufFile f, long parts) {
        java.util.regex.Matcher m = SPLIT_NAME.matcher(first.getFileName().toString());
        if (!m.matches() || Long.parseLong(m.group(3)) != parts) {
            throw new ModelFormatException(SPLIT_COUNT + " is " + parts + "; expected a file named NAME-00001-of-"
                    + String.format(java.util.Locale.ROOT, "%05d", parts) + ".gguf with its parts beside it (" + first + ")", -1);
        }
        if (parts > 99_999) {
            throw new ModelFormatException(SPLIT_COUNT + " is " + parts + "; expected at most 99999 (" + first + ")", -1);
        }
        java.util.List<io.autoglm.gguf.TensorInfo> all = new java.util.ArrayList<>(f.tensors());
        for (long i = 2; i <= parts; i++) {
            Path part = first.resolveSibling(String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d.gguf", m.group(1), i, parts));
            if (!java.nio.file.Files.isRegularFile(part)) {
                throw new ModelFormatException("part " + i + " of " + parts + " of the split model is missing: " + part, -1);
            }
            try (GgufFile p = GgufFile.open(part)) {
                all.addAll(p.tensors());
            }
        }
        return all;
    }

    /**
     * Validates an open file (only its metadata and tensor infos are read).
     *
     * @param file an open GGUF file
     * @return what was checked
     * @throws ModelFormatException when the file holds a value llama.cpp cannot run
     */
    public static Report validate(GgufFile file) {
        Objects.requireNonNull(file, "file");
        return new Checker(file).run();
    }

    /** @return the architectures whose whole tensor set is checked: {@code llama}, {@code qwen2}, {@code qwen3} */
    public static Set<String> describedArchitectures() {
        return Architectures.names();
    }

    /**
     * @return the tensor types accepted for matrices (and token embeddings): F32, F16, BF16, the legacy, K and IQ
     *     quants and the ternary types; not Q8_1, Q8_K, the integer types or F64, on which llama.cpp's CPU kernels
     *     abort
     */
    public static Set<GgmlType> matrixTypes() {
        return MATRIX_TYPES;
    }

    static final Set<GgmlType> MATRIX_TYPES = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(
            GgmlType.Q8_1, GgmlType.Q8_K, GgmlType.I8, GgmlType.I16, GgmlType.I32, GgmlType.I64, GgmlType.F64)));
}
