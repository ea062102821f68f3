package io.autoglm.automl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineTest {

    @Test
    void trainStageThrowingOnce_isRetriedAndTheReportRecordsBothAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Pipeline<String, Double> p = Pipeline.<String>builder("demo")
                .stage("preprocess", (String s, StageContext c) -> List.of(s.split(",")))
                .stage("train", 3, (List<String> xs, StageContext c) -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("transient failure");
                    }
                    Thread.sleep(25); // a lower bound for the recorded duration (a sleep lasts at least as long)
                    return xs.stream().mapToInt(Integer::parseInt).sum();
                })
                .stage("evaluate", (Integer sum, StageContext c) -> sum / 2.0)
                .build();
        PipelineResult<Double> r = p.run("1,2,3");
        assertThat(r.succeeded()).isTrue();
        assertThat(r.output()).isEqualTo(3.0);
        PipelineReport.StageReport train = r.report().stages().get(1);
        assertThat(train.attempts()).hasSize(2);
        assertThat(train.attempts().get(0).status()).isEqualTo(PipelineReport.Status.FAILED);
        assertThat(train.attempts().get(0).error()).contains("IllegalStateException").contains("transient failure");
        assertThat(train.attempts().get(1).status()).isEqualTo(PipelineReport.Status.SUCCEEDED);
        assertThat(train.inputType()).isEqualTo(List.of("1", "2", "3").getClass().getName());
        assertThat(train.outputType()).isEqualTo(Integer.class.getName());

        JsonNode json = new ObjectMapper().readTree(r.report().toJson());
        assertThat(json.get("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode attempts = json.get("stages").get(1).get("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).get("status").asText()).isEqualTo("FAILED");
        assertThat(attempts.get(0).get("error").asText()).contains("transient failure");
        assertThat(attempts.get(1).get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(json.get("stages").get(1).get("durationMillis").asDouble()).isGreaterThanOrEqualTo(25);
    }

    @Test
    void stageFailingEveryAttempt_failsTheRunAndSkipsTheRest() {
        Pipeline<Integer, Integer> p = Pipeline.<Integer>builder("failing")
                .stage("train", 2, (Integer x, StageContext c) -> {
                    throw new RuntimeException("boom " + c.attempt());
                })
                .stage("evaluate", (Object x, StageContext c) -> 1)
                .build();
        PipelineResult<Integer> r = p.run(1);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.report().status()).isEqualTo(PipelineReport.Status.FAILED);
        assertThat(r.report().stages().get(0).attempts()).extracting(PipelineReport.Attempt::error)
                .containsExactly("java.lang.RuntimeException: boom 1", "java.lang.RuntimeException: boom 2");
        assertThat(r.report().stages().get(1).status()).isEqualTo(PipelineReport.Status.SKIPPED);
        assertThatThrownBy(r::output).isInstanceOf(IllegalStateException.class).hasMessageContaining("FAILED")
                .hasRootCauseMessage("boom 2");
    }

    @Test
    void cancellation_stopsTheRunWithoutRetrying() {
        CancellationToken token = new CancellationToken();
        AtomicInteger evaluated = new AtomicInteger();
        Pipeline<Integer, Integer> p = Pipeline.<Integer>builder("cancel")
                .stage("train", 5, (Integer x, StageContext c) -> {
                    token.cancel();
                    c.checkCancelled();
                    return x;
                })
                .stage("evaluate", (Integer x, StageContext c) -> evaluated.incrementAndGet())
                .build();
        PipelineResult<Integer> r = p.run(1, token);
        assertThat(r.report().status()).isEqualTo(PipelineReport.Status.CANCELLED);
        assertThat(r.report().stages().get(0).attempts()).hasSize(1);
        assertThat(r.report().stages().get(1).status()).isEqualTo(PipelineReport.Status.SKIPPED);
        assertThat(evaluated).hasValue(0);
    }

    @Test
    void builder_rejectsBadStages() {
        assertThatThrownBy(() -> Pipeline.builder(" ")).hasMessageContaining("name");
        assertThatThrownBy(() -> Pipeline.<Integer>builder("p").stage("a", 0, (Integer x, StageContext c) -> x))
                .hasMessageContaining("maxAttempts").hasMessageContaining("0");
        assertThatThrownBy(() -> Pipeline.<Integer>builder("p").stage("a", (Integer x, StageContext c) -> x)
                .stage("a", (Integer x, StageContext c) -> x)).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> Pipeline.<Integer>builder("p").build()).hasMessageContaining("no stages");
    }
}
