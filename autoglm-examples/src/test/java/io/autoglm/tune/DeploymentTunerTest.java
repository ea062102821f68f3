package io.autoglm.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.Quantization;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.Trial;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.Storages;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeploymentTuner} on stories260K: interrupted trials, the memory estimate, the config and the report. */
class DeploymentTunerTest {
    @TempDir
    Path tmp;

    private static TuneSpace space() {
        return TuneSpace.builder().presets(List.of(Quantization.NONE, Quantization.Q8_0)).maxThreads(1).batches(List.of(64, 128))
                .ubatches(List.of(64)).parallels(List.of(1, 2)).contexts(List.of(256)).flashAttention(false).build();
    }

    private DeploymentTuner.Builder tuner(String url, int trials) {
        return DeploymentTuner.builder().model(TestModels.stories260K(), "stories260k").memoryBudget(256L << 20).trials(trials)
                .space(space()).concurrency(2).genTokens(8).kldWindows(2).text(TestModels.text()).storage(url)
                .cacheDir(tmp.resolve("cache"));
    }

    @Test
    void aTrialLeftRunningByAKilledRun_isFailed_andItsSettingsRunAgain() {
        String url = "sqlite:" + tmp.resolve("tune.db");
        TuneResult first = tuner(url, 1).build().tune();
        assertThat(first.trials()).hasSize(1);
        assertThat(first.best().baseline()).isTrue();
        // what a process killed in the middle of a trial leaves behind: a RUNNING trial with its settings
        Candidate interrupted;
        try (Storage st = Storages.open(url); Study study = Study.builder().name(first.studyName()).storage(st).loadIfExists(true)
                .direction(StudyDirection.MAXIMIZE).build()) {
            Trial t = study.ask();
            interrupted = space().suggest(t);
            t.setUserAttr("memory_bytes", 1L);
        }
        TuneResult second = tuner(url, 2).build().tune();
        assertThat(second.studyName()).isEqualTo(first.studyName());
        assertThat(second.trialsBefore()).isEqualTo(1);
        assertThat(second.retried()).isEqualTo(1);
        assertThat(second.trials()).hasSize(3);
        assertThat(second.trials().get(1).state()).isEqualTo("FAIL");
        assertThat(second.trials().get(1).note()).contains("presumed dead");
        TrialRecord rerun = second.trials().get(2);
        assertThat(rerun.state()).isEqualTo("COMPLETE");
        assertThat(rerun.candidate()).isEqualTo(interrupted);
        assertThat(rerun.tokensPerSecond()).isPositive();
        // the baseline measured by the first run is kept, not measured again
        assertThat(second.trials().get(0).tokensPerSecond()).isEqualTo(first.trials().get(0).tokensPerSecond());
    }

    @Test
    void memoryEstimate_growsWithTheKvCache_andShrinksWithTheQuantization() {
        Path m = TestModels.stories260K();
        MemoryEstimate small = MemoryEstimate.of(m, new Candidate(Quantization.NONE, 1, 64, 64, 1, 256, null));
        MemoryEstimate wide = MemoryEstimate.of(m, new Candidate(Quantization.NONE, 1, 64, 64, 8, 256, null));
        MemoryEstimate q8 = MemoryEstimate.of(m, new Candidate(Quantization.Q8_0, 1, 64, 64, 1, 256, null));
        // stories260K: 5 layers, 64 embedding, 8 heads of 8, 4 of them for K/V: 5 x cells x (32 + 32) x 2 bytes,
        // cells = parallel x context + one context of cached prefixes
        assertThat(small.kvBytes()).isEqualTo(5L * (256 + 256) * 64 * 2);
        assertThat(wide.kvBytes()).isEqualTo(5L * (8 * 256 + 256) * 64 * 2);
        assertThat(wide.totalBytes()).isGreaterThan(small.totalBytes());
        assertThat(q8.weightBytes()).isLessThan(small.weightBytes());
        assertThat(small.totalBytes()).isEqualTo(small.weightBytes() + small.kvBytes() + small.computeBytes() + small.overheadBytes());
        MemoryEstimate flash = MemoryEstimate.of(m, new Candidate(Quantization.NONE, 1, 64, 64, 8, 256, true));
        assertThat(flash.computeBytes()).isLessThan(wide.computeBytes());
    }

    @Test
    void deployConfig_quotesWhatYamlWouldReadOtherwise() {
        assertThat(DeployConfig.scalar("stories260k")).isEqualTo("stories260k");
        assertThat(DeployConfig.scalar("qwen2.5-0.5b-instruct:q4_k_m")).isEqualTo("qwen2.5-0.5b-instruct:q4_k_m");
        assertThat(DeployConfig.scalar("/models/a b.gguf")).isEqualTo("\"/models/a b.gguf\"");
        assertThat(DeployConfig.scalar("no")).isEqualTo("\"no\"");
        assertThat(DeployConfig.scalar("1e5")).isEqualTo("\"1e5\"");
        assertThat(DeployConfig.scalar("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
        Candidate c = new Candidate(Quantization.Q4_K_M, 2, 256, 128, 8, 1024, false);
        assertThat(new DeployConfig("m", "hf://o/r/f.gguf", c).toYaml()).isEqualTo("""
                models:
                  - name: m
                    model: hf://o/r/f.gguf
                    quantize: Q4_K_M
                    parallel: 8
                    context: 1024
                    threads: 2
                    batch: 256
                    ubatch: 128
                    flash-attention: false
                """);
        assertThatThrownBy(() -> new Candidate(Quantization.NONE, 1, 64, 128, 1, 256, null))
                .hasMessage("ubatch must be <= batch 64, was 128");
        assertThat(DeploymentTuner.defaultName("hf://owner/repo/Model-F16.gguf@main")).isEqualTo("Model-F16");
        assertThat(DeploymentTuner.defaultName("qwen2.5-0.5b-instruct:q4_k_m")).isEqualTo("qwen2.5-0.5b-instruct-q4_k_m");
    }

    @Test
    void plot_marksEachTrialAndTheBestSoFar() {
        Candidate c = new Candidate(Quantization.NONE, 1, 64, 64, 1, 256, null);
        List<TrialRecord> trials = List.of(
                new TrialRecord(0, "COMPLETE", c, 1, 0, 10, 100, true, ""),
                new TrialRecord(1, "PRUNED", c, 1, Double.NaN, Double.NaN, Double.NaN, false, "over budget: 9 MiB > 1 MiB"),
                new TrialRecord(2, "COMPLETE", c, 1, 0, 30, 50, false, ""),
                new TrialRecord(3, "COMPLETE", c, 1, 0, 20, 60, false, ""));
        TuneResult r = new TuneResult("s", TuneObjective.THROUGHPUT, trials, 0, 0, trials.get(2),
                new DeployConfig("m", "m", c));
        assertThat(r.gainOverBaseline()).hasValue(3.0);
        List<String> lines = TuneReport.plot(r, 5).lines().toList();
        assertThat(lines.get(1)).isEqualTo("     30.0 |  o-");
        assertThat(lines.get(5)).isEqualTo("     10.0 |ox");
        assertThat(lines.get(3)).isEqualTo("     20.0 |   o");
        String table = TuneReport.table(r);
        assertThat(table.lines().filter(l -> l.contains("*")).toList()).hasSize(1).allMatch(l -> l.startsWith("  2*"));
        assertThat(table).contains("over budget: 9 MiB > 1 MiB").contains("  0= COMPLETE");
        TuneResult latency = new TuneResult("s", TuneObjective.LATENCY, trials, 0, 0, trials.get(2), new DeployConfig("m", "m", c));
        assertThat(latency.gainOverBaseline()).hasValue(2.0);
    }
}
