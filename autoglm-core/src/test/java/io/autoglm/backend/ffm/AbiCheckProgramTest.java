package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.internal.BundledLibrary;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.Gcc;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds {@code native/abi_check.c} with gcc and runs it on both llama.cpp libraries: the struct
 * sizes a C program measures must equal the Java layouts of each ABI generation. Needs gcc (CI has
 * it: a missing gcc fails there, elsewhere the test is skipped) and x86-64 SysV for the canary.
 */
class AbiCheckProgramTest {
    @TempDir
    static Path dir;
    static Path program;

    @BeforeAll
    static void build() throws Exception {
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (the canary)");
        program = dir.resolve("abi_check");
        Path source = TestModels.projectRoot().resolve("native/abi_check.c");
        Gcc.compile(List.of("-O1", "-Wall", "-o", program.toString(), source.toString(), "-ldl"), "native/abi_check.c");
    }

    record Run(int exit, String out) {
    }

    private static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static Map<String, String> facts(Path library) throws Exception {
        Run r = run(List.of(program.toString(), library.toString()));
        assertThat(r.exit()).as(r.out()).isZero();
        Map<String, String> m = new HashMap<>();
        r.out().lines().filter(l -> l.contains(" ")).forEach(l -> m.put(l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)));
        return m;
    }

    @Test
    void b4916_sizesMeasuredInC_equalTheJavaLayouts() throws Exception {
        Map<String, String> f = facts(BundledLibrary.path());
        assertThat(f).containsEntry("generation", "b4916").containsEntry("llama_version", "absent")
                .containsEntry("llama_model_params", String.valueOf(AbiB4916.ModelParams.LAYOUT.byteSize()))
                .containsEntry("llama_context_params", String.valueOf(AbiB4916.ContextParams.LAYOUT.byteSize()))
                .containsEntry("llama_perf_context_data", String.valueOf(AbiB4916.PerfContextData.LAYOUT.byteSize()))
                .containsEntry("llama_model_quantize_params", "absent");
    }

    @Test
    void current_sizesMeasuredInC_equalTheJavaLayouts_andTheVersionIsWhatJavaReports() throws Exception {
        Path lib = CurrentLlama.libllama();
        Map<String, String> f = facts(lib);
        assertThat(f).containsEntry("generation", "current")
                .containsEntry("llama_model_params", String.valueOf(AbiCurrent.ModelParams.LAYOUT.byteSize()))
                .containsEntry("llama_context_params", String.valueOf(AbiCurrent.ContextParams.LAYOUT.byteSize()))
                .containsEntry("llama_perf_context_data", String.valueOf(AbiCurrent.PerfContextData.LAYOUT.byteSize()))
                .containsEntry("llama_model_quantize_params", "64");
        assertThat(f.get("llama_version")).isEqualTo(FfmBackend.library(lib).abi.version());
    }
}
