package io.autoglm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.ModulePathApp;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application module that {@code requires io.autoglm.core}, compiled and run on the module path in
 * a child JVM, generates what the class path generates (the JNI backend, a module of its own, has
 * the same test in its module: {@code JniModulePathTest}), with the flags
 * docs/user-guide.md documents, no JDK warning and no WARN line from llama.cpp's routine load chatter.
 */
class ModulePathTest {
    static final String APP = "example.app";
    static final Map<String, String> SOURCES = Map.of(
            "module-info.java", """
                    module example.app {
                        requires io.autoglm.core;
                    }
                    """,
            "example/app/Main.java", """
                    package example.app;

                    import io.autoglm.AutoGLM;
                    import io.autoglm.Backend;
                    import io.autoglm.Completion;
                    import io.autoglm.CompletionRequest;
                    import io.autoglm.LanguageModel;
                    import java.nio.file.Path;

                    /** Generates 16 greedy tokens with the backend named by args[1]. */
                    public final class Main {
                        private Main() {
                        }

                        /** @param args model file, backend (FFM or JNI) */
                        public static void main(String[] args) {
                            try (LanguageModel m = AutoGLM.builder().model(Path.of(args[0])).backend(Backend.valueOf(args[1]))
                                    .contextSize(128).threads(1).build()) {
                                Completion c = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(16).build());
                                System.out.println("app module: " + Main.class.getModule().getName());
                                System.out.println("core module: " + AutoGLM.class.getModule().getName());
                                System.out.println("backend: " + m.info().backend());
                                System.out.println("text: " + c.text().replace("\\n", "\\\\n"));
                            }
                        }
                    }
                    """);

    @TempDir
    static Path tmp;
    static List<Path> modulePath;
    static String classPathText;

    @BeforeAll
    static void build() {
        build(tmp, ModulePathApp.MODULES);
    }

    /**
     * @param workDir an empty folder for the application's sources and classes
     * @param modules the library modules the application runs with, found on this test's class path
     * @param more further module-path entries (jars)
     */
    static void build(Path workDir, List<String> modules, Path... more) {
        tmp = workDir;
        Path stories = TestModels.stories260K();
        modulePath = new java.util.ArrayList<>(ModulePathApp.modulePath(modules));
        modulePath.addAll(List.of(more));
        modulePath.add(ModulePathApp.compile(tmp, SOURCES, modulePath));
        try (LanguageModel m = AutoGLM.builder().model(stories).backend(Backend.FFM).contextSize(128).threads(1).build()) {
            classPathText = m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(16).build()).text();
        }
        assertThat(classPathText).isNotBlank();
    }

    static ModulePathApp.Result run(String nativeAccess, Backend backend) {
        List<String> opts = nativeAccess == null ? List.of() : List.of("--enable-native-access=" + nativeAccess);
        return ModulePathApp.run(opts, modulePath, APP + "/example.app.Main", TestModels.stories260K().toString(), backend.name());
    }

    static void assertGenerated(ModulePathApp.Result r, String backend) {
        assertThat(r.exit()).as("exit; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("app module: " + APP, "core module: io.autoglm.core", "backend: " + backend,
                "text: " + classPathText.replace("\n", "\\n") + "\n");
        assertThat(r.err()).as("no JDK warning (restricted methods, native access)").doesNotContain("WARNING");
        assertThat(r.err()).as("llama.cpp's routine load chatter is not logged at WARN").doesNotContain(" WARN ")
                .doesNotContain("ERROR");
    }

    @Test
    void ffm_onTheModulePath_generatesWhatTheClassPathGenerates() {
        assertGenerated(run("io.autoglm.core", Backend.FFM), "ffm");
    }

    @Test
    void ffm_withoutNativeAccess_failsNamingTheFlagForTheModule() {
        ModulePathApp.Result r = run(null, Backend.FFM);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("ModelLoadException").contains("--enable-native-access=io.autoglm.core");
    }
}
