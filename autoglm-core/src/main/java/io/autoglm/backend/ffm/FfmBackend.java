package io.autoglm.backend.ffm;

import io.autoglm.ModelLoadException;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.InferenceBackend;
import io.autoglm.backend.ModelSpec;
import io.autoglm.internal.BundledLibrary;
import io.autoglm.internal.Checks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The FFM backend: loads GGUF models through direct {@code java.lang.foreign} downcalls into the
 * llama.cpp C API. The default library is the one bundled in {@code de.kherud:llama} (llama.cpp
 * b4916); {@link ModelSpec#nativeLibrary()} points at another build (a file, or a folder holding
 * {@code libllama}/{@code libjllama}), as do the system property {@value #LIBRARY_PROPERTY} and the
 * environment variable {@value #LIBRARY_ENV}. A build with the AutoGLM shim beside it
 * ({@code libautoglm_shim}, compiled against its own {@code llama.h}; docs/native-seam.md) is served through
 * the shim, whatever its release; without one the library is probed (b4916 or the current ABI generation)
 * and refused with a clear message, naming the command that builds the shim, when its generation is not
 * supported. Needs native access ({@code --enable-native-access=ALL-UNNAMED} on
 * the class path, or the module's name on the module path).
 *
 * <p>Registered as a {@link java.util.ServiceLoader} provider of {@link InferenceBackend}; the engine
 * may also call {@code new FfmBackend()} directly.
 */
public final class FfmBackend implements InferenceBackend {
    /** Creates the backend; it holds no state (libraries are cached per path). */
    public FfmBackend() {
    }

    /** @return {@code ffm} */
    @Override
    public String name() {
        return "ffm";
    }

    /**
     * @param spec what to load and how
     * @return the loaded model, with its context warmed up on the model's decode thread
     * @throws ModelLoadException when native access is disabled, the library is unsupported or the model is refused
     */
    @Override
    public BackendModel load(ModelSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.path(), "spec.path");
        LlamaLibrary lib = library(spec.nativeLibrary());
        checkDevice(lib, spec);
        if (spec.flashAttention() && !lib.abi.offersFlashAttention()) {
            throw new ModelLoadException("flashAttention is offered on the current llama.cpp generation only; " + lib.describe()
                    + " is " + lib.abi.generation() + ": point nativeLibrary (or -D" + LIBRARY_PROPERTY + ", " + LIBRARY_ENV
                    + ") at a current build, or turn flashAttention off");
        }
        Checks.modelFile(spec.path());
        return FfmModel.load(lib, spec);
    }

    /**
     * Loads only a model's vocabulary (no weights, no context): tokenize, detokenize and chat
     * templates work, everything else throws {@link IllegalStateException}. For tokenizer tests and tools.
     */
    static FfmModel loadVocabOnly(Path model, Path nativeLibrary) {
        Objects.requireNonNull(model, "model");
        LlamaLibrary lib = library(nativeLibrary);
        Checks.modelFile(model);
        return FfmModel.loadVocabOnly(lib, model);
    }

    /**
     * Refuses a GPU device the library has no backend for, naming the devices it has and how to get a build that has
     * one.
     */
    static void checkDevice(LlamaLibrary lib, ModelSpec spec) {
        io.autoglm.Device want = spec.device();
        if (want == null || !want.isGpu()) {
            return;
        }
        List<LlamaLibrary.DeviceInfo> devices = lib.devices();
        for (LlamaLibrary.DeviceInfo d : devices) {
            if (d.registry().equalsIgnoreCase(want.registryName())) {
                return;
            }
        }
        throw new ModelLoadException("device " + want + " is not available: the llama.cpp library " + lib.describe()
                + " has " + (devices.isEmpty() ? "no device list" : "only " + devices) + ". Build llama.cpp with "
                + want.cmakeOption() + " and point nativeLibrary (--native-library, AUTOGLM_NATIVE_LIBRARY) at it: "
                + "see native/GPU.md; or use device cpu");
    }

    /**
     * @param nativeLibrary a file or folder, or null for the configured/bundled one
     * @return the ggml devices of that library, as {@code REGISTRY (name, description)}
     * @throws ModelLoadException when it cannot be loaded or is not a supported llama.cpp build
     */
    public static List<String> devices(Path nativeLibrary) {
        return library(nativeLibrary).devices().stream().map(LlamaLibrary.DeviceInfo::toString).toList();
    }

    /** System property naming a llama.cpp build (file or folder) used when the spec names none. */
    public static final String LIBRARY_PROPERTY = "autoglm.native.library";
    /** Environment variable used when neither the spec nor {@link #LIBRARY_PROPERTY} names a library. */
    public static final String LIBRARY_ENV = "AUTOGLM_NATIVE_LIBRARY";

    static LlamaLibrary library(Path nativeLibrary) {
        checkNativeAccess();
        Path chosen = configuredLibrary(nativeLibrary);
        return LlamaLibrary.open(chosen == null ? BundledLibrary.path() : resolveLibrary(chosen));
    }

    /**
     * @param fromSpec the library named by the builder, or null
     * @return the builder's choice, else the system property {@value #LIBRARY_PROPERTY}, else the
     *     environment variable {@value #LIBRARY_ENV}, else null (the bundled b4916)
     */
    static Path configuredLibrary(Path fromSpec) {
        if (fromSpec != null) {
            return fromSpec;
        }
        String prop = System.getProperty(LIBRARY_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop.strip());
        }
        String env = System.getenv(LIBRARY_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env.strip());
        }
        return null;
    }

    /**
     * Loads and probes a llama.cpp library without loading a model (for tools such as {@code autoglm inspect}).
     *
     * @param nativeLibrary a file or folder, or null for the configured/bundled one
     * @return the library's path, llama.cpp release and seam, as {@link io.autoglm.ModelInfo#nativeLibrary()} reports it
     * @throws ModelLoadException when it cannot be loaded or is not a supported llama.cpp build
     */
    public static String describeLibrary(Path nativeLibrary) {
        return library(nativeLibrary).describe();
    }

    static void checkNativeAccess() {
        if (!FfmBackend.class.getModule().isNativeAccessEnabled()) {
            Module m = FfmBackend.class.getModule();
            throw new ModelLoadException("the FFM backend needs native access, which this JVM does not grant to "
                    + (m.isNamed() ? "module " + m.getName() : "the class path") + ": add " + nativeAccessFlag()
                    + " (or use Backend.JNI)");
        }
    }

    /**
     * @return the JVM option that grants this backend native access where it runs: {@code
     *     --enable-native-access=io.autoglm.core} on the module path, {@code =ALL-UNNAMED} on the class path
     */
    public static String nativeAccessFlag() {
        Module m = FfmBackend.class.getModule();
        return "--enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
    }

    /** A file is used as is; a folder is searched for the llama library by its usual names. */
    static Path resolveLibrary(Path p) {
        if (!Files.isDirectory(p)) {
            return p;
        }
        for (String n : List.of("libllama.so", "libllama.dylib", "llama.dll", "libjllama.so", "libjllama.dylib", "jllama.dll")) {
            Path c = p.resolve(n);
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(f -> f.getFileName().toString().startsWith("libllama.") && Files.isRegularFile(f))
                    .sorted().findFirst()
                    .orElseThrow(() -> new ModelLoadException("no llama library (libllama.so, libllama.dylib, llama.dll, "
                            + "libjllama.so) in folder " + p));
        } catch (IOException e) {
            throw new ModelLoadException("cannot list native library folder " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "FfmBackend";
    }
}
