package io.autoglm.automl.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.search.Distributions;
import io.autoglm.automl.search.FrozenTrial;
import io.autoglm.automl.search.KnownTrial;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.search.TrialState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Study API of branch hpo running on the JDBC storages: optimise, fail, resume by name. */
class StudyOnJdbcStorageTest {
    @TempDir
    Path dir;

    private static double objective(double x) {
        if (x > 4.5) {
            throw new IllegalStateException("diverged at x=" + x);
        }
        return (x - 2) * (x - 2);
    }

    private void optimise_fail_resume(String url) {
        List<FrozenTrial> first;
        try (Storage storage = Storages.open(url)) {
            Study study = Study.builder().name("quadratic").storage(storage).sampler(Samplers.random().seed(3).build()).build();
            study.enqueueTrial(Map.of("x", 2.0));
            study.optimize(t -> objective(t.suggestFloat("x", -5, 5)), 20);
            first = study.trials();
            assertThat(first).hasSize(20);
            assertThat(study.bestValue()).isZero(); // the enqueued x=2 is the optimum
            assertThat(first.stream().filter(t -> t.state() == TrialState.FAIL))
                    .allSatisfy(t -> assertThat(String.valueOf(t.systemAttrs().get("fail_reason"))).contains("diverged"));
            assertThat(first).as("every trial finished through the study has its sampler time")
                    .allSatisfy(t -> assertThat(t.samplerTime()).isPresent());
        }
        try (Storage storage = Storages.open(url)) {
            assertThatThrownBy(() -> Study.builder().name("quadratic").storage(storage).direction(StudyDirection.MAXIMIZE)
                    .loadIfExists(true).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MINIMIZE");
            Study resumed = Study.builder().name("quadratic").storage(storage).sampler(Samplers.random().seed(4).build())
                    .loadIfExists(true).build();
            assertThat(resumed.trials()).containsExactlyElementsOf(first);
            resumed.optimize(t -> objective(t.suggestFloat("x", -5, 5)), 9);
            FrozenTrial added = resumed.addTrial(KnownTrial.builder().param("x", 1.5, Distributions.ofFloat(-5, 5))
                    .value(0.25).build());
            assertThat(added.number()).isEqualTo(29);
            List<FrozenTrial> all = resumed.trials();
            assertThat(all).extracting(FrozenTrial::number).containsExactlyElementsOf(IntStream.range(0, 30).boxed().toList());
            assertThat(all.subList(0, 20)).containsExactlyElementsOf(first);
            assertThat(all.get(29)).isEqualTo(added);
            assertThat(all.get(29).floatParam("x")).isEqualTo(1.5);
            assertThat(resumed.bestValue()).isZero();
        }
    }

    @Test
    void study_onSqliteFile_optimisesAndResumesByName() {
        optimise_fail_resume("sqlite:" + dir.resolve("study.db"));
    }

    @Test
    void study_onPostgres_optimisesAndResumesByName() throws Exception {
        String url = PgTestSupport.freshSchemaUrl();
        try {
            optimise_fail_resume(url);
        } finally {
            PgTestSupport.dropSchema(url);
        }
    }
}
