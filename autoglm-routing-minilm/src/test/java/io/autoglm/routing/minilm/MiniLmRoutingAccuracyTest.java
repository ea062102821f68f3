package io.autoglm.routing.minilm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.routing.EmbeddingFunction;
import io.autoglm.routing.EmbeddingProvider;
import io.autoglm.routing.ModelProfile;
import io.autoglm.routing.RoutingDecision;
import io.autoglm.routing.TaskExample;
import io.autoglm.routing.TaskExamples;
import io.autoglm.routing.TaskPrediction;
import io.autoglm.routing.TaskRouter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluation of task recognition with all-MiniLM-L6-v2 (int8 and float32) and the shipped default examples, on a
 * labelled set of prompts written for it ({@code routing-eval.tsv}, none of them among the defaults): accuracy must be
 * at least 90%.
 * The latency is measured by {@code io.autoglm.bench.RoutingLatency}.
 */
class MiniLmRoutingAccuracyTest {
    private static MiniLmEmbeddings embeddings;
    private static List<TaskExample> eval;
    /** the default examples (embedded once) and three model profiles */
    private static TaskRouter router;

    @BeforeAll
    static void load() throws IOException {
        embeddings = MiniLmEmbeddings.create();
        router = TaskRouter.builder(embeddings)
                .model(ModelProfile.builder("small-chat").quality(0.5).latencyMillis(15).memoryBytes(1L << 30).build())
                .model(ModelProfile.builder("coder").tasks("code", "math").quality(0.8).latencyMillis(40)
                        .memoryBytes(5L << 30).build())
                .model(ModelProfile.builder("translator").tasks("translation").quality(0.7).latencyMillis(25)
                        .memoryBytes(2L << 30).build())
                .build();
        try (InputStream in = MiniLmRoutingAccuracyTest.class.getResourceAsStream("/routing-eval.tsv")) {
            eval = TaskExamples.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "routing-eval.tsv");
        }
    }

    @Test
    void evaluationSet_isLargeCoversEveryTaskAndIsDisjointFromTheDefaults() {
        assertThat(eval).hasSizeGreaterThanOrEqualTo(200);
        assertThat(eval.stream().map(TaskExample::task).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(TaskExamples.DEFAULT_TASKS);
        Set<String> shipped = TaskExamples.defaults().stream().map(e -> e.text().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        assertThat(eval).noneMatch(e -> shipped.contains(e.text().toLowerCase(Locale.ROOT)));
    }

    @Test
    void defaultExamples_recogniseAtLeast90PercentOfTheEvaluationSet_int8() {
        assertThat(embeddings.variant()).isEqualTo(MiniLmEmbeddings.Variant.INT8);
        assertAccuracy(router, embeddings.name());
    }

    @Test
    void defaultExamples_recogniseAtLeast90PercentOfTheEvaluationSet_fp32() {
        EmbeddingFunction fp32 = EmbeddingProvider.create("all-minilm-l6-v2");
        assertThat(fp32).isInstanceOf(MiniLmEmbeddings.class);
        assertThat(((MiniLmEmbeddings) fp32).variant()).isEqualTo(MiniLmEmbeddings.Variant.FP32);
        assertAccuracy(TaskRouter.builder(fp32).build(), fp32.name());
    }

    /** Classifies the evaluation set, prints per-task counts and every miss, and asserts at least 90% right. */
    private static void assertAccuracy(TaskRouter r, String name) {
        int right = 0;
        Map<String, int[]> perTask = new TreeMap<>();
        StringBuilder misses = new StringBuilder();
        for (TaskExample e : eval) {
            TaskPrediction p = r.classify(e.text());
            int[] c = perTask.computeIfAbsent(e.task(), k -> new int[2]);
            c[1]++;
            if (p.task().equals(e.task())) {
                right++;
                c[0]++;
            } else {
                misses.append(String.format(Locale.ROOT, "  %s -> %s (%.2f): %s%n", e.task(), p.task(), p.confidence(),
                        e.text().replace('\n', ' ')));
            }
        }
        double accuracy = (double) right / eval.size();
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "task recognition with %s: %d/%d = %.1f%%%n",
                name, right, eval.size(), 100 * accuracy));
        perTask.forEach((t, c) -> report.append(String.format(Locale.ROOT, "  %-15s %d/%d%n", t, c[0], c[1])));
        System.out.print(report.append("misses:\n").append(misses));
        assertThat(accuracy).as(report.toString()).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void router_picksTheModelWhoseProfileFitsTheTask() {
        RoutingDecision code = router.route("Write a Java method that reverses a string, with a unit test.");
        assertThat(code.task()).isEqualTo("code");
        assertThat(code.model()).isEqualTo("coder");
        assertThat(router.route("Traduce al alemán: buenos días a todos.").model()).isEqualTo("translator");
        assertThat(router.route("hello! how was your weekend?").model()).isEqualTo("small-chat");
    }

    @Test
    void provider_isFoundByName() {
        EmbeddingFunction f = EmbeddingProvider.create("MiniLM");
        assertThat(f.name()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(f.embed("hello")).hasSize(384);
        assertThat(EmbeddingProvider.available()).contains("minilm", "all-minilm-l6-v2-q", "all-minilm-l6-v2");
    }
}
