package io.autoglm.backend.ffm;

import io.autoglm.internal.AtomicFiles;
import io.autoglm.internal.BundledLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The shim's C++ source ({@code native/shim}, packaged into this jar beside this class) and the
 * command that builds it beside a llama.cpp build. The sources are copied to AutoGLM's cache folder
 * the first time a command is shown, so the command names files that exist on this machine.
 */
final class ShimSource {
    static final String[] FILES = {"autoglm_shim.h", "autoglm_shim.cpp"};

    private ShimSource() {
    }

    /** @return the shim's file name on this platform: {@code libautoglm_shim.so}, {@code .dylib} or {@code autoglm_shim.dll} */
    static String libraryFileName() {
        return System.mapLibraryName("autoglm_shim");
    }

    /**
     * @return the folder holding the extracted {@link #FILES} ({@code <cache>/native/autoglm-shim-ABI}), or null when
     *     they are not packaged or cannot be written
     */
    static Path extract() {
        Path dir = BundledLibrary.cacheDir().resolve("native").resolve("autoglm-shim-" + AbiShim.ABI_VERSION);
        try {
            Files.createDirectories(dir);
            for (String f : FILES) {
                byte[] content;
                try (InputStream in = ShimSource.class.getResourceAsStream(f)) {
                    if (in == null) {
                        return null;
                    }
                    content = in.readAllBytes();
                }
                AtomicFiles.writeIfChanged(dir.resolve(f), content);
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * @param library the libllama file the shim is for
     * @return the one command that compiles the shim into the library's folder; {@code LLAMA_CPP} stands for the
     *     llama.cpp checkout the library was built from
     */
    static String buildCommand(Path library) {
        Path lib = library.toAbsolutePath();
        Path dir = lib.getParent();
        Path src = extract();
        String cpp = src == null ? "<AutoGLM sources>/native/shim/autoglm_shim.cpp" : src.resolve("autoglm_shim.cpp").toString();
        String out = dir.resolve(libraryFileName()).toString();
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("windows")) {
            return "cl /std:c++17 /O2 /EHsc /LD " + cpp + " /I LLAMA_CPP\\include /I LLAMA_CPP\\ggml\\include "
                    + dir.resolve("llama.lib") + " " + dir.resolve("ggml.lib") + " " + dir.resolve("ggml-base.lib") + " /Fe:" + out;
        }
        if (os.contains("mac")) {
            return "clang++ -std=c++17 -O2 -fPIC -dynamiclib -o " + out + " " + cpp
                    + " -I LLAMA_CPP/include -I LLAMA_CPP/ggml/include -L " + dir
                    + " -lllama -lggml -lggml-base -Wl,-rpath,@loader_path";
        }
        return "g++ -std=c++17 -O2 -fPIC -shared -o " + out + " " + cpp + " -I LLAMA_CPP/include -I LLAMA_CPP/ggml/include "
                + lib + " -Wl,-rpath,'$ORIGIN'";
    }
}
