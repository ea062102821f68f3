package io.autoglm.examples.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.monitor.MonitorEvent;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static Dataset.Split digits(long seed) throws Exception {
        return Dataset.load(TestModels.datasetsDir(), "digits").split(0.2, seed).standardised();
    }

    private static List<MonitorEvent> events(Trainer.Result r) {
        return r.epochs().stream().flatMap(e -> e.events().stream()).toList();
    }

    @Test
    void divergingRate_explosionFiresWithinAFewSteps_andRecoveryEndsFinite() throws Exception {
        Dataset.Split split = digits(1);
        Trainer.Config cfg = Trainer.Config.of("mlp", Trainer.Schedule.CONSTANT, 3.0, 8, 1);

        Trainer.Result unrecovered = Trainer.train(split, cfg, s -> { });
        Trainer.Result recovered = Trainer.train(split, cfg.withRecover(true), s -> { });

        MonitorEvent first = events(recovered).stream()
                .filter(e -> e.type() == MonitorEvent.Type.GRADIENT_EXPLOSION
                        || e.type() == MonitorEvent.Type.NON_FINITE_GRADIENT)
                .findFirst().orElseThrow();
        assertThat(first.step()).as("first explosion step").isLessThanOrEqualTo(10);
        assertThat(recovered.restores()).isPositive();
        assertThat(recovered.last().lr()).isLessThan(3.0);
        assertThat(recovered.last().trainLoss()).isFinite().isLessThan(1.0);
        assertThat(recovered.last().valLoss()).isFinite();
        assertThat(recovered.last().valAccuracy()).isGreaterThan(0.85);
        // without the recovery action the same run stays diverged
        assertThat(unrecovered.last().valAccuracy()).isLessThan(0.6);
        assertThat(unrecovered.last().trainLoss()).isGreaterThan(10);
        assertThat(events(unrecovered)).isNotEmpty();
    }

    @Test
    void nanInTheTrainingData_isNeverSilent() throws Exception {
        Dataset.Split split = digits(2);
        split.train().x()[5][10] = Double.NaN; // one poisoned row: its batch has NaN loss and gradient each epoch
        Trainer.Config cfg = Trainer.Config.of("softmax", Trainer.Schedule.CONSTANT, 0.01, 3, 2);

        // detection only: the NaN update goes in, and both the gradient and the evaluation say so
        Trainer.Result plain = Trainer.train(split, cfg, s -> { });
        assertThat(events(plain)).extracting(MonitorEvent::type).contains(MonitorEvent.Type.NON_FINITE_GRADIENT,
                MonitorEvent.Type.NON_FINITE_LOSS);
        assertThat(plain.last().valLoss()).isNaN();

        // with recovery the NaN updates are skipped: every epoch reports the event, the model stays finite
        Trainer.Result recovered = Trainer.train(split, cfg.withRecover(true), s -> { });
        assertThat(recovered.epochs()).allSatisfy(e -> assertThat(e.events()).extracting(MonitorEvent::type)
                .contains(MonitorEvent.Type.NON_FINITE_GRADIENT));
        assertThat(recovered.epochs()).allSatisfy(e -> assertThat(e.valLoss()).isFinite());
    }

    @Test
    void everySchedule_trainsBothModelsDeterministically() throws Exception {
        Dataset.Split split = Dataset.load(TestModels.datasetsDir(), "breast_cancer").split(0.2, 3).standardised();
        for (Trainer.Schedule s : Trainer.Schedule.values()) {
            for (String model : List.of("softmax", "mlp")) {
                Trainer.Config cfg = Trainer.Config.of(model, s, 0.01, 4, 3);
                Trainer.Result a = Trainer.train(split, cfg, e -> { });
                Trainer.Result b = Trainer.train(split, cfg, e -> { });
                assertThat(a.last().valAccuracy()).as(s + " " + model).isGreaterThan(0.85);
                assertThat(a.epochs()).extracting(Trainer.EpochStats::valLoss)
                        .isEqualTo(b.epochs().stream().map(Trainer.EpochStats::valLoss).toList());
                assertThat(a.epochs()).allSatisfy(e -> assertThat(e.lr()).isFinite().isPositive());
            }
        }
    }

    @Test
    void feedbackWeights_concentrateOnHardSamplesAndKeepMeanOne() throws Exception {
        Dataset.Split split = Dataset.load(TestModels.datasetsDir(), "breast_cancer").split(0.2, 1).standardised();
        Trainer.Result plain = Trainer.train(split, Trainer.Config.of("softmax", Trainer.Schedule.CONSTANT, 0.01, 10, 1),
                s -> { });
        Trainer.Result r = Trainer.train(split, Trainer.Config.of("softmax", Trainer.Schedule.CONSTANT, 0.01, 10, 1)
                .withFeedback(0.5), s -> { });
        assertThat(plain.sampleWeights()).containsOnly(1.0);
        double[] w = r.sampleWeights();
        assertThat(java.util.Arrays.stream(w).average().orElseThrow()).isCloseTo(1.0,
                org.assertj.core.api.Assertions.within(1e-9));
        for (double v : w) {
            assertThat(v).isBetween(0.2 - 1e-9, 5 + 1e-9);
        }
        // the training rows the unweighted model fits worst (loss > 3x its mean) carry more than average weight
        double[][] x = split.train().x();
        double[] losses = new double[x.length];
        int[] rows = java.util.stream.IntStream.range(0, x.length).toArray();
        plain.model().lossAndGradient(x, split.train().y(), rows, 0, x.length,
                new double[plain.model().parameters().length], null, losses);
        double meanLoss = java.util.Arrays.stream(losses).average().orElseThrow();
        double hard = 0;
        int nHard = 0;
        for (int i = 0; i < x.length; i++) {
            if (losses[i] > 3 * meanLoss) {
                hard += w[i];
                nHard++;
            }
        }
        assertThat(nHard).isPositive();
        assertThat(hard / nHard).as("mean weight of %d hard rows", nHard).isGreaterThan(1.0);
        assertThat(r.last().valAccuracy()).isGreaterThan(0.9);
        assertThatThrownBy(() -> Trainer.Config.of("mlp", Trainer.Schedule.CONSTANT, 0.1, 1, 1).withFeedback(-1))
                .hasMessageContaining("feedbackRate");
    }

    @Test
    void mismatchedFeatureCounts_areRejected() throws Exception {
        Dataset.Split split = digits(1);
        Dataset bc = Dataset.load(TestModels.datasetsDir(), "breast_cancer");
        Dataset.Split bad = new Dataset.Split(split.train(), bc);
        assertThatThrownBy(() -> Trainer.train(bad, Trainer.Config.of("mlp", Trainer.Schedule.CONSTANT, 0.1, 1, 1),
                s -> { })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64")
                .hasMessageContaining("30");
        assertThatThrownBy(() -> Trainer.Config.of("mlp", Trainer.Schedule.CONSTANT, -0.1, 1, 1))
                .hasMessageContaining("lr");
        Path datasets = TestModels.datasetsDir();
        assertThatThrownBy(() -> Dataset.load(datasets, "iris5")).hasMessageContaining("iris5");
        assertThat(Objects.requireNonNull(Dataset.locateDir(null)).toRealPath()).isEqualTo(datasets.toRealPath());
    }
}
