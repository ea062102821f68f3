package io.autoglm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskRouterTest {
    private static TaskRouter.Builder custom() {
        return TaskRouter.builder(new WordHashEmbedding()).defaultExamples(false)
                .example("translation", "translate this sentence into french")
                .example("translation", "translate the text into german please")
                .example("translation", "how do you say hello in spanish")
                .example("code", "write a java function that sorts a list")
                .example("code", "fix the bug in this python function")
                .example("code", "write a sql query for the orders table")
                .k(3);
    }

    @Test
    void classify_votesOfNearestExamples_pickTheirTask() {
        TaskRouter r = custom().build();
        TaskPrediction p = r.classify("please translate this into french");
        assertThat(p.task()).isEqualTo("translation");
        assertThat(p.confidence()).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
        assertThat(p.neighbours()).hasSize(3);
        assertThat(p.neighbours().get(0).text()).isEqualTo("translate this sentence into french");
        assertThat(p.neighbours().get(0).similarity()).isGreaterThanOrEqualTo(p.neighbours().get(1).similarity());
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
        assertThat(r.classify("write a python function").task()).isEqualTo("code");
    }

    @Test
    void classify_anExampleItself_isItsOwnNearestNeighbourAtSimilarityOne() {
        TaskRouter r = custom().build();
        TaskPrediction p = r.classify("write a sql query for the orders table");
        assertThat(p.neighbours().get(0).similarity()).isCloseTo(1.0, within(1e-6));
        assertThat(p.task()).isEqualTo("code");
    }

    @Test
    void votes_areWeightedByExpOfSimilarityGapOverTemperature() {
        TaskRouter r = custom().temperature(0.05).build();
        TaskPrediction p = r.classify("translate this python function into french");
        double s0 = p.neighbours().get(0).similarity();
        double expected = 0;
        double total = 0;
        for (TaskPrediction.Neighbour n : p.neighbours()) {
            double w = Math.exp((n.similarity() - s0) / 0.05);
            total += w;
            if (n.task().equals(p.task())) {
                expected += w;
            }
        }
        assertThat(p.confidence()).isCloseTo(expected / total, within(1e-9));
    }

    @Test
    void route_scoreIsFitPlusQualityMinusRelativeLatencyAndMemory() {
        TaskRouter r = custom()
                .model(ModelProfile.builder("generalist").quality(0.6).latencyMillis(10).memoryBytes(1L << 30).build())
                .model(ModelProfile.builder("coder").tasks("code").quality(0.8).latencyMillis(40).memoryBytes(4L << 30).build())
                .build();
        RoutingDecision d = r.route("fix the bug in this java function");
        assertThat(d.task()).isEqualTo("code");
        assertThat(d.model()).isEqualTo("coder");
        double pCode = d.prediction().probabilities().get("code");
        RoutingDecision.Candidate coder = d.candidates().get(0);
        assertThat(coder.fit()).isCloseTo(pCode, within(1e-9));
        assertThat(coder.score()).isCloseTo(1.0 * pCode + 0.3 * 0.8 - 0.2 * 1.0 - 0.1 * 1.0, within(1e-9));
        RoutingDecision.Candidate gen = d.candidates().get(1);
        assertThat(gen.fit()).isCloseTo(0.5, within(1e-9)); // generalist: 0.5 for every task
        assertThat(gen.score()).isCloseTo(0.5 + 0.3 * 0.6 - 0.2 * 0.25 - 0.1 * 0.25, within(1e-9));
        assertThat(d.reason()).startsWith("task code (").contains("coder scores").contains("next generalist");
        assertThat(d.nanos()).isPositive();

        // a translation request: the coder does not fit, the generalist wins
        RoutingDecision t = r.route("translate the text into german");
        assertThat(t.task()).isEqualTo("translation");
        assertThat(t.model()).isEqualTo("generalist");
    }

    @Test
    void route_onlyAmongAllowedModels_andTiesGoToTheFirstGiven() {
        TaskRouter r = custom()
                .model(ModelProfile.builder("a").build())
                .model(ModelProfile.builder("b").build())
                .model(ModelProfile.builder("c").tasks("code").build())
                .build();
        assertThat(r.route("write a java function").model()).isEqualTo("c");
        assertThat(r.route("write a java function", m -> !m.equals("c")).model()).isEqualTo("a");
        assertThatThrownBy(() -> r.route("x", m -> false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("none of the router's models [a, b, c] is allowed");
    }

    @Test
    void route_blankText_isDecidedByProfilesAlone() {
        TaskRouter r = custom().model(ModelProfile.builder("low").quality(0.2).build())
                .model(ModelProfile.builder("high").quality(0.9).build()).build();
        RoutingDecision d = r.route("  ");
        assertThat(d.model()).isEqualTo("high");
        assertThat(d.reason()).startsWith("no text to recognise");
        assertThatThrownBy(() -> r.classify(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text must not be blank");
    }

    @Test
    void route_withoutModels_saysWhatToAdd() {
        assertThatThrownBy(() -> custom().build().route("hi")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("add ModelProfiles");
    }

    @Test
    void defaults_areUsedUnlessDropped_andUserExamplesAddTasks() {
        TaskRouter r = TaskRouter.builder(new WordHashEmbedding()).example("poetry", "write a haiku about the sea").build();
        assertThat(r.tasks()).containsAll(TaskExamples.DEFAULT_TASKS).contains("poetry");
        assertThat(r.examples()).hasSize(TaskExamples.defaults().size() + 1);
        assertThat(r.classify("write a haiku about the sea").task()).isEqualTo("poetry");
    }

    @Test
    void build_embedsEveryExampleOnce_inOneBatch() {
        WordHashEmbedding e = new WordHashEmbedding();
        TaskRouter.builder(e).build();
        assertThat(e.calls).isEqualTo(TaskExamples.defaults().size());
    }

    @Test
    void builder_rejectsBadValuesAtOnce() {
        TaskRouter.Builder b = TaskRouter.builder(new WordHashEmbedding());
        assertThatThrownBy(() -> b.k(0)).hasMessage("k must be in [1, 100], was 0");
        assertThatThrownBy(() -> b.temperature(0)).hasMessage("temperature must be in [0.001, 10], was 0.0");
        assertThatThrownBy(() -> b.maxChars(3)).hasMessage("maxChars must be in [16, 100000], was 3");
        assertThatThrownBy(() -> b.example("bad task!", "x")).hasMessageContaining("task must be 1-64 letters");
        b.model(ModelProfile.builder("m").build());
        assertThatThrownBy(() -> b.model(ModelProfile.builder("m").build())).hasMessage("model 'm' is given twice");
        assertThatThrownBy(() -> ModelProfile.builder("m").quality(1.5)).hasMessage("quality must be in [0, 1], was 1.5");
        assertThatThrownBy(() -> new RoutingWeights(-1, 0, 0, 0, 0.5))
                .hasMessage("routing weight task must be a finite number >= 0, was -1.0");
        assertThatThrownBy(() -> TaskRouter.builder(new WordHashEmbedding()).defaultExamples(false).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no task examples");
    }

    @Test
    void build_refusesAnEmbeddingThatReturnsZeroVectors() {
        assertThatThrownBy(() -> TaskRouter.builder(t -> new float[4]).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("zero or non-finite vector for example 1");
    }

    @Test
    void excerpt_keepsHeadAndTailOfLongTexts() {
        String body = "word ".repeat(400);
        String text = "Summarize the following report. " + body + "End with three bullet points.";
        String ex = TaskRouter.excerpt(text, 200);
        assertThat(ex.length()).isLessThanOrEqualTo(203);
        assertThat(ex).startsWith("Summarize the following report.").endsWith("End with three bullet points.").contains(" … ");
        assertThat(TaskRouter.excerpt("  short  ", 200)).isEqualTo("short");
    }

    @Test
    void defaultExamples_coverEveryDefaultTaskWellAndParseErrorsNameTheLine() {
        List<TaskExample> d = TaskExamples.defaults();
        for (String t : TaskExamples.DEFAULT_TASKS) {
            assertThat(d.stream().filter(e -> e.task().equals(t)).count()).as(t).isGreaterThanOrEqualTo(30);
        }
        assertThat(d.stream().map(TaskExample::task).distinct().toList()).containsExactlyInAnyOrderElementsOf(TaskExamples.DEFAULT_TASKS);
        assertThat(TaskExamples.parse("# c\n\ncode\tline one\\nline two\n", "x.tsv"))
                .containsExactly(new TaskExample("code", "line one\nline two"));
        assertThatThrownBy(() -> TaskExamples.parse("code\tok\nno tab here\n", "mine.tsv"))
                .hasMessage("mine.tsv:2: expected 'task<TAB>text', was 'no tab here'");
        assertThatThrownBy(() -> TaskExamples.parse("code\t   \n", "mine.tsv"))
                .hasMessage("mine.tsv:1: text of a 'code' example must not be blank");
    }
}
