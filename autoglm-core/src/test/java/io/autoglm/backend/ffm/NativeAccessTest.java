package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.ModelLoadException;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without native access the backend refuses to load and says how to fix it (checked in a child JVM). */
class NativeAccessTest {
    /** Child JVM entry point: loads a model and prints the exception message. */
    public static void main(String[] args) {
        try {
            new FfmBackend().load(FfmTestSupport.spec(Path.of(args[0]), 1, 64)).close();
            System.out.println("LOADED");
        } catch (ModelLoadException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }

    @Test
    void withoutEnableNativeAccess_loadFailsWithModelLoadExceptionNamingTheFlag() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                NativeAccessTest.class.getName(), TestModels.stories260K().toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("REFUSED").contains("--enable-native-access=ALL-UNNAMED").contains("Backend.JNI");
        assertThat(p.exitValue()).isZero();
    }
}
