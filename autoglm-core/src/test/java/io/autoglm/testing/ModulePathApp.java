package io.autoglm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * Builds and runs a small application module ({@code requires io.autoglm.core}) on the module path,
 * in a child JVM, from the modules on this test's class path. {@link #MODULES} is the one place that
 * says which modules an AutoGLM application is made of; a module split out of core (such as the JNI
 * backend) is added there, and its tests run the same application.
 */
public final class ModulePathApp {
    /** The library's modules and what they need at run time, by module name (de.kherud's jar is the automatic module {@code llama}). */
    public static final List<String> MODULES = List.of("io.autoglm.core", "llama", "org.slf4j", "org.slf4j.simple");

    private ModulePathApp() {
    }

    /** What the child JVM did. @param exit its exit code @param out standard output @param err standard error */
    public record Result(int exit, String out, String err) {
    }

    /**
     * @param modules module names, each of which must be on this JVM's class path (as a jar or an exploded module)
     * @return the module path made of their class-path entries, in the order given
     */
    public static List<Path> modulePath(List<String> modules) {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean candidate = entry.endsWith(".jar") ? Files.isRegularFile(p) : Files.isRegularFile(p.resolve("module-info.class"));
            if (!candidate) {
                continue;
            }
            for (ModuleReference ref : ModuleFinder.of(p).findAll()) {
                found.putIfAbsent(ref.descriptor().name(), p);
            }
        }
        List<Path> path = new ArrayList<>();
        for (String m : modules) {
            Path p = found.get(m);
            assertThat(p).as("module %s on the test class path (found %s)", m, found.keySet()).isNotNull();
            path.add(p);
        }
        return path;
    }

    /**
     * Compiles one application module.
     *
     * @param dir an empty folder; sources go to {@code dir/src}, classes to {@code dir/classes}
     * @param sources file name (relative, e.g. {@code app/Main.java}) to content; must include {@code module-info.java}
     * @param modulePath the modules it is compiled against
     * @return the folder of the compiled (exploded) module
     */
    public static Path compile(Path dir, Map<String, String> sources, List<Path> modulePath) {
        try {
            List<String> args = new ArrayList<>(List.of("-d", dir.resolve("classes").toString(), "--module-path", join(modulePath),
                    "-Xlint:all,-requires-automatic", "-Werror"));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path f = dir.resolve("src").resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
                args.add(f.toString());
            }
            ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("no javac (a JDK, not a JRE)"));
            java.io.StringWriter log = new java.io.StringWriter();
            try (java.io.PrintWriter w = new java.io.PrintWriter(log)) {
                int rc = javac.run(w, w, args.toArray(String[]::new));
                w.flush();
                assertThat(rc).as("javac %s%n%s", args, log).isZero();
            }
            return dir.resolve("classes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code java [jvmOptions] --module-path ... -m mainModule/mainClass args} and waits (two minutes at most).
     *
     * @param jvmOptions options before the module path, e.g. {@code --enable-native-access=io.autoglm.core}
     * @param modulePath the module path
     * @param main {@code module/class}
     * @param args the program's arguments
     * @return what it did
     */
    public static Result run(List<String> jvmOptions, List<Path> modulePath, String main, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        Optional.ofNullable(System.getProperty("autoglm.cache.dir")).ifPresent(c -> cmd.add("-Dautoglm.cache.dir=" + c));
        cmd.addAll(List.of("--module-path", join(modulePath), "-m", main));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("modulepath-app", ".out");
            Path err = Files.createTempFile("modulepath-app", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("module-path application timed out: " + cmd + "\n" + Files.readString(err));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String join(List<Path> paths) {
        return String.join(File.pathSeparator, paths.stream().map(Path::toString).toList());
    }
}
