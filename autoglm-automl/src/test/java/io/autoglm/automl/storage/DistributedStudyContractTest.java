package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several workers share one study through a storage until it has {@link #TARGET} complete trials;
 * one worker dies mid-trial. Its trial must end FAILED within the heartbeat grace period, the study
 * must still reach the target, and numbers must stay unique and contiguous with no trial lost.
 * Written once, run on PostgreSQL and on the embedded SQLite file. A stress test in real time: every wait
 * is bounded ({@code @Timeout}, process and future timeouts, the workers' own deadline) and the timing
 * margins are generous (see {@link #REAP_SLACK}).
 */
abstract class DistributedStudyContractTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DistributedStudyContractTest.class);
    static final int TARGET = 30;
    /** Target of the restart test (kept small: one worker at a time runs it). */
    static final int RESUMED_TARGET = 8;
    static final Duration GRACE = Duration.ofSeconds(2);
    /**
     * Slack over the grace period before the killed trial must be FAIL. A reaper runs between trials (at most
     * ~300 ms apart on an idle machine); the slack is generous so that a loaded machine (CPU-starved worker
     * JVMs, slow fsync) does not fail the test: this is a stress test of the reaping, not a latency benchmark.
     */
    static final Duration REAP_SLACK = Duration.ofSeconds(20);

    @TempDir
    Path logs;
    private final List<Process> processes = new ArrayList<>();

    /** @return the storage URL of a new, empty database */
    protected abstract String newStorageUrl() throws Exception;

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    /** A worker JVM and the lines it printed. */
    private record Worker(String id, Process process, List<String> lines) {
        List<Integer> numbers(String event) {
            return lines.stream().filter(l -> l.startsWith(event + " ")).map(l -> Integer.parseInt(l.substring(event.length() + 1)))
                    .toList();
        }
    }

    private Worker startWorker(String url, String study, int target, String id, long seed) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial GC: these short-lived workers start faster on a busy machine
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                StudyWorker.class.getName(), url, study, Integer.toString(target), id, Long.toString(GRACE.toMillis()),
                Long.toString(seed));
        pb.redirectError(logs.resolve(id + ".err").toFile());
        Process p = pb.start();
        processes.add(p);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed: its pipe closes
            }
        }, "reader-" + id);
        reader.setDaemon(true);
        reader.start();
        return new Worker(id, p, lines);
    }

    private String stderr(String id) throws IOException {
        File f = logs.resolve(id + ".err").toFile();
        return f.exists() ? Files.readString(f.toPath()) : "";
    }

    private void awaitExit(Worker w) throws Exception {
        assertThat(w.process().waitFor(60, TimeUnit.SECONDS)).as("worker %s finished in time", w.id()).isTrue();
        assertThat(w.process().exitValue()).as("exit code of %s; stderr:%n%s", w.id(), stderr(w.id())).isZero();
    }

    /** Checks the invariants every run must keep and returns the trials. */
    private static List<FrozenTrial> checkStudy(Storage storage, String study) {
        return checkStudy(storage, study, TARGET);
    }

    private static List<FrozenTrial> checkStudy(Storage storage, String study, int target) {
        long id = storage.findStudy(study).orElseThrow().studyId();
        List<FrozenTrial> all = storage.trials(id, Set.of());
        assertThat(all).extracting(FrozenTrial::number).as("numbers are unique and contiguous")
                .containsExactlyElementsOf(IntStream.range(0, all.size()).boxed().toList());
        assertThat(all).as("no trial is left running or waiting").allSatisfy(t -> assertThat(t.state().isFinished()).isTrue());
        assertThat(all.stream().filter(t -> t.state() == TrialState.COMPLETE).count()).isGreaterThanOrEqualTo(target);
        assertThat(all.stream().filter(t -> t.state() == TrialState.COMPLETE))
                .allSatisfy(t -> assertThat(t.value()).isEqualTo(Math.pow((Double) t.params().get("x"), 2)));
        return all;
    }

    private static Set<Integer> completeNumbers(List<FrozenTrial> all) {
        return all.stream().filter(t -> t.state() == TrialState.COMPLETE).map(FrozenTrial::number).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @Timeout(90)
    void threeWorkerProcesses_oneKilledMidTrial_itsTrialFailsWithinGrace_andTheStudyCompletes() throws Exception {
        String url = newStorageUrl();
        try (Storage s = Storages.open(url)) {
            s.createStudy("shared", List.of(StudyDirection.MINIMIZE));
        }
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workers.add(startWorker(url, "shared", TARGET, "worker-" + i, 42 + i));
        }
        long t0 = System.nanoTime();
        Worker victim = workers.get(0);
        Kill kill = killMidTrial(victim, 2);
        long tKill = System.nanoTime();
        int killedNumber = kill.number();
        Instant killedAt = kill.at();
        for (Worker w : workers.subList(1, 3)) {
            awaitExit(w);
        }
        LOG.info("{}: workers started, victim killed after {} ms, survivors done {} ms later", getClass().getSimpleName(),
                (tKill - t0) / 1_000_000, (System.nanoTime() - tKill) / 1_000_000);

        try (Storage s = Storages.open(url)) {
            List<FrozenTrial> all = checkStudy(s, "shared");
            FrozenTrial killed = all.get(killedNumber);
            assertThat(killed.state()).isEqualTo(TrialState.FAIL);
            assertThat(killed.systemAttrs()).containsEntry("worker", "worker-0").containsKey("fail_reason");
            Duration failedAfter = Duration.between(killedAt, killed.finished().orElseThrow());
            LOG.info("{}: killed trial {} failed {} ms after the SIGKILL (grace {} ms); {} trials, {} complete",
                    getClass().getSimpleName(), killedNumber, failedAfter.toMillis(), GRACE.toMillis(), all.size(),
                    completeNumbers(all).size());
            assertThat(failedAfter).as("failed after the grace period, not before")
                    .isGreaterThan(GRACE.minusMillis(StudyWorker.HEARTBEAT_MS + 100))
                    .isLessThan(GRACE.plus(REAP_SLACK));
            // A live worker starved of CPU for longer than the grace period (a loaded CI machine) may see its
            // trial reaped; then the storage must refuse its finish (LOST) so that nothing is counted twice.
            Set<Integer> lost = new TreeSet<>();
            workers.subList(1, 3).forEach(w -> lost.addAll(w.numbers("LOST")));
            if (!lost.isEmpty()) {
                LOG.warn("live trials {} were reaped: their workers were silent for more than {}", lost, GRACE);
            }
            Set<Integer> expectedFailed = new TreeSet<>(lost);
            expectedFailed.add(killedNumber);
            assertThat(all.stream().filter(t -> t.state() == TrialState.FAIL).map(FrozenTrial::number).toList())
                    .as("failed trials: the killed worker's one, plus live ones whose finish was refused")
                    .containsExactlyInAnyOrderElementsOf(expectedFailed);
            assertThat(lost).as("live trials reaped (the grace period is 10 heartbeats)").hasSizeLessThanOrEqualTo(2);

            Set<Integer> reported = new TreeSet<>();
            workers.forEach(w -> reported.addAll(w.numbers("DONE")));
            assertThat(reported).as("every completion a worker saw is stored, and nothing else").isEqualTo(completeNumbers(all));
            assertThat(workers.get(1).numbers("DONE")).isNotEmpty();
            assertThat(workers.get(2).numbers("DONE")).isNotEmpty();
        }
    }

    @Test
    @Timeout(90)
    void workerThreads_oneAbandonsATrial_itIsFailed_andTheStudyCompletes() throws Exception {
        String url = newStorageUrl();
        try (Storage s = Storages.open(url)) {
            s.createStudy("threads", List.of(StudyDirection.MINIMIZE));
        }
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<ByteArrayOutputStream> outs = new ArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            outs.add(buf);
            String id = "thread-" + i;
            int abandon = i == 0 ? 2 : -1;
            long seed = 7 + i;
            futures.add(pool.submit(() -> {
                // each thread opens its own storage, as separate processes would
                try (Storage s = Storages.open(url); PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
                    StudyWorker.run(s, "threads", TARGET, id, GRACE, seed, abandon, out);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(80, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<String> abandonedLines = outs.get(0).toString(StandardCharsets.UTF_8).lines().toList();
        int abandoned = Integer.parseInt(abandonedLines.getLast().substring("START ".length()));
        try (Storage s = Storages.open(url)) {
            List<FrozenTrial> all = checkStudy(s, "threads");
            assertThat(all.get(abandoned).state()).isEqualTo(TrialState.FAIL);
            assertThat(all.get(abandoned).systemAttrs()).containsKey("fail_reason");
            Set<Integer> reported = new TreeSet<>();
            for (ByteArrayOutputStream o : outs) {
                o.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("DONE ")).map(l -> Integer.parseInt(l.substring(5)))
                        .forEach(reported::add);
            }
            assertThat(reported).isEqualTo(completeNumbers(all));
        }
    }

    /** Waits until the worker has completed {@code done} trials and is inside the next one, then SIGKILLs it. */
    private record Kill(int number, Instant at) {
    }

    private Kill killMidTrial(Worker victim, int done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (true) {
            assertThat(System.nanoTime()).as("%s started a trial after %d done; stderr:%n%s", victim.id(), done, stderr(victim.id()))
                    .isLessThan(deadline);
            List<String> lines = victim.lines();
            if (victim.numbers("DONE").size() >= done && !lines.isEmpty() && lines.getLast().startsWith("START ")) {
                int number = Integer.parseInt(lines.getLast().substring(6));
                Instant at = Instant.now();
                victim.process().destroyForcibly(); // SIGKILL: no shutdown hook, no finish, no more heartbeats
                assertThat(victim.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
                return new Kill(number, at);
            }
            Thread.sleep(5);
        }
    }

    @Test
    @Timeout(90)
    void study_resumesAfterTheWorkerProcessIsKilledAndRestarted() throws Exception {
        String url = newStorageUrl();
        try (Storage s = Storages.open(url)) {
            s.createStudy("restart", List.of(StudyDirection.MINIMIZE));
        }
        Worker first = startWorker(url, "restart", RESUMED_TARGET, "first", 1);
        int killed = killMidTrial(first, 3).number();
        List<FrozenTrial> before;
        try (Storage s = Storages.open(url)) {
            before = s.trials(s.findStudy("restart").orElseThrow().studyId(), Set.of(TrialState.COMPLETE));
        }
        assertThat(before).extracting(FrozenTrial::number).containsExactlyElementsOf(first.numbers("DONE"));

        Worker second = startWorker(url, "restart", RESUMED_TARGET, "second", 2);
        awaitExit(second);

        try (Storage s = Storages.open(url)) {
            List<FrozenTrial> all = checkStudy(s, "restart", RESUMED_TARGET);
            assertThat(all.subList(0, before.size())).as("trials of the first process are intact").containsExactlyElementsOf(before);
            assertThat(all.get(killed).state()).isEqualTo(TrialState.FAIL);
            assertThat(all.get(killed).systemAttrs()).containsEntry("worker", "first").containsKey("fail_reason");
            assertThat(all.subList(killed + 1, all.size())).allSatisfy(t -> assertThat(t.systemAttrs()).containsEntry("worker", "second"));
            assertThat(new TreeSet<>(second.numbers("DONE"))).isEqualTo(completeNumbers(all.subList(killed + 1, all.size())));
        }
    }
}
