package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.search.Distribution.CategoricalDistribution;
import io.autoglm.automl.search.Distribution.FloatDistribution;
import io.autoglm.automl.search.Distribution.IntDistribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Storage} contract, written once and run against every implementation. Subclasses
 * provide a fresh, empty storage per test.
 */
abstract class StorageContractTest {
    protected Storage storage;

    /** @return a new empty storage */
    protected abstract Storage newStorage() throws Exception;

    @BeforeEach
    void open() throws Exception {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    private StudyRef study(String name) {
        return storage.createStudy(name, List.of(StudyDirection.MINIMIZE));
    }

    @Test
    void createStudy_isFoundByNameAndListed_andDuplicateNameIsRejected() {
        StudyRef a = storage.createStudy("alpha", List.of(StudyDirection.MINIMIZE));
        StudyRef b = storage.createStudy("beta", List.of(StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE));

        assertThat(storage.findStudy("alpha")).contains(a);
        assertThat(storage.findStudy("beta").orElseThrow().directions())
                .containsExactly(StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE);
        assertThat(storage.findStudy("gamma")).isEmpty();
        assertThat(storage.studies()).extracting(StudyRef::name).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(a.studyId()).isNotEqualTo(b.studyId());
        assertThatThrownBy(() -> storage.createStudy("alpha", List.of(StudyDirection.MAXIMIZE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        assertThat(storage.findStudy("alpha").orElseThrow().directions()).containsExactly(StudyDirection.MINIMIZE);
    }

    @Test
    void deleteStudy_removesItsTrials_andUnknownStudyIsRejected() {
        StudyRef a = study("to-delete");
        StudyRef keep = study("keep");
        FrozenTrial t = storage.startTrial(a.studyId(), "w");
        storage.setTrialParam(t.trialId(), "x", 1.0, new FloatDistribution(0, 2, false, null));
        FrozenTrial k = storage.startTrial(keep.studyId(), "w");

        storage.deleteStudy(a.studyId());

        assertThat(storage.findStudy("to-delete")).isEmpty();
        assertThatThrownBy(() -> storage.trials(a.studyId(), Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.deleteStudy(a.studyId())).isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.trials(keep.studyId(), Set.of())).extracting(FrozenTrial::trialId).containsExactly(k.trialId());
    }

    @Test
    void startTrial_underManyThreads_numbersAreUniqueAndContiguous() throws Exception {
        StudyRef s = study("concurrent");
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Integer> numbers = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            String worker = "w" + w;
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    FrozenTrial t = storage.startTrial(s.studyId(), worker);
                    numbers.add(t.number());
                    assertThat(storage.finishTrial(t.trialId(), TrialState.COMPLETE, List.of((double) t.number()))).isTrue();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();

        List<Integer> sorted = new ArrayList<>(numbers);
        Collections.sort(sorted);
        assertThat(sorted).containsExactlyElementsOf(IntStream.range(0, threads * perThread).boxed().toList());
        List<FrozenTrial> stored = storage.trials(s.studyId(), Set.of(TrialState.COMPLETE));
        assertThat(stored).hasSize(threads * perThread);
        assertThat(stored).extracting(FrozenTrial::number).containsExactlyElementsOf(sorted);
        assertThat(stored).allSatisfy(t -> assertThat(t.value()).isEqualTo(t.number()));
    }

    @Test
    void enqueuedTrials_areClaimedOldestFirst_withFixedParams_thenNewTrialsFollowTheNumbering() {
        StudyRef s = study("queue");
        FrozenTrial q0 = storage.enqueueTrial(s.studyId(), Map.of("x", 0.5));
        FrozenTrial q1 = storage.enqueueTrial(s.studyId(), Map.of("x", 1.5, "kind", "b"));
        assertThat(q0.state()).isEqualTo(TrialState.WAITING);
        assertThat(q0.started()).isEmpty();
        assertThat(List.of(q0.number(), q1.number())).containsExactly(0, 1);
        assertThat(q1.systemAttrs().get("fixed_params")).isEqualTo(Map.of("x", 1.5, "kind", "b"));

        FrozenTrial a = storage.startTrial(s.studyId(), "worker-a");
        FrozenTrial b = storage.startTrial(s.studyId(), "worker-b");
        FrozenTrial c = storage.startTrial(s.studyId(), "worker-c");

        assertThat(a.trialId()).isEqualTo(q0.trialId());
        assertThat(a.state()).isEqualTo(TrialState.RUNNING);
        assertThat(a.started()).isPresent();
        assertThat(a.systemAttrs()).containsEntry("worker", "worker-a").containsKey("fixed_params");
        assertThat(b.trialId()).isEqualTo(q1.trialId());
        assertThat(c.number()).isEqualTo(2);
        assertThat(storage.trials(s.studyId(), Set.of(TrialState.WAITING))).isEmpty();
    }

    @Test
    void enqueuedTrials_claimedByManyThreads_eachExactlyOnce() throws Exception {
        StudyRef s = study("claims");
        int n = 40;
        for (int i = 0; i < n; i++) {
            storage.enqueueTrial(s.studyId(), Map.of("i", i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<FrozenTrial>> claims = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            claims.add(pool.submit(() -> storage.startTrial(s.studyId(), Thread.currentThread().getName())));
        }
        List<Long> ids = new ArrayList<>();
        for (Future<FrozenTrial> f : claims) {
            ids.add(f.get().trialId());
        }
        pool.shutdown();
        assertThat(ids).doesNotHaveDuplicates().hasSize(n);
        assertThat(storage.trials(s.studyId(), Set.of())).hasSize(n).allSatisfy(t -> assertThat(t.state()).isEqualTo(TrialState.RUNNING));
    }

    @Test
    void setTrialParam_keepsOrderAndExternalValues_andRejectsIncompatibleDistributions() {
        StudyRef s = study("params");
        FrozenTrial t0 = storage.startTrial(s.studyId(), "w");
        CategoricalDistribution opt = new CategoricalDistribution(List.of("adam", "sgd"));
        storage.setTrialParam(t0.trialId(), "lr", 0.01, new FloatDistribution(1e-5, 1, true, null));
        storage.setTrialParam(t0.trialId(), "layers", 3, new IntDistribution(1, 8, false, 1));
        storage.setTrialParam(t0.trialId(), "optimizer", 1, opt);

        FrozenTrial back = storage.trial(t0.trialId());
        assertThat(back.internalParams().keySet()).containsExactly("lr", "layers", "optimizer");
        assertThat(back.params()).containsEntry("lr", 0.01).containsEntry("layers", 3).containsEntry("optimizer", "sgd");
        assertThat(back.distributions().get("optimizer")).isEqualTo(opt);

        FrozenTrial t1 = storage.startTrial(s.studyId(), "w");
        assertThatThrownBy(() -> storage.setTrialParam(t1.trialId(), "lr", 0, new CategoricalDistribution(List.of(0.1, 0.01))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lr");
        assertThatThrownBy(() -> storage.setTrialParam(t1.trialId(), "optimizer", 0,
                new CategoricalDistribution(List.of("adam", "rmsprop")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("optimizer");
        assertThatThrownBy(() -> storage.setTrialParam(t1.trialId(), "layers", 0.5, new FloatDistribution(0, 1, false, null)))
                .isInstanceOf(IllegalArgumentException.class);
        // the same kind of distribution with another range is compatible (conditional search spaces)
        storage.setTrialParam(t1.trialId(), "layers", 12, new IntDistribution(1, 16, false, 1));
        assertThat(storage.trial(t1.trialId()).params()).containsExactly(Map.entry("layers", 12));
        assertThat(storage.trial(t0.trialId()).params()).hasSize(3);
    }

    @Test
    void finishedTrial_rejectsParamsAndIntermediateValues() {
        StudyRef s = study("finished");
        FrozenTrial t = storage.startTrial(s.studyId(), "w");
        assertThat(storage.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(1.0))).isTrue();
        assertThatThrownBy(() -> storage.setTrialParam(t.trialId(), "x", 0.5, new FloatDistribution(0, 1, false, null)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.setTrialIntermediateValue(t.trialId(), 0, 1.0)).isInstanceOf(IllegalStateException.class);
        assertThat(storage.trial(t.trialId()).internalParams()).isEmpty();
    }

    @Test
    void intermediateValues_areStoredByStep_andLastReportOfAStepWins() {
        StudyRef s = study("curve");
        FrozenTrial t = storage.startTrial(s.studyId(), "w");
        storage.setTrialIntermediateValue(t.trialId(), 2, 0.5);
        storage.setTrialIntermediateValue(t.trialId(), 0, 0.9);
        storage.setTrialIntermediateValue(t.trialId(), 1, 0.7);
        storage.setTrialIntermediateValue(t.trialId(), 1, 0.6);

        FrozenTrial back = storage.trial(t.trialId());
        assertThat(back.intermediateValues()).containsExactly(Map.entry(0, 0.9), Map.entry(1, 0.6), Map.entry(2, 0.5));
        assertThat(back.lastIntermediateValue()).contains(0.5);
        assertThatThrownBy(() -> storage.setTrialIntermediateValue(t.trialId(), -1, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void userAndSystemAttrs_roundTripJsonValues() {
        StudyRef s = study("attrs");
        FrozenTrial t = storage.startTrial(s.studyId(), "w");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", 1);
        nested.put("b", List.of("x", "y"));
        storage.setTrialUserAttr(t.trialId(), "note", "first try");
        storage.setTrialUserAttr(t.trialId(), "epochs", 12);
        storage.setTrialUserAttr(t.trialId(), "cfg", nested);
        storage.setTrialUserAttr(t.trialId(), "note", "second try");
        storage.setTrialSystemAttr(t.trialId(), "host", "node-1");

        FrozenTrial back = storage.trial(t.trialId());
        assertThat(back.userAttrs()).containsEntry("note", "second try").containsEntry("epochs", 12).containsEntry("cfg", nested)
                .hasSize(3);
        assertThat(back.systemAttrs()).containsEntry("host", "node-1").containsEntry("worker", "w");
    }

    /**
     * Staleness is measured on the storage's own clock (the database's for JDBC), so this contract test waits in
     * real time. The margins are generous on purpose: the dead trial is silent for at least 1.6 s against a grace
     * period of 1 s (a sleep lasts at least as long as asked), and the live one would be failed only if this
     * thread were starved for more than 0.9 s between two heartbeats 100 ms apart. The loop is bounded.
     */
    @Test
    void failStaleTrials_failsOnlyTrialsWithoutRecentHeartbeat_andTheirFinishReturnsFalse() throws Exception {
        StudyRef s = study("heartbeats");
        FrozenTrial alive = storage.startTrial(s.studyId(), "alive");
        FrozenTrial dead = storage.startTrial(s.studyId(), "dead");
        Duration grace = Duration.ofMillis(1000);

        assertThat(storage.failStaleTrials(s.studyId(), grace)).isEmpty();
        for (int beat = 0; beat < 16; beat++) {
            storage.recordHeartbeat(alive.trialId());
            Thread.sleep(100);
        }
        storage.recordHeartbeat(alive.trialId());
        List<FrozenTrial> failed = storage.failStaleTrials(s.studyId(), grace);

        assertThat(failed).extracting(FrozenTrial::trialId).containsExactly(dead.trialId());
        FrozenTrial deadNow = storage.trial(dead.trialId());
        assertThat(deadNow.state()).isEqualTo(TrialState.FAIL);
        assertThat(deadNow.finished()).isPresent();
        assertThat(deadNow.systemAttrs()).containsKey("fail_reason");
        assertThat(String.valueOf(deadNow.systemAttrs().get("fail_reason"))).contains("heartbeat");
        assertThat(storage.trial(alive.trialId()).state()).isEqualTo(TrialState.RUNNING);
        assertThat(storage.failStaleTrials(s.studyId(), grace)).isEmpty();

        assertThat(storage.finishTrial(dead.trialId(), TrialState.COMPLETE, List.of(1.0))).isFalse();
        assertThat(storage.trial(dead.trialId()).state()).isEqualTo(TrialState.FAIL);
        assertThat(storage.trial(dead.trialId()).values()).isEmpty();
        assertThat(storage.finishTrial(alive.trialId(), TrialState.COMPLETE, List.of(2.0))).isTrue();
    }

    @Test
    void finishTrial_recordsStateAndValues_onlyOnce() {
        StudyRef s = study("finish");
        FrozenTrial c = storage.startTrial(s.studyId(), "w");
        FrozenTrial p = storage.startTrial(s.studyId(), "w");
        FrozenTrial f = storage.startTrial(s.studyId(), "w");

        assertThat(storage.finishTrial(c.trialId(), TrialState.COMPLETE, List.of(0.25))).isTrue();
        assertThat(storage.finishTrial(p.trialId(), TrialState.PRUNED, List.of())).isTrue();
        assertThat(storage.finishTrial(f.trialId(), TrialState.FAIL, List.of())).isTrue();
        assertThat(storage.finishTrial(c.trialId(), TrialState.COMPLETE, List.of(9.0))).isFalse();
        assertThat(storage.finishTrial(p.trialId(), TrialState.COMPLETE, List.of(9.0))).isFalse();

        FrozenTrial back = storage.trial(c.trialId());
        assertThat(back.state()).isEqualTo(TrialState.COMPLETE);
        assertThat(back.value()).isEqualTo(0.25);
        assertThat(back.finished()).isPresent();
        assertThat(storage.trial(p.trialId()).state()).isEqualTo(TrialState.PRUNED);
        assertThat(storage.trials(s.studyId(), Set.of(TrialState.PRUNED, TrialState.FAIL)))
                .extracting(FrozenTrial::trialId).containsExactly(p.trialId(), f.trialId());
        assertThat(storage.trials(s.studyId(), Set.of())).extracting(FrozenTrial::number).containsExactly(0, 1, 2);
        assertThatThrownBy(() -> storage.finishTrial(c.trialId(), TrialState.RUNNING, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void samplerTime_isStoredWithTheFinish_andAbsentOtherwise() {
        StudyRef s = study("sampler-time");
        FrozenTrial timed = storage.startTrial(s.studyId(), "w");
        FrozenTrial untimed = storage.startTrial(s.studyId(), "w");
        FrozenTrial running = storage.startTrial(s.studyId(), "w");
        assertThat(storage.finishTrial(timed.trialId(), TrialState.COMPLETE, List.of(1.0), Duration.ofNanos(1_234_567_891)))
                .isTrue();
        assertThat(storage.finishTrial(untimed.trialId(), TrialState.PRUNED, List.of())).isTrue();
        assertThat(storage.trial(timed.trialId()).samplerTime()).contains(Duration.ofNanos(1_234_567_891));
        assertThat(storage.trial(untimed.trialId()).samplerTime()).isEmpty();
        assertThat(storage.trial(running.trialId()).samplerTime()).isEmpty();
        assertThatThrownBy(() -> storage.finishTrial(running.trialId(), TrialState.FAIL, List.of(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samplerTime must be >= 0");
        assertThat(storage.trial(running.trialId()).state()).isEqualTo(TrialState.RUNNING);
    }

    private static FrozenTrial template(TrialState state, List<Double> values, Map<String, Double> params,
            Map<String, io.autoglm.automl.search.Distribution> dists) {
        return new FrozenTrial(-1, -1, state, values, params, dists, Map.of("note", "from a notebook"), Map.of(),
                new java.util.TreeMap<>(Map.of(0, 0.9, 3, 0.4)), java.util.Optional.of(java.time.Instant.ofEpochMilli(1_000_000)),
                java.util.Optional.of(java.time.Instant.ofEpochMilli(1_005_000)), java.util.Optional.empty());
    }

    @Test
    void addTrial_storesAFinishedTrialWithTheNextNumber_inOneStep() {
        StudyRef s = study("added");
        FrozenTrial running = storage.startTrial(s.studyId(), "w");
        Map<String, Double> params = new LinkedHashMap<>();
        params.put("lr", 0.01);
        params.put("layers", 3.0);
        Map<String, io.autoglm.automl.search.Distribution> dists = new LinkedHashMap<>();
        dists.put("lr", new FloatDistribution(1e-5, 1, true, null));
        dists.put("layers", new IntDistribution(1, 8, false, 1));
        FrozenTrial added = storage.addTrial(s.studyId(), template(TrialState.COMPLETE, List.of(0.25), params, dists));
        FrozenTrial failed = storage.addTrial(s.studyId(), template(TrialState.FAIL, List.of(), Map.of(), Map.of()));

        assertThat(added.number()).isEqualTo(1);
        assertThat(failed.number()).isEqualTo(2);
        assertThat(added.trialId()).isNotIn(running.trialId(), failed.trialId());
        FrozenTrial back = storage.trial(added.trialId());
        assertThat(back).isEqualTo(added);
        assertThat(back.state()).isEqualTo(TrialState.COMPLETE);
        assertThat(back.value()).isEqualTo(0.25);
        assertThat(back.params()).containsExactly(Map.entry("lr", 0.01), Map.entry("layers", 3));
        assertThat(back.distributions()).isEqualTo(dists);
        assertThat(back.userAttrs()).containsExactly(Map.entry("note", "from a notebook"));
        assertThat(back.intermediateValues()).containsExactly(Map.entry(0, 0.9), Map.entry(3, 0.4));
        assertThat(back.started()).contains(java.time.Instant.ofEpochMilli(1_000_000));
        assertThat(back.finished()).contains(java.time.Instant.ofEpochMilli(1_005_000));
        assertThat(back.samplerTime()).isEmpty();
        assertThat(storage.trial(failed.trialId()).state()).isEqualTo(TrialState.FAIL);
        // the added trial's distributions are the study's now: an incompatible later use is refused
        assertThatThrownBy(() -> storage.setTrialParam(running.trialId(), "layers", 0.5, new FloatDistribution(0, 1, false, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers");
        assertThat(storage.trials(s.studyId(), Set.of())).extracting(FrozenTrial::number).containsExactly(0, 1, 2);
        // a trial not added through startTrial never claims or disturbs the queue
        FrozenTrial waiting = storage.enqueueTrial(s.studyId(), Map.of("lr", 0.1));
        storage.addTrial(s.studyId(), template(TrialState.PRUNED, List.of(), Map.of(), Map.of()));
        assertThat(storage.trial(waiting.trialId()).state()).isEqualTo(TrialState.WAITING);
    }

    @Test
    void addTrial_badTrials_areRejected_andNothingIsStored() {
        StudyRef s = study("added-bad");
        StudyRef two = storage.createStudy("added-two", List.of(StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE));
        FrozenTrial t = storage.startTrial(s.studyId(), "w");
        storage.setTrialParam(t.trialId(), "x", 0.5, new FloatDistribution(0, 1, false, null));
        var cat = new CategoricalDistribution(List.of("a", "b"));
        assertThatThrownBy(() -> storage.addTrial(s.studyId(), template(TrialState.COMPLETE, List.of(1.0), Map.of("x", 0.0),
                Map.of("x", cat)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> storage.addTrial(s.studyId(), template(TrialState.COMPLETE, List.of(1.0), Map.of("y", 5.0),
                Map.of("y", new FloatDistribution(0, 1, false, null))))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'y'");
        assertThatThrownBy(() -> storage.addTrial(two.studyId(), template(TrialState.COMPLETE, List.of(1.0), Map.of(), Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 value(s)");
        assertThatThrownBy(() -> storage.addTrial(s.studyId(), template(TrialState.PRUNED, List.of(1.0), Map.of(), Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a COMPLETE trial has values");
        assertThatThrownBy(() -> storage.addTrial(s.studyId(), template(TrialState.RUNNING, List.of(), Map.of(), Map.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.addTrial(987_654, template(TrialState.FAIL, List.of(), Map.of(), Map.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(storage.trials(s.studyId(), Set.of())).hasSize(1);
        assertThat(storage.trials(two.studyId(), Set.of())).isEmpty();
        assertThat(storage.startTrial(s.studyId(), "w").number()).isEqualTo(1);
    }

    @Test
    void unknownIds_areRejected() {
        assertThatThrownBy(() -> storage.trial(987_654)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.startTrial(987_654, "w")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.trials(987_654, Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void close_isIdempotent_andUseAfterCloseFails() {
        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.studies()).isInstanceOf(IllegalStateException.class);
        storage = null;
    }
}
