package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.search.Distribution;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryStorageTest {
    private final Distribution unit = new Distribution.FloatDistribution(0, 1, false, null);

    @Test
    void startTrial_fromManyThreads_numbersAreUniqueAndContiguous() throws Exception {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        FrozenTrial t = s.startTrial(id, "w");
                        s.finishTrial(t.trialId(), TrialState.COMPLETE, List.of((double) i));
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            List<Integer> numbers = new ArrayList<>(s.trials(id, Set.of()).stream().map(FrozenTrial::number).toList());
            Collections.sort(numbers);
            assertThat(numbers).hasSize(1000);
            for (int i = 0; i < 1000; i++) {
                assertThat(numbers.get(i)).isEqualTo(i);
            }
            assertThat(s.trials(id, Set.of(TrialState.COMPLETE))).hasSize(1000);
        }
    }

    @Test
    void startTrial_claimsEnqueuedTrialFirst() {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial w = s.enqueueTrial(id, Map.of("x", 0.5));
            assertThat(w.state()).isEqualTo(TrialState.WAITING);
            FrozenTrial r = s.startTrial(id, "worker-1");
            assertThat(r.trialId()).isEqualTo(w.trialId());
            assertThat(r.state()).isEqualTo(TrialState.RUNNING);
            assertThat(r.systemAttrs()).containsEntry("worker", "worker-1").containsKey("fixed_params");
            assertThat(s.startTrial(id, "worker-1").number()).isEqualTo(1);
        }
    }

    @Test
    void setTrialParam_sameNameOtherKind_isRejectedWithClearMessage() {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial a = s.startTrial(id, "w");
            s.setTrialParam(a.trialId(), "x", 0.3, unit);
            FrozenTrial b = s.startTrial(id, "w");
            assertThatThrownBy(() -> s.setTrialParam(b.trialId(), "x", 1, new Distribution.IntDistribution(0, 3, false, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'").hasMessageContaining("IntDistribution");
            assertThatThrownBy(() -> s.setTrialParam(b.trialId(), "x", 2, unit))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in");
            assertThat(s.trial(a.trialId()).internalParams()).containsEntry("x", 0.3);
        }
    }

    @Test
    void finishTrial_twice_returnsFalseAndKeepsFirstResult() {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial t = s.startTrial(id, "w");
            assertThat(s.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(1.0))).isTrue();
            assertThat(s.finishTrial(t.trialId(), TrialState.FAIL, List.of())).isFalse();
            assertThat(s.trial(t.trialId()).state()).isEqualTo(TrialState.COMPLETE);
            assertThatThrownBy(() -> s.setTrialIntermediateValue(t.trialId(), 0, 1.0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void finishTrial_completeWithNaN_isRejected() {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial t = s.startTrial(id, "w");
            assertThatThrownBy(() -> s.finishTrial(t.trialId(), TrialState.COMPLETE, List.of(Double.NaN)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(s.trial(t.trialId()).state()).isEqualTo(TrialState.RUNNING);
        }
    }

    @Test
    void failStaleTrials_failsOnlySilentTrials_onTheStoragesClock() {
        MutableClock clock = new MutableClock();
        try (InMemoryStorage s = new InMemoryStorage(clock)) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial silent = s.startTrial(id, "dead");
            FrozenTrial alive = s.startTrial(id, "alive");
            clock.advance(Duration.ofMillis(100));
            assertThat(s.failStaleTrials(id, Duration.ofMillis(100))).as("exactly the grace period is not stale").isEmpty();
            clock.advance(Duration.ofMillis(50));
            s.recordHeartbeat(alive.trialId());
            List<FrozenTrial> failed = s.failStaleTrials(id, Duration.ofMillis(100));
            assertThat(failed).extracting(FrozenTrial::trialId).containsExactly(silent.trialId());
            assertThat(s.trial(silent.trialId()).state()).isEqualTo(TrialState.FAIL);
            assertThat(s.trial(silent.trialId()).systemAttrs().get("fail_reason").toString()).contains("heartbeat");
            assertThat(s.trial(alive.trialId()).state()).isEqualTo(TrialState.RUNNING);
            assertThat(s.finishTrial(silent.trialId(), TrialState.COMPLETE, List.of(1.0))).isFalse();
            assertThat(s.trial(silent.trialId()).started()).contains(java.time.Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(s.trial(silent.trialId()).finished()).contains(java.time.Instant.parse("2026-01-01T00:00:00.150Z"));
        }
    }

    /** A clock that moves only when told. */
    private static final class MutableClock extends java.time.Clock {
        private java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void createStudy_duplicateName_isRejected_andClosedStorageThrows() {
        InMemoryStorage s = new InMemoryStorage();
        s.createStudy("s", List.of(StudyDirection.MINIMIZE));
        assertThatThrownBy(() -> s.createStudy("s", List.of(StudyDirection.MAXIMIZE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
        s.close();
        s.close();
        assertThatThrownBy(s::studies).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void deleteStudy_removesItsTrials() {
        try (InMemoryStorage s = new InMemoryStorage()) {
            long id = s.createStudy("s", List.of(StudyDirection.MINIMIZE)).studyId();
            FrozenTrial t = s.startTrial(id, "w");
            s.deleteStudy(id);
            assertThat(s.findStudy("s")).isEmpty();
            assertThatThrownBy(() -> s.trial(t.trialId())).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
