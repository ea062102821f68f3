package io.autoglm;

import io.autoglm.testing.ModulePathApp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ModulePathTest}'s application, run on the module path with the JNI backend: the optional
 * module {@code io.autoglm.backend.jni} is found through {@code ServiceLoader} beside the core, and
 * only de.kherud's module ({@code llama}) needs native access.
 */
class JniModulePathTest {
    @BeforeAll
    static void build() {
        List<String> modules = new ArrayList<>(ModulePathApp.MODULES);
        modules.add("io.autoglm.backend.jni");
        ModulePathTest.build(modules);
    }

    @Test
    void jni_onTheModulePath_generatesTheSameText_withNativeAccessForDeKherudsModule() {
        ModulePathTest.assertGenerated(ModulePathTest.run("llama", Backend.JNI), "jni");
    }
}
