package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelLoadException;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.Gcc;
import io.autoglm.testing.fixtures.NativeLibs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shim is checked before anything of it runs beyond its self-description: one of another shim ABI, one linked
 * against another libllama, one compiled against another llama.h (struct sizes that differ from the library's)
 * and one missing functions are each refused with a message that names the difference and the command that
 * rebuilds it. Without a shim, an unknown llama.cpp ABI is refused naming that command, whose source files
 * exist. Fake libraries built with gcc (their other functions trap if called).
 */
class ShimRefusalTest {
    @TempDir
    Path dir;

    /** a fake libllama with every symbol the probe looks at; default params of 80/160 bytes */
    private Path fakeLlama(Path folder) throws Exception {
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (the canary)");
        Set<String> symbols = new LinkedHashSet<>(Abi.COMMON_SYMBOLS);
        symbols.addAll(AbiShim.DIRECT_SYMBOLS);
        symbols.add("llama_get_memory");
        StringBuilder c = new StringBuilder("#include <string.h>\n");
        for (String s : symbols) {
            if (s.equals("llama_model_default_params")) {
                c.append("void *").append(s).append("(void *out) { memset(out, 0, 80); return out; }\n");
            } else if (s.equals("llama_context_default_params")) {
                c.append("void *").append(s).append("(void *out) { memset(out, 0, 160); return out; }\n");
            } else {
                c.append("void ").append(s).append("(void) { __builtin_trap(); }\n");
            }
        }
        Files.createDirectories(folder);
        Path src = folder.resolve("fake_llama.c");
        Files.writeString(src, c);
        Path lib = folder.resolve("libllama.so");
        Gcc.compile(List.of("-shared", "-fPIC", "-o", lib.toString(), src.toString()), "fake libllama");
        return lib;
    }

    /** a fake shim beside {@code llama}: ABI {@code abi}, header sizes, bound to {@code boundTo}, without {@code omit} */
    private void fakeShim(Path llama, int abi, int modelSize, int contextSize, String boundTo, String omit) throws Exception {
        StringBuilder c = new StringBuilder("#include <stdint.h>\n");
        for (String s : AbiShim.SHIM_SYMBOLS) {
            if (s.equals(omit)) {
                continue;
            }
            switch (s) {
                case "autoglm_shim_abi_version" -> c.append("int32_t ").append(s).append("(void) { return ").append(abi).append("; }\n");
                case "autoglm_shim_header_size" -> c.append("int32_t ").append(s).append("(int32_t w) { return w == 0 ? ")
                        .append(modelSize).append(" : w == 1 ? ").append(contextSize).append(" : w == 2 ? 56 : -1; }\n");
                case "autoglm_shim_llama_path" -> c.append("const char *").append(s).append("(void) { return \"").append(boundTo)
                        .append("\"; }\n");
                case "autoglm_shim_llama_release", "autoglm_shim_features" -> c.append("const char *").append(s)
                        .append("(void) { return \"fake\"; }\n");
                default -> c.append("void ").append(s).append("(void) { __builtin_trap(); }\n");
            }
        }
        Path src = llama.getParent().resolve("fake_shim.c");
        Files.writeString(src, c);
        Gcc.compile(List.of("-shared", "-fPIC", "-o", llama.resolveSibling("libautoglm_shim.so").toString(), src.toString()),
                "fake shim");
    }

    @Test
    void shimOfAnotherAbiVersion_isRefused() throws Exception {
        Path llama = fakeLlama(dir.resolve("a"));
        fakeShim(llama, 2, 80, 160, llama.toString(), null);
        assertThatThrownBy(() -> LlamaLibrary.open(llama)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("has shim ABI 2, this AutoGLM needs 1").hasMessageContaining("rebuild it with: g++ ");
    }

    @Test
    void shimCompiledAgainstAnotherLlamaH_isRefusedNamingBothSizes() throws Exception {
        Path llama = fakeLlama(dir.resolve("b"));
        fakeShim(llama, 1, 72, 160, llama.toString(), null);
        assertThatThrownBy(() -> LlamaLibrary.open(llama)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("compiled against a llama.h whose llama_model_params is 72 bytes")
                .hasMessageContaining("has 80 bytes").hasMessageContaining("another llama.cpp checkout");
    }

    @Test
    void shimLinkedAgainstAnotherLibllama_isRefused() throws Exception {
        Path llama = fakeLlama(dir.resolve("c"));
        Path other = NativeLibs.foreignLibrary();
        fakeShim(llama, 1, 80, 160, other.toString(), null);
        assertThatThrownBy(() -> LlamaLibrary.open(llama)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("is bound to " + other).hasMessageContaining("linked against another libllama");
    }

    @Test
    void shimMissingAFunction_isRefusedNamingIt() throws Exception {
        Path llama = fakeLlama(dir.resolve("d"));
        fakeShim(llama, 1, 80, 160, llama.toString(), "autoglm_decode");
        assertThatThrownBy(() -> LlamaLibrary.open(llama)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("lacks [autoglm_decode]");
    }

    @Test
    void unknownAbiWithoutShim_isRefusedWithTheShimsBuildCommand_whoseSourceExists() throws Exception {
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (the canary)");
        // a llama.cpp of the current generation whose context params grew again, and no shim beside it
        Set<String> symbols = new LinkedHashSet<>(Abi.COMMON_SYMBOLS);
        symbols.addAll(List.of(AbiCurrent.REQUIRED));
        StringBuilder c = new StringBuilder("#include <string.h>\n");
        for (String s : symbols) {
            c.append(switch (s) {
                case "llama_model_default_params" -> "void *" + s + "(void *out) { memset(out, 0, 80); return out; }\n";
                case "llama_context_default_params" -> "void *" + s + "(void *out) { memset(out, 0, 176); return out; }\n";
                default -> "void " + s + "(void) { __builtin_trap(); }\n";
            });
        }
        Path src = dir.resolve("future.c");
        Files.writeString(src, c);
        Path lib = dir.resolve("libllama.so");
        Gcc.compile(List.of("-shared", "-fPIC", "-o", lib.toString(), src.toString()), "fake future libllama");
        assertThatThrownBy(() -> LlamaLibrary.open(lib)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("llama_context_params is 176 bytes, expected 160")
                .hasMessageContaining("to use this build, compile the AutoGLM shim beside it")
                .satisfies(e -> {
                    Matcher m = Pattern.compile("g\\+\\+ -std=c\\+\\+17 -O2 -fPIC -shared -o (\\S+) (\\S+autoglm_shim\\.cpp) "
                            + "-I LLAMA_CPP/include -I LLAMA_CPP/ggml/include (\\S+) -Wl,-rpath,'\\$ORIGIN'").matcher(e.getMessage());
                    assertThat(m.find()).as(e.getMessage()).isTrue();
                    assertThat(Path.of(m.group(1))).isEqualTo(dir.resolve("libautoglm_shim.so"));
                    assertThat(Path.of(m.group(2))).isRegularFile();
                    assertThat(Files.readString(Path.of(m.group(2)))).contains("autoglm_decode");
                    assertThat(Path.of(m.group(2)).resolveSibling("autoglm_shim.h")).isRegularFile();
                    assertThat(Path.of(m.group(3))).isEqualTo(lib.toRealPath());
                });
    }
}
