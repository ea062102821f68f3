package io.autoglm.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs GGUF mutants through the real {@code autoglm} CLI in child JVMs and classifies what happened.
 *
 * <p>Two ways to run a case:
 * <ul>
 *   <li>{@link Mode#PROCESS}: one {@code java ... generate --model MUTANT} process per case; the exit code and the
 *       whole stderr are judged. Exact, but every case pays a JVM start (1-2 s).</li>
 *   <li>{@link Mode#WORKER}: a long-lived child JVM ({@link FuzzWorker}) runs the CLI's {@code execute} for one case
 *       after another and reports each return code and stderr; when the child dies (a native abort) the case it was
 *       running is the culprit, and a new child takes the remaining cases. Same CLI code, a fraction of the time.</li>
 * </ul>
 * A case ends in one {@link Outcome}; the target is none in {@link Outcome#isFailure() failure} outcomes.
 */
public final class CliFuzz {
    private CliFuzz() {
    }

    /** How a case ran. */
    public enum Mode {
        /** one JVM per case */
        PROCESS,
        /** cases in turn in a long-lived child JVM, replaced when it dies */
        WORKER
    }

    /** What a case did. */
    public enum Outcome {
        /** exit 0: the model loaded and generated */
        RAN,
        /** exit 3 and exactly one stderr line starting with {@code autoglm: } */
        REFUSED,
        /** exit 3 but other stderr lines too */
        NOISY_REFUSAL,
        /** any other exit code, or the child died (134 = SIGABRT, 139 = SIGSEGV) */
        CRASHED,
        /** no result within the time limit */
        HUNG;

        /** @return true for the outcomes the safety target allows none of */
        public boolean isFailure() {
            return this != RAN && this != REFUSED;
        }
    }

    /**
     * One case's result.
     *
     * @param mutation the mutation
     * @param outcome what happened
     * @param exit exit or return code (-1 for a hang)
     * @param stderr the last stderr lines (JVM start-up warnings removed)
     * @param seconds wall time
     * @param retried the first run timed out and this is the result of a second run, alone, with a longer limit (a
     *     loaded machine can starve a child past the limit; a real hang hangs again)
     */
    public record Result(GgufMutants.Mutation mutation, Outcome outcome, int exit, String stderr, double seconds,
            boolean retried) {
        Result(GgufMutants.Mutation mutation, Outcome outcome, int exit, String stderr, double seconds) {
            this(mutation, outcome, exit, stderr, seconds, false);
        }

        @Override
        public String toString() {
            return outcome + " exit=" + exit + (retried ? " (retried alone after a time-out)" : "") + " " + mutation.id()
                    + (stderr.isBlank() ? "" : " :: " + stderr.strip().replace('\n', '|'));
        }
    }

    /**
     * Settings of a run.
     *
     * @param mode how cases run
     * @param java the java launcher
     * @param jvmArgs JVM options and the class path ({@code -cp X}) or jar ({@code -jar X}) for {@link Mode#PROCESS};
     *     for {@link Mode#WORKER} the class path must hold the CLI and {@link FuzzWorker}
     * @param cliArgs CLI arguments after {@code --model FILE}, e.g. {@code generate} options
     * @param parallelism children at once
     * @param timeoutSeconds per case
     * @param workDir where mutants are written (each is deleted after its run)
     */
    public record Settings(Mode mode, String java, List<String> jvmArgs, List<String> cliArgs, int parallelism,
            int timeoutSeconds, Path workDir) {
        /** Validates and copies. */
        public Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(java, "java");
            jvmArgs = List.copyOf(jvmArgs);
            cliArgs = List.copyOf(cliArgs);
            if (parallelism < 1 || timeoutSeconds < 1) {
                throw new IllegalArgumentException("parallelism and timeoutSeconds must be >= 1");
            }
            Objects.requireNonNull(workDir, "workDir");
        }
    }

    /** The command-line tail every case runs: a short generation with a prompt that needs byte fallback. */
    public static final List<String> GENERATE = List.of("generate", "--prompt", "Once upon a time, \u00dcn\u00efc\u00f6d\u00e9 \u65e5\u672c \u2713\t{}",
            "--max-tokens", "4", "--threads", "1", "--ctx", "128");

    /** Environment of every child: no gdb attach on a ggml abort (it only costs time here). */
    static final Map<String, String> ENV = Map.of("GGML_NO_BACKTRACE", "1");

    /**
     * Runs cases.
     *
     * @param cases mutations
     * @param sources source model per model name (the first part of a mutation id)
     * @param s settings
     * @param progress told of each result as it arrives (may be null)
     * @return results, in the order of {@code cases}
     */
    public static List<Result> run(List<GgufMutants.Mutation> cases, Map<String, Path> sources, Settings s,
            java.util.function.Consumer<Result> progress) {
        LinkedBlockingQueue<Integer> todo = new LinkedBlockingQueue<>();
        for (int i = 0; i < cases.size(); i++) {
            todo.add(i);
        }
        Result[] out = new Result[cases.size()];
        Function<Integer, Path> writer = i -> {
            GgufMutants.Mutation m = cases.get(i);
            Path src = sources.get(GgufMutants.modelOf(m));
            Path f = s.workDir().resolve("case-" + i + ".gguf");
            try {
                return m.write(src, f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(s.parallelism());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < s.parallelism(); w++) {
                fs.add(pool.submit(() -> {
                    if (s.mode() == Mode.PROCESS) {
                        Integer i;
                        while ((i = todo.poll()) != null) {
                            Result r = runProcess(cases.get(i), writer.apply(i), s);
                            out[i] = r;
                            if (progress != null) {
                                progress.accept(r);
                            }
                        }
                    } else {
                        new WorkerDriver(cases, writer, s, todo, out, progress).run();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("fuzz run failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
        // a time-out on a busy machine may be starvation rather than a hang: run it again alone, with 4x the limit
        List<String> processArgs = new ArrayList<>(s.jvmArgs());
        if (s.mode() == Mode.WORKER) {
            processArgs.add("io.autoglm.cli.AutoGlmCli");
        }
        Settings alone = new Settings(Mode.PROCESS, s.java(), processArgs, s.cliArgs(), 1, s.timeoutSeconds() * 4, s.workDir());
        for (int i = 0; i < out.length; i++) {
            if (out[i].outcome() == Outcome.HUNG) {
                Result r = runProcess(cases.get(i), writer.apply(i), alone);
                out[i] = new Result(r.mutation(), r.outcome(), r.exit(), r.stderr(), r.seconds(), true);
                if (progress != null) {
                    progress.accept(out[i]);
                }
            }
        }
        return List.of(out);
    }

    /** @param results results @return how many were retried alone after a time-out */
    public static long retried(List<Result> results) {
        return results.stream().filter(Result::retried).count();
    }

    /** @param results results @return how many of each outcome */
    public static Map<Outcome, Integer> counts(List<Result> results) {
        Map<Outcome, Integer> c = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            c.put(o, 0);
        }
        for (Result r : results) {
            c.merge(r.outcome(), 1, Integer::sum);
        }
        return c;
    }

    static Outcome classify(int exit, String stderr) {
        if (exit == 0) {
            return Outcome.RAN;
        }
        if (exit == 3) {
            List<String> lines = meaningfulLines(stderr);
            return lines.size() == 1 && lines.get(0).startsWith("autoglm: ") ? Outcome.REFUSED : Outcome.NOISY_REFUSAL;
        }
        return Outcome.CRASHED;
    }

    static List<String> meaningfulLines(String stderr) {
        List<String> l = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (!line.isBlank() && !line.startsWith("WARNING: Using incubator modules")) {
                l.add(line);
            }
        }
        return l;
    }

    static String tail(String s, int lines) {
        List<String> l = meaningfulLines(s);
        return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size()));
    }

    private static Result runProcess(GgufMutants.Mutation m, Path file, Settings s) {
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java());
        cmd.addAll(s.jvmArgs());
        cmd.addAll(s.cliArgs().subList(0, 1));
        cmd.add("--model");
        cmd.add(file.toString());
        cmd.addAll(s.cliArgs().subList(1, s.cliArgs().size()));
        long t0 = System.nanoTime();
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(ENV);
            Process p = pb.start();
            p.getOutputStream().close();
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            boolean done = p.waitFor(s.timeoutSeconds(), TimeUnit.SECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            String e = err.join();
            double sec = (System.nanoTime() - t0) / 1e9;
            int exit = done ? p.exitValue() : -1;
            return new Result(m, done ? classify(exit, e) : Outcome.HUNG, exit, tail(e, 6), sec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteQuietly(file);
        }
    }

    static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a leftover mutant in a temp folder is harmless
        }
    }

    /** Feeds cases to one {@link FuzzWorker} child at a time, replacing it when it dies or hangs. */
    private static final class WorkerDriver {
        final List<GgufMutants.Mutation> cases;
        final Function<Integer, Path> writer;
        final Settings s;
        final LinkedBlockingQueue<Integer> todo;
        final Result[] out;
        final java.util.function.Consumer<Result> progress;
        Process p;
        Writer in;
        LinkedBlockingQueue<String> results;
        Deque<String> errTail;

        WorkerDriver(List<GgufMutants.Mutation> cases, Function<Integer, Path> writer, Settings s,
                LinkedBlockingQueue<Integer> todo, Result[] out, java.util.function.Consumer<Result> progress) {
            this.cases = cases;
            this.writer = writer;
            this.s = s;
            this.todo = todo;
            this.out = out;
            this.progress = progress;
        }

        void start() throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(s.java());
            cmd.addAll(s.jvmArgs());
            cmd.add(FuzzWorker.class.getName());
            cmd.addAll(s.cliArgs());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(ENV);
            p = pb.start();
            in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            results = new LinkedBlockingQueue<>();
            errTail = new ArrayDeque<>();
            Process proc = p;
            LinkedBlockingQueue<String> q = results;
            Deque<String> tail = errTail;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith(FuzzWorker.MARK)) {
                            q.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the child died; the waiting side sees it
                }
                q.add("EOF");
            });
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (tail) {
                            tail.addLast(line);
                            while (tail.size() > 40) {
                                tail.removeFirst();
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the child died
                }
            });
        }

        void stop() {
            if (p != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // already gone
                }
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                p = null;
            }
        }

        void run() throws Exception {
            try {
                Integer i;
                while ((i = todo.poll()) != null) {
                    if (p == null) {
                        start();
                    }
                    Path file = writer.apply(i);
                    long t0 = System.nanoTime();
                    synchronized (errTail) {
                        errTail.clear();
                    }
                    Result r;
                    try {
                        in.write(file + "\n");
                        in.flush();
                        String line = results.poll(s.timeoutSeconds(), TimeUnit.SECONDS);
                        double sec = (System.nanoTime() - t0) / 1e9;
                        if (line == null) {
                            p.descendants().forEach(ProcessHandle::destroyForcibly);
                            p.destroyForcibly();
                            p.waitFor();
                            r = new Result(cases.get(i), Outcome.HUNG, -1, errTailText(), sec);
                            p = null;
                        } else if (line.equals("EOF")) {
                            p.waitFor(10, TimeUnit.SECONDS);
                            Thread.sleep(50); // let the stderr reader drain the abort message
                            int exit = p.isAlive() ? -2 : p.exitValue();
                            r = new Result(cases.get(i), Outcome.CRASHED, exit, errTailText(), sec);
                            p.destroyForcibly();
                            p = null;
                        } else {
                            String[] parts = line.split(" ", 3);
                            int exit = Integer.parseInt(parts[1]);
                            String err = parts.length > 2 ? new String(Base64.getDecoder().decode(parts[2]), StandardCharsets.UTF_8) : "";
                            String childErr = errTailText();
                            if (!childErr.isBlank()) {
                                err = err + "\n" + childErr; // native lines written straight to fd 2
                            }
                            r = new Result(cases.get(i), classify(exit, err), exit, tail(err, 6), sec);
                        }
                    } catch (IOException e) {
                        // writing to a dead child: the previous case killed it after reporting
                        int exit = p.isAlive() ? -2 : p.exitValue();
                        r = new Result(cases.get(i), Outcome.CRASHED, exit, errTailText(), (System.nanoTime() - t0) / 1e9);
                        p.destroyForcibly();
                        p = null;
                    } finally {
                        deleteQuietly(file);
                    }
                    out[i] = r;
                    if (progress != null) {
                        progress.accept(r);
                    }
                }
            } finally {
                stop();
            }
        }

        String errTailText() {
            synchronized (errTail) {
                List<String> l = new ArrayList<>(errTail);
                return tail(String.join("\n", l), 6);
            }
        }
    }

    /** @param results results @return the failures, one per line */
    public static String describeFailures(List<Result> results) {
        List<String> l = new ArrayList<>();
        for (Result r : results) {
            if (r.outcome().isFailure()) {
                l.add(r.toString());
            }
        }
        Collections.sort(l);
        return String.join("\n", l);
    }
}
