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
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyTest {

    private static Study study(Sampler sampler) {
        return Study.builder().sampler(sampler).pruner(Pruners.none().build()).build();
    }

    private static Sampler random(long seed) {
        return Samplers.random().seed(seed).build();
    }

    private static double mixed(Trial t) {
        double x = t.suggestFloat("x", -3, 3);
        double lr = t.suggestFloatLog("lr", 1e-4, 1);
        int k = t.suggestIntStep("k", 1, 9, 2);
        String c = t.suggestCategorical("c", List.of("a", "b", "c"));
        return x * x + Math.abs(Math.log10(lr) + 2) + k + (c.equals("b") ? 0 : 1);
    }

    private static List<Map<String, Object>> paramsOf(Study s) {
        return s.trials().stream().map(FrozenTrial::params).toList();
    }

    @Test
    void samplersWithTheSameSeed_produceIdenticalTrials_forEverySampler() {
        List<LongFunction<Sampler>> samplers = List.of(StudyTest::random,
                seed -> Samplers.tpe().seed(seed).build(),
                seed -> Samplers.tpe().multivariate(false).seed(seed).build(),
                seed -> Samplers.gp().nCandidates(128).seed(seed).build(),
                seed -> Samplers.grid().param("c", List.of("a", "b", "c")).param("k", List.of(1, 3, 5, 7, 9)).seed(seed).build());
        for (LongFunction<Sampler> make : samplers) {
            Sampler seven = make.apply(7);
            assertThat(seven.seed()).isEqualTo(7);
            Study a = study(seven);
            Study b = study(make.apply(7));
            Study c = study(make.apply(8));
            a.optimize(StudyTest::mixed, 16);
            b.optimize(StudyTest::mixed, 16);
            c.optimize(StudyTest::mixed, 16);
            assertThat(paramsOf(a)).as(seven.toString()).isEqualTo(paramsOf(b));
            assertThat(paramsOf(a)).as(seven.toString()).isNotEqualTo(paramsOf(c));
        }
    }

    @Test
    void samplersWithoutASeed_drawDifferentOnes() {
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            seeds.add(Samplers.tpe().build().seed());
            seeds.add(Samplers.random().build().seed());
        }
        assertThat(seeds).hasSize(10);
    }

    @Test
    void suggestedValues_respectTheirDistributions() {
        Study s = study(Samplers.tpe().nStartupTrials(3).seed(1).build());
        s.optimize(t -> {
            double x = t.suggestFloat("x", -3, 3);
            double lr = t.suggestFloatLog("lr", 1e-4, 1);
            double q = t.suggestFloatStep("q", 0, 1, 0.25);
            int k = t.suggestIntStep("k", 1, 9, 2);
            int n = t.suggestIntLog("n", 1, 1000);
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
        Study s = study(random(1));
        Trial t = s.ask();
        assertThatThrownBy(() -> t.suggestFloat("x", 2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'").hasMessageContaining("low must be <= high");
        assertThatThrownBy(() -> t.suggestFloatLog("y", 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("suggestFloatLog('y'): log scale needs low > 0, was low=0.0");
        assertThatThrownBy(() -> t.suggestFloatLog("y", -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.suggestIntLog("i", 0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("log scale needs low >= 1");
        assertThatThrownBy(() -> t.suggestIntStep("i", 0, 10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("suggestIntStep('i'): step must be >= 1, was 0");
        assertThatThrownBy(() -> t.suggestCategorical("c", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("choices must not be empty");
        assertThatThrownBy(() -> t.suggestFloatStep("z", 0, 1, -0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step must be > 0");
        assertThatThrownBy(() -> t.suggestFloat("n", Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        t.suggestFloat("x", 0, 1);
        assertThatThrownBy(() -> t.suggestInt("x", 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
    }

    @Test
    void sameNameWithDifferentDistributionInAnotherTrial_isAnError() {
        Study s = study(random(1));
        s.optimize(t -> t.suggestFloat("x", 0, 1), 1);
        Trial t = s.ask();
        assertThatThrownBy(() -> t.suggestCategorical("x", List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 'x' was already suggested in this study");
        assertThatThrownBy(() -> t.suggestFloatLog("x", 0.1, 1)).isInstanceOf(IllegalArgumentException.class);
        // the stored trial is intact
        assertThat(s.trials().get(0).params()).containsOnlyKeys("x");
    }

    @Test
    void nanOrInfiniteObjective_isRecordedAsFail_andNeverBest() {
        Study s = study(random(3));
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
        Study s = Study.builder().sampler(random(1)).failedTrialRetries(2).build();
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
        assertThatThrownBy(() -> study(random(1)).bestTrial()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no COMPLETE trial");
    }

    @Test
    void enqueuedTrial_runsFirstWithItsFixedParams() {
        Study s = study(Samplers.tpe().seed(1).build());
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
        Study s = Study.builder().direction(StudyDirection.MAXIMIZE).sampler(random(2)).build();
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
        for (boolean multivariate : List.of(true, false)) {
            Study s = study(Samplers.tpe().multivariate(multivariate).nStartupTrials(5).seed(4).build());
            s.optimize(t -> {
                String kind = t.suggestCategorical("kind", List.of("linear", "tree"));
                if (kind.equals("tree")) {
                    int depth = t.suggestInt("depth", 1, 10);
                    return Math.abs(depth - 4);
                }
                double c = t.suggestFloatLog("c", 1e-3, 1e3);
                return 1 + Math.abs(Math.log10(c));
            }, 40);
            checkConditional(s);
        }
    }

    private static void checkConditional(Study s) {
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
        Study s = study(Samplers.tpe().constantLiar(true).seed(1).build());
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
    void optimize_timeout_startsNoTrialAfterIt() {
        Study s = study(random(1));
        // a trial outlasts the timeout (a sleep lasts at least as long as asked), so no second one starts; the
        // first may not start either if this thread is descheduled for longer than the timeout, hence "at most 1"
        s.optimize(t -> {
            Thread.sleep(60);
            return t.suggestFloat("x", 0, 1);
        }, 10_000, Duration.ofMillis(30), 1);
        assertThat(s.trials()).hasSizeLessThanOrEqualTo(1);
        // a timeout that is not reached does not cut the run short
        int before = s.trials().size();
        s.optimize(t -> t.suggestFloat("x", 0, 1), 3, Duration.ofMinutes(10), 1);
        assertThat(s.trials()).hasSize(before + 3);
        assertThatThrownBy(() -> s.optimize(t -> 0, 1, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be > 0, was PT0S");
    }

    @Test
    void loadIfExists_resumesByName_andOtherDirectionIsRejected() {
        InMemoryStorage storage = new InMemoryStorage();
        Study a = Study.builder().name("shared").storage(storage).sampler(random(1)).build();
        a.optimize(t -> t.suggestFloat("x", 0, 1), 3);
        assertThatThrownBy(() -> Study.builder().name("shared").storage(storage).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loadIfExists");
        assertThatThrownBy(() -> Study.builder().name("shared").storage(storage).loadIfExists(true)
                .direction(StudyDirection.MAXIMIZE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directions");
        Study b = Study.builder().name("shared").storage(storage).loadIfExists(true).sampler(random(2)).build();
        b.optimize(t -> t.suggestFloat("x", 0, 1), 2);
        assertThat(a.trials()).hasSize(5);
        assertThat(a.trials()).extracting(FrozenTrial::number).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void heartbeat_staleTrialOfDeadWorkerIsFailed_andReenqueued() {
        MutableClock clock = new MutableClock();
        InMemoryStorage storage = new InMemoryStorage(clock);
        Study dead = Study.builder().name("hb").storage(storage).sampler(random(1))
                .heartbeatInterval(Duration.ofHours(1)).gracePeriod(Duration.ofHours(2)).build();
        Trial orphan = dead.ask();
        double x = orphan.suggestFloat("x", 0, 1);
        dead.close(); // its heartbeat thread stops: the worker "died" mid-trial
        clock.advance(Duration.ofMinutes(119));
        Study live = Study.builder().name("hb").storage(storage).loadIfExists(true).sampler(random(2))
                .heartbeatInterval(Duration.ofHours(1)).gracePeriod(Duration.ofHours(2)).reenqueueStaleTrials(true)
                .build();
        live.failStaleTrials();
        assertThat(live.trials().get(0).state()).as("silent for less than the grace period").isEqualTo(TrialState.RUNNING);
        clock.advance(Duration.ofMinutes(2));
        live.optimize(t -> t.suggestFloat("x", 0, 1), 2);
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
        Study s = Study.builder().name("shared").storage(shared).gracePeriod(Duration.ofSeconds(30)).sampler(random(1))
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
        Study s = study(new SlowSampler(random(5), 2));
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
        assertThat(lines.get(0)).isEqualTo("number,state,value,datetime_start,datetime_complete,duration_seconds,"
                + "sampler_seconds,params_x,user_attrs_tag,fail_reason");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).startsWith("1,FAIL,,").endsWith("\"a,b\",\"RuntimeException: bad \"\"input\"\"\"");
        // the sampler slept 2 ms for the one parameter of each trial: the recorded time is at least that
        for (String line : lines.subList(1, 4)) {
            assertThat(Double.parseDouble(line.split(",")[6])).as(line).isGreaterThanOrEqualTo(0.002);
        }
        Path json = dir.resolve("t.json");
        s.exportJson(json);
        String text = Files.readString(json);
        com.fasterxml.jackson.databind.JsonNode tree = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(text);
        assertThat(tree).hasSize(3);
        assertThat(tree.get(1).get("state").asText()).isEqualTo("FAIL");
        assertThat(tree.get(0).get("distributions").get("x").get("kind").asText()).isEqualTo("float");
        assertThat(tree.get(0).get("sampler_seconds").asDouble()).isGreaterThanOrEqualTo(0.002)
                .isEqualTo(s.trials().get(0).samplerTime().orElseThrow().toNanos() / 1e9);
        s.exportCsv(dir.resolve("t.csv"));
        assertThat(Files.readAllLines(dir.resolve("t.csv"))).hasSize(4);
    }

    @Test
    void gridSampler_visitsEveryPointOnce() {
        GridSampler grid = Samplers.grid().param("a", List.of(1, 2, 3)).param("b", List.of("x", "y")).seed(1).build();
        assertThat(grid.size()).isEqualTo(6);
        Study s = study(grid);
        s.optimize(t -> t.suggestInt("a", 1, 3) + (t.suggestCategorical("b", List.of("x", "y")).equals("x") ? 0 : 10), 6);
        Set<Map<String, Object>> seen = new HashSet<>(paramsOf(s));
        assertThat(seen).hasSize(6);
        assertThatThrownBy(() -> Samplers.grid().param("a", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("grid values of 'a' must not be empty");
        assertThatThrownBy(() -> Samplers.grid().param("a", List.of(1)).param("a", List.of(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("grid parameter 'a' was already given");
    }

    @Test
    void gridValueOfTheWrongType_failsTheTrialWithAMessage() {
        Study s = study(Samplers.grid().param("k", List.of(1.5, 2.5)).seed(1).build());
        s.optimize(t -> t.suggestInt("k", 1, 3), 1);
        assertThat(s.trials().get(0).state()).isEqualTo(TrialState.FAIL);
        assertThat(s.trials().get(0).systemAttrs().get("fail_reason").toString())
                .contains("grid value of 'k' does not fit its suggestion").contains("was 1.5 (Double)")
                .doesNotContain("was 2.5");
    }

    @Test
    void multiObjective_bestTrialsIsTheParetoFront() {
        Study s = Study.builder().directions(List.of(StudyDirection.MINIMIZE, StudyDirection.MINIMIZE))
                .sampler(random(3)).build();
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
        Study s = study(random(1));
        assertThatThrownBy(() -> s.optimize(t -> 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nTrials must be >= 1");
        assertThatThrownBy(() -> s.optimize(t -> 0, 1, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Samplers.tpe().nEiCandidates(0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- typed parameters, enqueued types, overloads --------------------------------------------

    @Test
    void intParameters_comeBackAsIntegers_andTypedAccessorsNameTheKind() {
        Study s = study(random(11));
        s.optimize(t -> t.suggestInt("k", 1, 9) + t.suggestFloat("x", 0, 1) + (t.suggestCategorical("c", List.of("a", "b"))
                .equals("a") ? 0 : 1), 5);
        FrozenTrial best = s.bestTrial();
        assertThat(best.params().get("k")).isInstanceOf(Integer.class);
        int k = (Integer) s.bestParams().get("k"); // threw ClassCastException when ints were stored as Long
        assertThat(best.intParam("k")).isEqualTo(k).isBetween(1, 9);
        assertThat(best.floatParam("x")).isEqualTo((Double) best.params().get("x"));
        assertThat(best.categoricalParam("c", String.class)).isIn("a", "b");
        assertThatThrownBy(() -> best.intParam("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("intParam('x'): parameter 'x' of trial").hasMessageEndingWith("; use floatParam");
        assertThatThrownBy(() -> best.floatParam("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("has no parameter 'nope'; its parameters are [k, x, c]");
        assertThatThrownBy(() -> best.categoricalParam("c", Integer.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("(String), not a Integer");
    }

    @Test
    void enqueuedValueOfTheWrongType_isAnError_neverRoundedOrConverted() {
        Study s = study(random(12));
        // the study has not seen 'k' yet: the type is checked when the trial suggests it, and the trial fails
        s.enqueueTrial(Map.of("k", 7.9));
        s.optimize(t -> t.suggestInt("k", 1, 10), 1);
        FrozenTrial first = s.trials().get(0);
        assertThat(first.state()).isEqualTo(TrialState.FAIL);
        assertThat(first.params()).doesNotContainKey("k");
        assertThat(first.systemAttrs().get("fail_reason").toString())
                .contains("enqueued value of 'k' has the wrong type")
                .contains("expected an integer (Integer or Long)").contains("was 7.9 (Double)");
        // now 'k' is known: the wrong type is refused at once, before anything is stored
        s.optimize(t -> t.suggestInt("k", 1, 10), 1);
        int before = s.trials().size();
        assertThatThrownBy(() -> s.enqueueTrial(Map.of("k", 7.0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("enqueueTrial: parameter 'k' has the wrong type").hasMessageContaining("was 7.0 (Double)");
        assertThatThrownBy(() -> s.enqueueTrial(Map.of("k", "7"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 7 (String)");
        assertThat(s.trials()).hasSize(before);
        // an Integer or a Long is fine; a float parameter takes any number
        s.enqueueTrial(Map.of("k", 7L));
        s.optimize(t -> t.suggestInt("k", 1, 10), 1);
        assertThat(s.trials().getLast().intParam("k")).isEqualTo(7);
        s.enqueueTrial(Map.of("x", 1));
        s.optimize(t -> t.suggestFloat("x", 0, 2), 1);
        assertThat(s.trials().getLast().floatParam("x")).isEqualTo(1.0);
    }

    @Test
    void suggestMethods_areNotOverloaded_soAStepCannotBeMistakenForAFlag() {
        Map<String, Long> byName = java.util.Arrays.stream(Trial.class.getMethods())
                .filter(m -> m.getName().startsWith("suggest"))
                .collect(java.util.stream.Collectors.groupingBy(java.lang.reflect.Method::getName,
                        java.util.stream.Collectors.counting()));
        assertThat(byName).containsOnlyKeys("suggestFloat", "suggestFloatLog", "suggestFloatStep", "suggestInt",
                "suggestIntLog", "suggestIntStep", "suggestCategorical");
        assertThat(byName.values()).containsOnly(1L);
        Study s = study(random(13));
        Trial t = s.ask();
        double v = t.suggestFloatStep("x", 0, 10, 5);
        assertThat(v).isIn(0.0, 5.0, 10.0);
        assertThat(t.snapshot().distributions().get("x")).isEqualTo(Distributions.ofFloatStep(0, 10, 5));
    }

    // ---- addTrial -----------------------------------------------------------------------------

    @Test
    void addTrial_storesKnownResults_thatTheSamplerLearnsFrom() {
        Study s = study(Samplers.tpe().nStartupTrials(5).seed(14).build());
        double[] xs = {-0.8, -0.6, 0.8, -0.4, -0.2};
        for (int i = 0; i < xs.length; i++) {
            s.addTrial(KnownTrial.builder()
                    .param("x", xs[i], Distributions.ofFloat(-1, 1))
                    .param("k", i + 1, Distributions.ofInt(1, 8))
                    .value(Math.abs(xs[i] - 0.8) + 0.01 * i)
                    .userAttr("source", "notebook")
                    .intermediateValue(0, 1.0)
                    .build());
        }
        s.addTrial(KnownTrial.builder().param("x", -1.0, Distributions.ofFloat(-1, 1)).state(TrialState.FAIL).build());
        List<FrozenTrial> added = s.trials();
        assertThat(added).extracting(FrozenTrial::number).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(added.get(2).state()).isEqualTo(TrialState.COMPLETE);
        assertThat(added.get(2).value()).isEqualTo(0.02);
        assertThat(added.get(2).intParam("k")).isEqualTo(3);
        assertThat(added.get(2).floatParam("x")).isEqualTo(0.8);
        assertThat(added.get(2).userAttrs()).containsEntry("source", "notebook");
        assertThat(added.get(2).intermediateValues()).containsEntry(0, 1.0);
        assertThat(added.get(2).samplerTime()).isEmpty();
        assertThat(added.get(5).state()).isEqualTo(TrialState.FAIL);
        assertThat(s.bestTrial().number()).isEqualTo(2);
        // five finished trials end the startup phase: TPE samples at once, and from what was added it draws x
        // mostly near the one good point 0.8 (uniform sampling would put a quarter of the trials above 0.5)
        s.optimize(t -> Math.abs(t.suggestFloat("x", -1, 1) - 0.8) + 0.01 * t.suggestInt("k", 1, 8), 20);
        long nearGood = s.trials().subList(6, 26).stream().filter(t -> t.floatParam("x") > 0.5).count();
        assertThat(nearGood).isGreaterThanOrEqualTo(12);
    }

    @Test
    void addTrial_badInput_isRejectedWithMessages_andNothingIsStored() {
        Study s = study(random(15));
        s.optimize(t -> t.suggestFloat("x", 0, 1), 1);
        assertThatThrownBy(() -> KnownTrial.builder().param("k", 7.9, Distributions.ofInt(1, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'k': expected an integer (Integer or Long) for "
                        + "IntDistribution[low=1, high=10, log=false, step=1], was 7.9 (Double)");
        assertThatThrownBy(() -> KnownTrial.builder().param("k", 11, Distributions.ofInt(1, 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value 11 is outside");
        assertThatThrownBy(() -> KnownTrial.builder().value(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> KnownTrial.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs value(...)");
        assertThatThrownBy(() -> KnownTrial.builder().state(TrialState.PRUNED).value(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("only a COMPLETE trial has values");
        assertThatThrownBy(() -> KnownTrial.builder().state(TrialState.RUNNING)).isInstanceOf(IllegalArgumentException.class);
        KnownTrial incompatible = KnownTrial.builder().param("x", 0.5, Distributions.ofFloatLog(0.1, 1)).value(1).build();
        assertThatThrownBy(() -> s.addTrial(incompatible)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 'x' was already suggested in this study");
        KnownTrial twoValues = KnownTrial.builder().values(List.of(1.0, 2.0)).build();
        assertThatThrownBy(() -> s.addTrial(twoValues)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 1 direction(s); the added trial has 2 value(s)");
        assertThat(s.trials()).hasSize(1);
    }

    // ---- sampler time -------------------------------------------------------------------------

    @Test
    void samplerTime_isRecordedPerTrial_fromRelativeAndIndependentSampling() {
        Study s = study(new SlowSampler(random(16), 3));
        s.optimize(t -> t.suggestFloat("a", 0, 1) + t.suggestFloat("b", 0, 1), 2);
        Trial running = s.ask();
        running.suggestFloat("a", 0, 1);
        assertThat(running.samplerTime()).isGreaterThanOrEqualTo(Duration.ofMillis(3));
        s.tell(running, 1.0);
        // each trial: one 3 ms sleep in relative sampling plus one per suggested parameter (lower bounds: a sleep
        // lasts at least as long as asked)
        assertThat(s.trials().get(0).samplerTime()).hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(9)));
        assertThat(s.trials().get(2).samplerTime()).hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(6)));
    }

    /** A sampler that sleeps a given time in relative sampling and in each independent sample. */
    private record SlowSampler(Sampler delegate, long sleepMs) implements Sampler {
        @Override
        public long seed() {
            return delegate.seed();
        }

        @Override
        public Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
            sleep();
            return Map.of();
        }

        @Override
        public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
                java.util.random.RandomGenerator rng) {
            sleep();
            return delegate.sampleIndependent(study, trial, name, distribution, rng);
        }

        private void sleep() {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A clock that moves only when told. */
    static final class MutableClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

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
}
