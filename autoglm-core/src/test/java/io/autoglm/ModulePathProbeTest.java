package io.autoglm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.ModulePathApp;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The isolation probe from an application on the module path: the probe's child JVM is started with the parent's
 * module path and {@code -m io.autoglm.core/io.autoglm.internal.ProbeMain}, loads the model there, and the parent then
 * generates.
 */
class ModulePathProbeTest {
    static final Map<String, String> SOURCES = Map.of(
            "module-info.java", """
                    module example.probe {
                        requires io.autoglm.core;
                    }
                    """,
            "example/probe/Main.java", """
                    package example.probe;

                    import io.autoglm.AutoGLM;
                    import io.autoglm.CompletionRequest;
                    import io.autoglm.IsolationProbe;
                    import io.autoglm.LanguageModel;
                    import java.nio.file.Path;

                    /** Builds with the probe on every build and generates 8 tokens. */
                    public final class Main {
                        private Main() {
                        }

                        /** @param args model file */
                        public static void main(String[] args) {
                            try (LanguageModel m = AutoGLM.builder().model(Path.of(args[0])).contextSize(128).threads(1)
                                    .embeddings(false).isolationProbe(IsolationProbe.ALWAYS).build()) {
                                System.out.println("text: " + m.complete(CompletionRequest.builder().prompt("Once upon a time")
                                        .maxTokens(8).build()).text());
                            }
                        }
                    }
                    """);

    @TempDir
    Path tmp;

    @Test
    void probe_fromAModulePathApplication_runsItsChildOnTheModulePath() {
        List<Path> modulePath = new ArrayList<>(ModulePathApp.modulePath(ModulePathApp.MODULES));
        modulePath.add(ModulePathApp.compile(tmp, SOURCES, modulePath));
        ModulePathApp.Result r = ModulePathApp.run(List.of("--enable-native-access=io.autoglm.core"), modulePath,
                "example.probe/example.probe.Main", TestModels.stories260K().toString());
        assertThat(r.exit()).as("stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.err()).contains("isolation probe: stories260K.gguf loaded and decoded in a child JVM");
        assertThat(r.out()).contains("text: , there was a little girl");
    }
}
