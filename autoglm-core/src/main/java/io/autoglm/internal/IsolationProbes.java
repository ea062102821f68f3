package io.autoglm.internal;

import io.autoglm.IsolationProbe;
import io.autoglm.ModelLoadException;
import io.autoglm.backend.ModelSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The isolation probe behind {@link IsolationProbe}: loads a model through the public API in a child JVM
 * ({@link ProbeMain}), decodes one token, and turns a child that dies into a {@link ModelLoadException} quoting the
 * last lines it wrote. Verdicts are cached in {@code <cache>/probe/} by the file's SHA-256; the SHA-256 itself is
 * cached by the file's path, size and modification time so a cached file is not read again. Not API.
 */
public final class IsolationProbes {
    private static final Logger LOG = LoggerFactory.getLogger(IsolationProbes.class);
    private static final int LOG_LINES = 8;

    private IsolationProbes() {
    }

    /**
     * What a probe decided.
     *
     * @param healthy the child loaded the model and decoded a token (or the cache says it did)
     * @param cached the verdict came from the cache
     * @param seconds wall time of this call
     * @param verdictFile where the verdict is kept
     */
    public record Verdict(boolean healthy, boolean cached, double seconds, Path verdictFile) {
    }

    /**
     * Probes the spec's model unless the cache already holds a verdict (for {@link IsolationProbe#UNSEEN_FILES}).
     *
     * @param spec what the caller is about to load
     * @param mode the probe mode; {@link IsolationProbe#OFF} returns at once
     * @return the verdict (healthy), or null for {@code OFF}
     * @throws ModelLoadException when the child died (now or in a cached earlier probe), hung, or could not start
     */
    public static Verdict check(ModelSpec spec, IsolationProbe mode) {
        return check(spec, mode, ProbeMain.class.getName(), BundledLibrary.cacheDir().resolve("probe"));
    }

    static Verdict check(ModelSpec spec, IsolationProbe mode, String mainClass, Path cacheDir) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(mode, "mode");
        if (mode == IsolationProbe.OFF) {
            return null;
        }
        long t0 = System.nanoTime();
        Path file = spec.path().toAbsolutePath().normalize();
        String sha = sha256(file, cacheDir);
        Path verdictFile = cacheDir.resolve("verdicts").resolve(sha + "-" + variant(spec) + ".verdict");
        if (Files.isRegularFile(verdictFile)) {
            String v = readQuietly(verdictFile);
            if (v.startsWith("crashed")) {
                throw new ModelLoadException(v.substring(v.indexOf('\n') + 1).strip() + " [cached verdict " + verdictFile
                        + "; delete it to probe again]");
            }
            if (v.startsWith("healthy") && mode == IsolationProbe.UNSEEN_FILES) {
                double s = (System.nanoTime() - t0) / 1e9;
                LOG.debug("isolation probe: {} is healthy (cached in {})", file, verdictFile);
                return new Verdict(true, true, s, verdictFile);
            }
        }
        long timeout = timeoutSeconds(file);
        ChildResult r = runChild(spec, file, mainClass, timeout);
        double s = (System.nanoTime() - t0) / 1e9;
        String what = "the isolation probe (a child JVM loading " + file.getFileName() + " with the "
                + spec.backend().name().toLowerCase(Locale.ROOT) + " backend and decoding one token)";
        if (r.timedOut()) {
            throw new ModelLoadException(what + " did not finish within " + timeout + " s; the model was not loaded."
                    + lastLines(r));
        }
        switch (r.marker()) {
            case ProbeMain.OK -> {
                write(verdictFile, "healthy\n" + Instant.now() + " " + file + "\n");
                LOG.info("isolation probe: {} loaded and decoded in a child JVM in {} s", file.getFileName(),
                        String.format(Locale.ROOT, "%.2f", s));
                return new Verdict(true, false, s, verdictFile);
            }
            case ProbeMain.REFUSED, ProbeMain.FAILED -> {
                // a clean refusal in the child: the load here will refuse the file the same way, with its own exception
                LOG.debug("isolation probe: the child refused {}: {}", file, r.detail());
                return new Verdict(false, false, s, verdictFile);
            }
            case ProbeMain.STARTED -> {
                String msg = what + " died with exit code " + r.exit() + signal(r.exit())
                        + "; loading it in this JVM would have ended the JVM." + lastLines(r);
                write(verdictFile, "crashed\n" + msg + "\n");
                throw new ModelLoadException(msg);
            }
            default -> throw new ModelLoadException("could not start the isolation probe (exit code " + r.exit() + "): "
                    + "the child JVM needs AutoGLM and its dependencies on the class path of this JVM." + lastLines(r));
        }
    }

    private static String signal(int exit) {
        return switch (exit) {
            case 134 -> " (SIGABRT: a failed assertion in llama.cpp or ggml)";
            case 139 -> " (SIGSEGV)";
            case 136 -> " (SIGFPE)";
            case 135 -> " (SIGBUS)";
            default -> exit > 128 ? " (signal " + (exit - 128) + ")" : "";
        };
    }

    private static String lastLines(ChildResult r) {
        return r.lines().isEmpty() ? "" : " Last lines of its log: " + String.join(" | ", r.lines());
    }

    /** 2 minutes plus 30 s per GB: a child loads the whole model once. */
    static long timeoutSeconds(Path file) {
        try {
            return 120 + Files.size(file) / (1L << 30) * 30;
        } catch (IOException e) {
            return 120;
        }
    }

    /** The settings a verdict depends on besides the file: backend, native library and quantization. */
    static String variant(ModelSpec spec) {
        String lib = spec.nativeLibrary() != null ? spec.nativeLibrary().toAbsolutePath().normalize().toString()
                : firstNonBlank(System.getProperty("autoglm.native.library"), System.getenv("AUTOGLM_NATIVE_LIBRARY"),
                        "bundled-" + BundledLibrary.LLAMA_BUILD);
        return sha256Hex((spec.backend() + "|" + lib + "|" + spec.quantization()).getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
    }

    private static String firstNonBlank(String... s) {
        for (String x : s) {
            if (x != null && !x.isBlank()) {
                return x;
            }
        }
        return "";
    }

    // ------------------------------------------------------------------------------------------ hashing

    /** SHA-256 of the file's content, reusing the value cached for this path, size and modification time. */
    static String sha256(Path file, Path cacheDir) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            String identity = file + "|" + a.size() + "|" + a.lastModifiedTime().toMillis() + "|" + a.fileKey();
            Path idFile = cacheDir.resolve("ids").resolve(sha256Hex(identity.getBytes(StandardCharsets.UTF_8)));
            if (Files.isRegularFile(idFile)) {
                String v = readQuietly(idFile).strip();
                if (v.matches("[0-9a-f]{64}")) {
                    return v;
                }
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                while (ch.read(b) >= 0) {
                    b.flip();
                    md.update(b);
                    b.clear();
                }
            }
            String hex = HexFormat.of().formatHex(md.digest());
            write(idFile, hex + "\n");
            return hex;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + file + " for the isolation probe: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** Atomic write (temp file and rename); a cache that cannot be written only costs a later probe. */
    private static void write(Path target, String content) {
        try {
            AtomicFiles.write(target, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("isolation probe: cannot write the cache file {}: {}", target, e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------ the child

    /**
     * @param exit exit code (-1 when killed after a time-out)
     * @param timedOut no end within the time limit
     * @param marker the last {@link ProbeMain} marker on stdout, or "" for none
     * @param detail the text after that marker
     * @param lines the last lines of stderr
     */
    record ChildResult(int exit, boolean timedOut, String marker, String detail, List<String> lines) {
    }

    static List<String> command(ModelSpec spec, Path file, String mainClass) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // what the code needs to run as it does here, nothing that could clash (debug agents, ports, heap dumps)
            if (a.startsWith("--enable-native-access") || a.startsWith("--add-modules") || a.startsWith("--add-opens")
                    || a.startsWith("--add-exports") || a.startsWith("-Djava.library.path=") || a.startsWith("-Dautoglm.")
                    || a.startsWith("-Dorg.slf4j.") || a.startsWith("-Xss")) {
                if (!a.startsWith("-D" + IsolationProbe.PROPERTY + "=")) {
                    cmd.add(a);
                }
            }
        }
        if (cmd.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-Dorg.slf4j.simpleLogger.logFile=System.err");
        cmd.add("-Dorg.slf4j.simpleLogger.log.io.autoglm.native=info");
        String cp = System.getProperty("java.class.path", "");
        String mp = System.getProperty("jdk.module.path", "");
        if (IsolationProbes.class.getModule().isNamed() && !mp.isBlank()) {
            cmd.addAll(List.of("--module-path", mp));
            if (!cp.isBlank()) {
                cmd.addAll(List.of("-cp", cp));
            }
            cmd.addAll(List.of("--add-modules", "ALL-MODULE-PATH", "-m",
                    IsolationProbes.class.getModule().getName() + "/" + mainClass));
        } else {
            cmd.addAll(List.of("-cp", cp, mainClass));
        }
        cmd.addAll(ProbeMain.arguments(spec, file));
        return cmd;
    }

    private static ChildResult runChild(ModelSpec spec, Path file, String mainClass, long timeoutSeconds) {
        List<String> cmd = command(spec, file, mainClass);
        LOG.debug("isolation probe: {}", cmd);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("GGML_NO_BACKTRACE", "1"); // no gdb attach on an abort: it only costs time here
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<List<String>> err = CompletableFuture.supplyAsync(() -> tail(p.getErrorStream()));
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String stdout = out.get(10, TimeUnit.SECONDS);
            List<String> lines = err.get(10, TimeUnit.SECONDS);
            String marker = "";
            String detail = "";
            for (String line : stdout.split("\n")) {
                if (line.startsWith(ProbeMain.PREFIX)) {
                    String rest = line.substring(ProbeMain.PREFIX.length());
                    int sp = rest.indexOf(' ');
                    marker = sp < 0 ? rest.strip() : rest.substring(0, sp);
                    detail = sp < 0 ? "" : rest.substring(sp + 1);
                }
            }
            return new ChildResult(done ? p.exitValue() : -1, !done, marker, detail, lines);
        } catch (IOException e) {
            throw new ModelLoadException("could not start the isolation probe (" + cmd.get(0) + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while the isolation probe ran for " + file, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new ModelLoadException("could not read the isolation probe's output for " + file + ": " + e, e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@link #LOG_LINES} meaningful stderr lines (JVM start-up warnings left out). */
    private static List<String> tail(InputStream in) {
        Deque<String> d = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("WARNING: ")) {
                    continue;
                }
                d.addLast(line.length() > 400 ? line.substring(0, 400) + "..." : line.strip());
                if (d.size() > LOG_LINES) {
                    d.removeFirst();
                }
            }
        } catch (IOException e) {
            // the child is gone; what was read is what there is
        }
        return new ArrayList<>(d);
    }
}
