package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.automl.storage.InMemoryStorage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stress test of the study's heartbeat thread in real time (the deterministic reaping rules are in
 * {@code StudyTest} and the storage contract, on a clock moved by hand). A trial that runs for longer than
 * the grace period must not be reaped while its worker's heartbeats keep arriving.
 *
 * <p>Timing: heartbeats every 100 ms, grace period 3 s. A second study on the same storage reaps while the
 * trial has been running for more than the grace period (a sleep lasts at least as long as asked), so the
 * test fails only if the heartbeat thread really stopped, or was starved for 2.9 s in a row on a loaded
 * machine. Every wait is bounded ({@code @Timeout}, latch timeouts). It takes about 3.5 s, mostly asleep.
 */
class StudyHeartbeatStressTest {

    @Test
    @Timeout(60)
    void longTrialWithLiveHeartbeats_isNotReaped_andFinishesComplete() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Duration interval = Duration.ofMillis(100);
        Duration grace = Duration.ofSeconds(3);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch reaped = new CountDownLatch(1);
        try (Study worker = Study.builder().name("hb-stress").storage(storage).sampler(Samplers.random().seed(1).build())
                .heartbeatInterval(interval).gracePeriod(grace).build();
                Study reaper = Study.builder().name("hb-stress").storage(storage).loadIfExists(true)
                        .sampler(Samplers.random().seed(2).build()).heartbeatInterval(interval).gracePeriod(grace).build()) {
            Thread reaperThread = new Thread(() -> {
                try {
                    if (running.await(30, TimeUnit.SECONDS)) {
                        Thread.sleep(grace.plusMillis(400).toMillis());
                        reaper.failStaleTrials();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    reaped.countDown();
                }
            }, "reaper");
            reaperThread.start();
            worker.optimize(t -> {
                double x = t.suggestFloat("x", 0, 1);
                running.countDown();
                assertThat(reaped.await(30, TimeUnit.SECONDS)).as("the reaper ran").isTrue();
                return x;
            }, 1);
            reaperThread.join(TimeUnit.SECONDS.toMillis(30));
            List<FrozenTrial> trials = worker.trials();
            assertThat(trials).hasSize(1);
            assertThat(trials.get(0).state()).as("a trial with live heartbeats outlives the grace period")
                    .isEqualTo(TrialState.COMPLETE);
            assertThat(Duration.between(trials.get(0).started().orElseThrow(), trials.get(0).finished().orElseThrow()))
                    .isGreaterThan(grace);
        }
    }
}
