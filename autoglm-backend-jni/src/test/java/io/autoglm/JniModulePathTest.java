package io.autoglm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.backend.jni.JniBackend;
import io.autoglm.testing.ModulePathApp;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModulePathTest}'s application, run on the module path with the JNI backend: the optional
 * module {@code io.autoglm.backend.jni} (an automatic module, jarred here from this module's classes
 * as Maven's package phase would) is found through {@code ServiceLoader} beside the core, and only
 * de.kherud's module ({@code llama}) needs native access.
 */
class JniModulePathTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void build() throws IOException, URISyntaxException {
        Path classes = Path.of(JniBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("META-INF/services/io.autoglm.backend.InferenceBackend")).exists();
        Path manifest = Files.writeString(dir.resolve("MANIFEST.MF"), "Automatic-Module-Name: io.autoglm.backend.jni\n");
        Path jar = dir.resolve("autoglm-backend-jni.jar");
        ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow(() -> new AssertionError("no jar tool (a JDK, not a JRE)"));
        StringWriter log = new StringWriter();
        int rc = tool.run(new PrintWriter(log), new PrintWriter(log), "--create", "--file", jar.toString(), "--manifest",
                manifest.toString(), "-C", classes.toString(), ".");
        assertThat(rc).as("jar: %s", log).isZero();
        Path app = Files.createDirectories(dir.resolve("app"));
        ModulePathTest.build(app, ModulePathApp.MODULES, jar);
    }

    @Test
    void jni_onTheModulePath_generatesTheSameText_withNativeAccessForDeKherudsModule() {
        ModulePathTest.assertGenerated(ModulePathTest.run("llama", Backend.JNI), "jni");
    }
}
