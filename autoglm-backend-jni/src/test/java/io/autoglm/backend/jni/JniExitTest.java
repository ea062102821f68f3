package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * de.kherud:llama 4.2.0 leaves a non-daemon thread attached to the JVM after {@code close()}; the
 * JNI backend's watchdog must still let a program end when its main method returns. Runs a child JVM.
 */
class JniExitTest {
    @TempDir
    Path tmp;

    private Process start(boolean watchdog, Path out, Path err) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.logFile=System.out",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
                "-Dautoglm.jni.exitWatchdog=" + watchdog));
        String cache = System.getProperty("autoglm.cache.dir");
        if (cache != null) {
            cmd.add("-Dautoglm.cache.dir=" + cache);
        }
        cmd.add(JniExitMain.class.getName());
        cmd.add(TestModels.stories260K().toString());
        return new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    @Test
    void jvm_exitsByItself_afterLoadGenerateClose() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = start(true, out, err);
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(exited).as("child JVM exited by itself; stdout:%n%s%nstderr:%n%s", stdout, stderr).isTrue();
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(stdout).contains("generated 8").contains("main returns");
        assertThat(stderr).as("nothing printed to stderr by the native side").isEmpty();
    }

    @Test
    void withoutWatchdog_theBindingsThreadKeepsTheJvmAlive() throws Exception {
        Path out = tmp.resolve("out2.txt");
        Path err = tmp.resolve("err2.txt");
        Process p = start(false, out, err);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out, StandardCharsets.UTF_8).contains("main returns") && System.nanoTime() < deadline
                    && p.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(out, StandardCharsets.UTF_8)).contains("main returns");
            // main has returned, yet the JVM keeps waiting for de.kherud's attached server thread
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("the trap this backend works around is still there").isFalse();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
