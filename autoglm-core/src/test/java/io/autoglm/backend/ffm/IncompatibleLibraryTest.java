package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.Gcc;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Libraries that look like llama.cpp but are not a generation this backend drives are refused by
 * the probe with a message naming what was probed, before any of their functions (other than the
 * default-params canary) runs: fake libraries built with gcc that export the llama.cpp symbol names,
 * with default-params structs of the wrong size. Needs gcc (a failure on CI, a skip elsewhere).
 */
class IncompatibleLibraryTest {
    @TempDir
    Path dir;

    private Path fakeLibrary(String name, Set<String> symbols, int modelParamsSize, int contextParamsSize) throws Exception {
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (the canary)");
        StringBuilder c = new StringBuilder("#include <string.h>\n");
        for (String s : symbols) {
            if (s.equals("llama_model_default_params")) {
                c.append("void *").append(s).append("(void *out) { memset(out, 0, ").append(modelParamsSize).append("); return out; }\n");
            } else if (s.equals("llama_context_default_params")) {
                c.append("void *").append(s).append("(void *out) { memset(out, 0, ").append(contextParamsSize).append("); return out; }\n");
            } else if (s.equals("llama_version")) {
                c.append("const char *llama_version(void) { return \"9.9.9-fake\"; }\n");
            } else {
                c.append("void ").append(s).append("(void) { __builtin_trap(); }\n"); // must never be called
            }
        }
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, c);
        Path lib = dir.resolve("lib" + name + ".so");
        Gcc.compile(List.of("-shared", "-fPIC", "-o", lib.toString(), src.toString()), "fake library " + name);
        return lib;
    }

    private static Set<String> currentSymbols() {
        Set<String> s = new LinkedHashSet<>(Abi.COMMON_SYMBOLS);
        s.addAll(List.of(AbiCurrent.REQUIRED));
        s.add("llama_version");
        return s;
    }

    @Test
    void currentLookingLibrary_withAnotherContextParamsSize_isRefusedNamingTheSizes() throws Exception {
        Path lib = fakeLibrary("llama_future", currentSymbols(), 80, 176);
        assertThatThrownBy(() -> LlamaLibrary.open(lib)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("current ABI generation").hasMessageContaining("llama_context_params is 176 bytes, expected 160")
                .hasMessageContaining("llama_version() \"9.9.9-fake\"").hasMessageContaining("llama_get_memory present");
        // through the public API the same refusal is a ModelLoadException too, and the JVM is fine
        Path stories = TestModels.stories260K();
        try {
            assertThatThrownBy(() -> AutoGLM.builder().model(stories).backend(Backend.FFM).nativeLibrary(lib)
                    .build()).isInstanceOf(ModelLoadException.class).hasMessageContaining("incompatible");
        } finally {
            try (LanguageModel m = AutoGLM.builder().model(TestModels.stories260K()).backend(Backend.FFM).threads(1)
                    .contextSize(64).embeddings(false).build()) {
                assertThat(m.tokenize("Hi")).isNotEmpty();
            }
        }
    }

    @Test
    void currentLookingLibrary_lackingTheThreadpoolApi_isRefusedNamingWhatIsMissing() throws Exception {
        Set<String> s = currentSymbols();
        s.remove("llama_attach_threadpool");
        s.remove("ggml_backend_load_all_from_path");
        Path lib = fakeLibrary("llama_partial", s, 80, 160);
        assertThatThrownBy(() -> LlamaLibrary.open(lib)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("lacks").hasMessageContaining("llama_attach_threadpool")
                .hasMessageContaining("ggml_backend_load_all_from_path");
    }

    @Test
    void b4916LookingLibrary_withAnotherModelParamsSize_isRefused() throws Exception {
        Set<String> s = new LinkedHashSet<>(Abi.COMMON_SYMBOLS);
        s.add("llama_kv_self_clear");
        Path lib = fakeLibrary("llama_old", s, 72, 120);
        assertThatThrownBy(() -> LlamaLibrary.open(lib)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("b4916 ABI generation").hasMessageContaining("llama_model_params is 72 bytes, expected 64");
    }

    @Test
    void libraryWithVersionButNoMemoryApi_isAnUnknownAbi() throws Exception {
        Set<String> s = new LinkedHashSet<>(Abi.COMMON_SYMBOLS);
        s.add("llama_version");
        Path lib = fakeLibrary("llama_odd", s, 80, 160);
        assertThatThrownBy(() -> LlamaLibrary.open(lib)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown llama.cpp ABI").hasMessageContaining("llama_get_memory absent");
    }
}
