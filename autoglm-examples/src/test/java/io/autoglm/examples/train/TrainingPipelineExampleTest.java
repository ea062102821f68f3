package io.autoglm.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.automl.pipeline.PipelineReport;
import io.autoglm.automl.pipeline.PipelineResult;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingPipelineExampleTest {

    @Test
    void trainerPipeline_runsAllStagesAndReportsTheirTypes() {
        Path dir = TestModels.datasetsDir();
        PipelineResult<Double> r = TrainingPipelineExample.pipeline(
                Trainer.Config.of("softmax", Trainer.Schedule.CONSTANT, 0.01, 3, 1)).run(dir);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.output()).isGreaterThan(0.9);
        assertThat(r.report().stages()).extracting(PipelineReport.StageReport::name)
                .containsExactly("load", "preprocess", "train", "evaluate");
        assertThat(r.report().stages().get(2).inputType()).isEqualTo(Dataset.Split.class.getName());
        assertThat(r.report().stages().get(2).outputType()).isEqualTo(Trainer.Result.class.getName());
        assertThat(r.report().toJson()).contains("\"train\"").contains("SUCCEEDED");
    }
}
