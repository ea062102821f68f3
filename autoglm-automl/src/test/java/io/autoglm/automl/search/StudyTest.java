package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.storage.InMemoryStorage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyTest {

    private static Study study(Sampler sampler, long seed) {
        return Study.builder().sampler(sampler).seed(seed).pruner(Pruners.none()).build();
    }

    private static double mixed(Trial t) {
        double x = t.suggestFloat("x", -3, 3);
        double lr = t.suggestFloat("lr", 1e-4, 1, true);
        int k = t.suggestInt("k", 1, 9, 2);
        String c = t.suggestCategorical("c", List.of("a", "b", "c"));
        return x * x + Math.abs(Math.log10(lr) + 2) + k + (c.equals("b") ? 0 : 1);
    }

    private static List<Map<String, Object>> paramsOf(Study s) {
        return s.trials().stream().map(FrozenTrial::params).toList();
    }

    @Test
    void seededStudies_withSameSeed_produceIdenticalTrials_forEverySampler() {
        List<Supplier<Sampler>> samplers = List.of(RandomSampler::new, () -> TpeSampler.builder().build(),
                () -> TpeSampler.builder().multivariate(true).build(), () -> GpSampler.builder().nCandidates(128).build());
        for (Supplier<Sampler> make : samplers) {
            Study a = study(make.get(), 7);
            Study b = study(make.get(), 7);
            Study c = study(make.get(), 8);
            a.optimize(StudyTest::mixed, 16);
            b.optimize(StudyTest::mixed, 16);
            c.optimize(StudyTest::mixed, 16);
            assertThat(paramsOf(a)).as(make.get().toString()).isEqualTo(paramsOf(b));
            assertThat(paramsOf(a)).as(make.get().toString()).isNotEqualTo(paramsOf(c));
        }
    }

    @Test
    void suggestedValues_respectTheirDistributions() {
        Study s = study(TpeSampler.builder().nStartupTrials(3).build(), 1);
        s.optimize(t -> {
            double x = t.suggestFloat("x", -3, 3);
            double lr = t.suggestFloat("lr", 1e-4, 1, true);
            double q = t.suggestFloat("q", 0, 1, 0.25);
            int k = t.suggestInt("k", 1, 9, 2);
            int n = t.suggestInt("n", 1, 1000, true);
            assertThat(x).isBetween(-3.0, 3.0);
            assertThat(lr).isBetween(1e-4, 1.0);
            assertThat(q * 4).isEqualTo(Math.rint(q * 4));
            assertThat(k % 2).isEqualTo(1);
            assertThat(n).isBetween(1, 1000);
            assertThat(t.suggestFloat("x", -3, 3)).isEqualTo(x);
            return x * x + k + q;
        }, 30);
        assertThat(s.trials(EnumSet.of(TrialState.COMPLETE))).hasSize(30);
    }

    @Test
    void suggest_badArguments_failWithMessagesNamingTheProblem() {
        Study s = study(new RandomSampler(), 1);
        Trial t = s.ask();
        assertThatThrownBy(() -> t.suggestFloat("x", 2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'").hasMessageContaining("low must be <= high");
        assertThatThrownBy(() -> t.suggestFloat("y", 0, 1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log scale needs low > 0");
        assertThatThrownBy(() -> t.suggestFloat("y", -1, 1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.suggestInt("i", 0, 10, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log scale needs low >= 1");
        assertThatThrownBy(() -> t.suggestCategorical("c", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("choices must not be empty");
        assertThatThrownBy(() -> t.suggestFloat("z", 0, 1, -0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step must be > 0");
        assertThatThrownBy(() -> t.suggestFloat("n", Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        t.suggestFloat("x", 0, 1);
        assertThatThrownBy(() -> t.suggestInt("x", 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
    }

    @Test
    void sameNameWithDifferentDistributionInAnotherTrial_isAnError() {
        Study s = study(new RandomSampler(), 1);
        s.optimize(t -> t.suggestFloat("x", 0, 1), 1);
        Trial t = s.ask();
        assertThatThrownBy(() -> t.suggestCategorical("x", List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 'x' was already suggested in this study");
        assertThatThrownBy(() -> t.suggestFloat("x", 0.1, 1, true)).isInstanceOf(IllegalArgumentException.class);
        // the stored trial is intact
        assertThat(s.trials().get(0).params()).containsOnlyKeys("x");
    }

    @Test
    void nanOrInfiniteObjective_isRecordedAsFail_andNeverBest() {
        Study s = study(new RandomSampler(), 3);
        double[] out = {5.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 7.0};
        int[] i = {0};
        s.optimize(t -> {
            t.suggestFloat("x", 0, 1);
            return out[i[0]++];
        }, out.length);
        List<FrozenTrial> trials = s.trials();
        assertThat(trials).extracting(FrozenTrial::state).containsExactly(TrialState.COMPLETE, TrialState.FAIL,
                TrialState.FAIL, TrialState.FAIL, TrialState.COMPLETE);
        assertThat(trials.get(1).systemAttrs().get("fail_reason").toString()).contains("NaN");
        assertThat(s.bestValue()).isEqualTo(5.0);
        assertThat(s.bestTrial().number()).isZero();
    }

    @Test
    void throwingObjective_isRecordedAsFailWithMessage_andRetriedWhenAsked() {
        Study s = Study.builder().sampler(new RandomSampler()).seed(1).failedTrialRetries(2).build();
        s.optimize(t -> {
            double x = t.suggestFloat("x", 0, 1);
            if (t.number() < 3) {
                throw new IllegalStateException("boom at " + t.number());
            }
            return x;
        }, 4);
        List<FrozenTrial> trials = s.trials();
        assertThat(trials).hasSize(4);
        assertThat(trials.get(0).state()).isEqualTo(TrialState.FAIL);
        assertThat(trials.get(0).systemAttrs().get("fail_reason")).isEqualTo("IllegalStateException: boom at 0");
        // trials 1 and 2 are the retries of trial 0 with the same parameters; trial 3 runs them once more and succeeds
        assertThat(trials.get(1).params()).isEqualTo(trials.get(0).params());
        assertThat(trials.get(2).params()).isEqualTo(trials.get(0).params());
        assertThat(trials.get(2).systemAttrs()).containsEntry("retry_count", 2);
        assertThat(trials.get(3).state()).isEqualTo(TrialState.COMPLETE);
        assertThatThrownBy(() -> study(new RandomSampler(), 1).bestTrial()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no COMPLETE trial");
    }

    @Test
    void enqueuedTrial_runsFirstWithItsFixedParams() {
        Study s = study(TpeSampler.builder().build(), 1);
        s.enqueueTrial(Map.of("x", 0.25, "c", "b"));
        s.optimize(t -> {
            String c = t.suggestCategorical("c", List.of("a", "b"));
            double x = t.suggestFloat("x", 0, 1);
            double y = t.suggestFloat("y", 0, 1);
            return x + y + (c.equals("a") ? 1 : 0);
        }, 3);
        FrozenTrial first = s.trials().get(0);
        assertThat(first.params()).containsEntry("x", 0.25).containsEntry("c", "b").containsKey("y");
        s.enqueueTrial(Map.of("x", 5.0));
        s.optimize(t -> t.suggestFloat("x", 0, 1), 1);
        FrozenTrial bad = s.trials().get(3);
        assertThat(bad.state()).isEqualTo(TrialState.FAIL);
        assertThat(bad.systemAttrs().get("fail_reason").toString()).contains("enqueued value 5.0 of 'x' is outside");
    }

    @Test
    void askAndTell_recordValuesStatesAndUserAttributes() {
        Study s = Study.builder().direction(StudyDirection.MAXIMIZE).sampler(new RandomSampler()).seed(2).build();
        Trial a = s.ask();
        double x = a.suggestFloat("x", 0, 10);
        a.setUserAttr("note", "first");
        s.tell(a, x);
        Trial b = s.ask();
        b.suggestFloat("x", 0, 10);
        s.tell(b, TrialState.PRUNED);
        Trial c = s.ask();
        s.tell(c, 100.0);
        assertThatThrownBy(() -> s.tell(c, 1.0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.suggestFloat("x", 0, 10)).isInstanceOf(IllegalStateException.class);
        assertThat(s.trials()).extracting(FrozenTrial::state).containsExactly(TrialState.COMPLETE, TrialState.PRUNED,
                TrialState.COMPLETE);
        assertThat(s.bestValue()).isEqualTo(100.0);
        assertThat(s.trials().get(0).userAttrs()).containsEntry("note", "first");
    }

    @Test
    void conditionalSearchSpace_onlyRecordsTheBranchTaken_andTpeHandlesIt() {
        Study s = study(TpeSampler.builder().nStartupTrials(5).build(), 4);
        s.optimize(t -> {
            String kind = t.suggestCategorical("kind", List.of("linear", "tree"));
            if (kind.equals("tree")) {
                int depth = t.suggestInt("depth", 1, 10);
                return Math.abs(depth - 4);
            }
            double c = t.suggestFloat("c", 1e-3, 1e3, true);
            return 1 + Math.abs(Math.log10(c));
        }, 40);
        for (FrozenTrial t : s.trials()) {
            if (t.params().get("kind").equals("tree")) {
                assertThat(t.params()).containsOnlyKeys("kind", "depth");
            } else {
                assertThat(t.params()).containsOnlyKeys("kind", "c");
            }
        }
        assertThat(s.bestValue()).isLessThanOrEqualTo(1.0);
        assertThat(s.bestParams()).containsEntry("kind", "tree");
    }

    @Test
    void parallelOptimize_runsExactlyNTrialsWithUniqueNumbers() {
        Study s = study(TpeSampler.builder().constantLiar(true).build(), 1);
        s.optimize(t -> {
            double x = t.suggestFloat("x", -1, 1);
            Thread.sleep(2);
            return x * x;
        }, 40, Duration.ofMinutes(1), 4);
        List<FrozenTrial> trials = s.trials();
        assertThat(trials).hasSize(40);
        Set<Integer> numbers = new HashSet<>();
        trials.forEach(t -> numbers.add(t.number()));
        assertThat(numbers).hasSize(40);
        assertThat(trials).allSatisfy(t -> assertThat(t.state()).isEqualTo(TrialState.COMPLETE));
    }

    @Test
    void optimize_timeout_stopsStartingTrials() {
        Study s = study(new RandomSampler(), 1);
        long t0 = System.nanoTime();
        s.optimize(t -> {
            Thread.sleep(20);
            return t.suggestFloat("x", 0, 1);
        }, 10_000, Duration.ofMillis(200), 1);
        assertThat((System.nanoTime() - t0) / 1e6).isLessThan(2000);
        assertThat(s.trials().size()).isBetween(2, 20);
    }

    @Test
    void loadIfExists_resumesByName_andOtherDirectionIsRejected() {
        InMemoryStorage storage = new InMemoryStorage();
        Study a = Study.builder().name("shared").storage(storage).sampler(new RandomSampler()).build();
        a.optimize(t -> t.suggestFloat("x", 0, 1), 3);
        assertThatThrownBy(() -> Study.builder().name("shared").storage(storage).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loadIfExists");
        assertThatThrownBy(() -> Study.builder().name("shared").storage(storage).loadIfExists(true)
                .direction(StudyDirection.MAXIMIZE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directions");
        Study b = Study.builder().name("shared").storage(storage).loadIfExists(true).sampler(new RandomSampler()).build();
        b.optimize(t -> t.suggestFloat("x", 0, 1), 2);
        assertThat(a.trials()).hasSize(5);
        assertThat(a.trials()).extracting(FrozenTrial::number).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void heartbeat_staleTrialOfDeadWorkerIsFailed_andReenqueued() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Study dead = Study.builder().name("hb").storage(storage).sampler(new RandomSampler())
                .heartbeatInterval(Duration.ofMillis(20)).gracePeriod(Duration.ofMillis(150)).build();
        Trial orphan = dead.ask();
        double x = orphan.suggestFloat("x", 0, 1);
        dead.close(); // its heartbeat thread stops: the worker "died" mid-trial
        Thread.sleep(300);
        Study live = Study.builder().name("hb").storage(storage).loadIfExists(true).sampler(new RandomSampler())
                .heartbeatInterval(Duration.ofMillis(20)).gracePeriod(Duration.ofMillis(150)).reenqueueStaleTrials(true)
                .build();
        live.optimize(t -> {
            Thread.sleep(250); // longer than the grace period: heartbeats keep it alive
            return t.suggestFloat("x", 0, 1);
        }, 2);
        List<FrozenTrial> trials = live.trials();
        assertThat(trials.get(0).state()).isEqualTo(TrialState.FAIL);
        assertThat(trials.get(0).systemAttrs().get("fail_reason").toString()).contains("heartbeat");
        assertThat(trials.get(1).params()).containsEntry("x", x);
        assertThat(trials.get(1).systemAttrs()).containsEntry("retried_from", 0);
        assertThat(trials.subList(1, 3)).allSatisfy(t -> assertThat(t.state()).isEqualTo(TrialState.COMPLETE));
        live.close();
    }

    @Test
    void gracePeriodAlone_isAcceptedForASharedStorage_notForInMemory() throws Exception {
        InMemoryStorage inner = new InMemoryStorage();
        io.autoglm.automl.storage.Storage shared = (io.autoglm.automl.storage.Storage) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.autoglm.automl.storage.Storage.class}, (proxy, m, args) -> {
                    try {
                        return m.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        // a grace period alone is accepted for a shared storage (heartbeats default to 10 s) ...
        Study s = Study.builder().name("shared").storage(shared).gracePeriod(Duration.ofSeconds(30)).sampler(new RandomSampler())
                .build();
        s.optimize(t -> t.suggestFloat("x", 0, 1), 2);
        assertThat(s.trials()).hasSize(2);
        s.close();
        // ... but not for the in-memory default, which nothing else can share
        assertThatThrownBy(() -> Study.builder().gracePeriod(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
        assertThat(Study.DEFAULT_SHARED_HEARTBEAT).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void export_csvAndJson_containEveryTrial(@TempDir Path dir) throws Exception {
        Study s = study(new RandomSampler(), 5);
        s.optimize(t -> {
            double x = t.suggestFloat("x", 0, 1);
            t.setUserAttr("tag", "a,b");
            if (t.number() == 1) {
                throw new RuntimeException("bad \"input\"");
            }
            return x;
        }, 3);
        StringWriter w = new StringWriter();
        s.exportCsv(w);
        List<String> lines = w.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo(
                "number,state,value,datetime_start,datetime_complete,duration_seconds,params_x,user_attrs_tag,fail_reason");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).startsWith("1,FAIL,,").endsWith("\"a,b\",\"RuntimeException: bad \"\"input\"\"\"");
        Path json = dir.resolve("t.json");
        s.exportJson(json);
        String text = Files.readString(json);
        assertThat(com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(text)).hasSize(3);
        assertThat(text).contains("\"state\" : \"FAIL\"").contains("\"kind\" : \"float\"");
        s.exportCsv(dir.resolve("t.csv"));
        assertThat(Files.readAllLines(dir.resolve("t.csv"))).hasSize(4);
    }

    @Test
    void gridSampler_visitsEveryPointOnce() {
        GridSampler grid = new GridSampler(Map.of("a", List.of(1, 2, 3), "b", List.of("x", "y")));
        Study s = study(grid, 1);
        s.optimize(t -> t.suggestInt("a", 1, 3) + (t.suggestCategorical("b", List.of("x", "y")).equals("x") ? 0 : 10), 6);
        Set<Map<String, Object>> seen = new HashSet<>(paramsOf(s));
        assertThat(seen).hasSize(6);
        assertThatThrownBy(() -> new GridSampler(Map.of("a", List.of()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void multiObjective_bestTrialsIsTheParetoFront() {
        Study s = Study.builder().directions(List.of(StudyDirection.MINIMIZE, StudyDirection.MINIMIZE))
                .sampler(new RandomSampler()).seed(3).build();
        s.optimizeMulti(t -> {
            double x = t.suggestFloat("x", 0, 1);
            return new double[] {x, 1 - x + (t.number() % 2 == 0 ? 0 : 0.5)};
        }, 20, null, 1);
        List<FrozenTrial> front = s.bestTrials();
        assertThat(front).isNotEmpty().allSatisfy(t -> assertThat(t.number() % 2).isZero());
        assertThatThrownBy(s::bestTrial).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builder_rejectsBadSettings() {
        assertThatThrownBy(() -> Study.builder().name(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Study.builder().failedTrialRetries(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> Study.builder().heartbeatInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Study.builder().gracePeriod(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
        Study s = study(new RandomSampler(), 1);
        assertThatThrownBy(() -> s.optimize(t -> 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nTrials must be >= 1");
        assertThatThrownBy(() -> s.optimize(t -> 0, 1, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TpeSampler.builder().nEiCandidates(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
