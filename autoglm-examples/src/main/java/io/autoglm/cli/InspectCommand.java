package io.autoglm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.AutoGLM;
import io.autoglm.gguf.GgufArray;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.GgufValue;
import io.autoglm.gguf.GgufValueType;
import io.autoglm.gguf.TensorInfo;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code autoglm inspect}: describes a GGUF file (read by the Java reader only; nothing native is
 * loaded, so it is also the safe way to look at an untrusted file). With {@code --native-library} it also
 * probes that llama.cpp build (no model is loaded) and reports its release and the seam that serves it.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a GGUF file: architecture, sizes, metadata and tensors (no native code unless --native-library is given).")
final class InspectCommand implements Callable<Integer> {
    /** Array elements shown in a metadata summary. */
    private static final int ARRAY_HEAD = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "REF",
            description = "the model (optional with --native-library): " + ModelOptions.REF_HELP)
    String reference;

    @Option(names = "--offline", description = "never download: use the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--verbose", description = "list every tensor; print stack traces on errors")
    boolean verbose;

    @Option(names = "--native-library", paramLabel = "PATH", arity = "0..1", fallbackValue = DEFAULT_LIBRARY,
            description = "also load and probe a llama.cpp build and report its release and the seam that serves it "
                    + "(bundled layout, known generation, or the AutoGLM shim beside it): this libllama file or folder, "
                    + "or without PATH the one models run on (-Dautoglm.native.library, else AUTOGLM_NATIVE_LIBRARY, "
                    + "else the bundled b4916)")
    String nativeLibrary;

    /** The value of a bare {@code --native-library}: the configured default library. */
    private static final String DEFAULT_LIBRARY = "(default)";

    /** @return the description of the library {@code --native-library} names */
    private String describeLibrary() {
        return AutoGLM.describeNativeLibrary(DEFAULT_LIBRARY.equals(nativeLibrary) ? null : Path.of(nativeLibrary));
    }

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        if (reference == null) {
            if (nativeLibrary == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --model, --native-library or both");
            }
            String library = describeLibrary();
            if (json) {
                ObjectNode o = Json.object();
                o.put("native_library", library);
                Json.print(out, o);
            } else {
                out.printf(Locale.ROOT, "%-18s %s%n", "native_library", library);
                out.flush();
            }
            return 0;
        }
        Path model = ModelOptions.resolve(reference, offline, spec.commandLine().getErr());
        try (GgufFile f = GgufFile.open(model)) {
            ObjectNode o = Json.object();
            o.put("architecture", f.architecture().orElse(null));
            o.put("name", f.name().orElse(model.getFileName().toString()));
            o.put("parameters", f.parameterCount());
            o.put("file_type", f.fileType().orElse(-1));
            o.put("context_length", f.contextLength().orElse(0));
            o.put("embedding_length", f.embeddingLength().orElse(0));
            o.put("block_count", f.blockCount().orElse(0));
            o.put("vocab_size", f.vocabSize());
            o.put("tensor_count", f.tensors().size());
            ArrayNode tensors = o.putArray("tensors");
            for (TensorInfo t : f.tensors()) {
                ObjectNode tn = tensors.addObject();
                tn.put("name", t.name());
                tn.put("type", t.type().name());
                ArrayNode shape = tn.putArray("shape");
                Arrays.stream(t.shape()).forEach(shape::add);
                tn.put("offset", t.absoluteOffset());
            }
            if (nativeLibrary != null) {
                o.put("native_library", describeLibrary());
            }
            ObjectNode meta = o.putObject("metadata");
            for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
                meta.set(e.getKey(), toJson(e.getValue()));
            }
            if (json) {
                Json.print(out, o);
            } else {
                printText(out, o, f);
            }
        }
        return 0;
    }

    private void printText(PrintWriter out, ObjectNode o, GgufFile f) {
        for (String k : new String[] {"architecture", "name", "parameters", "file_type", "context_length",
                "embedding_length", "block_count", "vocab_size", "tensor_count", "native_library"}) {
            if (o.has(k)) {
                out.printf(Locale.ROOT, "%-18s %s%n", k, o.get(k).asText());
            }
        }
        out.printf(Locale.ROOT, "%-18s v%d, alignment %d, data at byte %d, %d bytes%n", "gguf", f.version(), f.alignment(),
                f.dataOffset(), f.fileSize());
        out.println("metadata:");
        o.get("metadata").properties().forEach(e -> out.printf(Locale.ROOT, "  %-40s %s%n", e.getKey(), e.getValue()));
        out.println("tensors:");
        int shown = 0;
        for (TensorInfo t : f.tensors()) {
            if (!verbose && shown++ >= 20) {
                out.printf(Locale.ROOT, "  ... %d more (--verbose lists all)%n", f.tensors().size() - 20);
                break;
            }
            out.printf(Locale.ROOT, "  %-32s %-6s %-24s @%d%n", t.name(), t.type().name(), Arrays.toString(t.shape()),
                    t.absoluteOffset());
        }
        out.flush();
    }

    private static JsonNode toJson(GgufValue v) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        return switch (v.type()) {
            case STRING -> nf.textNode(v.asString());
            case BOOL -> nf.booleanNode(v.asBoolean());
            case FLOAT32, FLOAT64 -> nf.numberNode(v.asDouble());
            case UINT64 -> v.asLong() >= 0 ? nf.numberNode(v.asLong())
                    : nf.numberNode(new BigInteger(Long.toUnsignedString(v.asLong())));
            case ARRAY -> summarise(v.asArray());
            default -> nf.numberNode(v.asLong());
        };
    }

    /** Arrays are summarised: element type, length and the first few elements. */
    private static JsonNode summarise(GgufArray a) {
        ObjectNode o = Json.object();
        o.put("element_type", a.elementType().name());
        o.put("length", a.size());
        ArrayNode head = o.putArray("first");
        for (int i = 0; i < Math.min(ARRAY_HEAD, a.size()); i++) {
            GgufValueType t = a.elementType();
            if (t == GgufValueType.STRING) {
                head.add(a.getString(i));
            } else if (t == GgufValueType.BOOL) {
                head.add(a.getBoolean(i));
            } else if (t.isFloat()) {
                head.add(a.getDouble(i));
            } else if (t.isInteger()) {
                head.add(a.getLong(i));
            } else {
                head.add(summarise(a.getArray(i)));
            }
        }
        return o;
    }
}
