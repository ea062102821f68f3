package io.autoglm.automl.storage;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.TrialState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal optimisation worker for the distributed tests, driving the {@link Storage} directly:
 * reap stale trials, stop when the study has enough complete trials (and none is still running),
 * else start a trial, heartbeat while "training" for 100-300 ms, finish it. Prints one line per
 * event on its output: {@code START n}, {@code DONE n}, {@code LOST n} (finish refused), {@code EXIT}.
 *
 * <p>Run as a process: {@code java -cp ... StudyWorker <storage-url> <study> <target> <worker-id> <grace-ms> <seed> [abandon-after]}.
 */
public final class StudyWorker {
    static final Distribution X = new Distribution.FloatDistribution(-5, 5, false, null);
    static final long HEARTBEAT_MS = 200;

    private StudyWorker() {
    }

    /**
     * Runs the worker on an open storage.
     *
     * @param abandonAfter after this many completed trials, start one more and return without finishing
     *     it or heartbeating (a thread that "dies"); negative for never
     */
    static void run(Storage storage, String studyName, int target, String workerId, Duration grace, long seed, int abandonAfter,
            PrintStream out) throws Exception {
        long studyId = storage.findStudy(studyName).orElseThrow(() -> new IllegalStateException("no study " + studyName)).studyId();
        Random rnd = new Random(seed);
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + workerId);
            t.setDaemon(true);
            return t;
        });
        // warm up (class loading, JSON, the heartbeat thread) before the first trial starts its clock
        Distribution.fromJson(X.toJson());
        beats.submit(() -> { }).get();
        storage.trials(studyId, Set.of(TrialState.COMPLETE));
        int done = 0;
        // the tests wait at most 90 s for a worker; a worker never loops longer than that
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
        try {
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(workerId + " gave up after 100 s with " + done + " trials done");
                }
                storage.failStaleTrials(studyId, grace);
                List<FrozenTrial> all = storage.trials(studyId, Set.of(TrialState.COMPLETE, TrialState.RUNNING));
                long complete = all.stream().filter(t -> t.state() == TrialState.COMPLETE).count();
                if (complete >= target) {
                    if (all.size() == complete) {
                        break;
                    }
                    Thread.sleep(100); // wait for running trials to finish or to be reaped
                    continue;
                }
                FrozenTrial trial = storage.startTrial(studyId, workerId);
                if (abandonAfter >= 0 && done >= abandonAfter) {
                    out.println("START " + trial.number());
                    out.flush();
                    return; // no heartbeat, no finish: as if the thread died
                }
                // heartbeats start at once, before anything slow can happen inside the trial
                ScheduledFuture<?> beat = beats.scheduleAtFixedRate(() -> {
                    try {
                        storage.recordHeartbeat(trial.trialId());
                    } catch (RuntimeException e) {
                        // storage closed or unreachable: the trial will be reaped, which is the point
                    }
                }, 0, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
                double x = X instanceof Distribution.FloatDistribution f ? f.low() + (f.high() - f.low()) * rnd.nextDouble() : 0;
                storage.setTrialParam(trial.trialId(), "x", x, X);
                out.println("START " + trial.number());
                out.flush();
                try {
                    Thread.sleep(100 + rnd.nextInt(201));
                } finally {
                    beat.cancel(false);
                }
                boolean finished = storage.finishTrial(trial.trialId(), TrialState.COMPLETE, List.of(x * x));
                out.println((finished ? "DONE " : "LOST ") + trial.number());
                out.flush();
                done++;
            }
            out.println("EXIT");
            out.flush();
        } finally {
            beats.shutdownNow();
        }
    }

    /**
     * @param args storage URL, study name, target complete trials, worker id, grace in ms, seed, optional abandon-after
     */
    public static void main(String[] args) throws Exception {
        int abandon = args.length > 6 ? Integer.parseInt(args[6]) : -1;
        try (Storage storage = Storages.open(args[0])) {
            run(storage, args[1], Integer.parseInt(args[2]), args[3], Duration.ofMillis(Long.parseLong(args[4])),
                    Long.parseLong(args[5]), abandon, System.out);
        }
    }
}
