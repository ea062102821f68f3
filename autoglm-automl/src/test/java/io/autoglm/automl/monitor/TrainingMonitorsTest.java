package io.autoglm.automl.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.autoglm.automl.lr.LearningRateSchedule;
import io.autoglm.automl.lr.LearningRateSchedules;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingMonitorsTest {

    @Test
    void explosion_spikeBeyondKTimesMedian_firesAndIsReported() {
        List<MonitorEvent> events = new ArrayList<>();
        ExplosionDetector d = ExplosionDetector.builder().factor(10).build().addListener(events::add);
        for (int i = 0; i < 20; i++) {
            assertThat(d.observe(i, 1 + 0.01 * (i % 5))).isTrue();
        }
        assertThat(d.runningMedian().orElseThrow()).isCloseTo(1.02, within(1e-12));
        assertThat(d.observe(20, 9.0)).isTrue();   // 9 < 10 x 1.02
        assertThat(d.observe(21, 50.0)).isFalse();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(MonitorEvent.Type.GRADIENT_EXPLOSION);
            assertThat(e.step()).isEqualTo(21);
            assertThat(e.value()).isEqualTo(50.0);
        });
    }

    @Test
    void explosion_nanAndInfinity_areEventsEvenBeforeTheWindowFills() {
        List<MonitorEvent> events = new ArrayList<>();
        ExplosionDetector d = ExplosionDetector.builder().build().addListener(events::add);
        assertThat(d.observe(0, Double.NaN)).isFalse();
        assertThat(d.observe(1, Double.POSITIVE_INFINITY)).isFalse();
        assertThat(events).extracting(MonitorEvent::type).containsExactly(MonitorEvent.Type.NON_FINITE_GRADIENT,
                MonitorEvent.Type.NON_FINITE_GRADIENT);
        assertThat(d.explosions()).isEqualTo(2);
        assertThat(d.runningMedian()).isEmpty(); // no finite norm seen: an empty window is explicit, not NaN
        assertThatThrownBy(() -> d.observe(2, -1)).hasMessageContaining("-1");
    }

    @Test
    void explosion_beforeMinSamples_spikesAreNotJudged() {
        ExplosionDetector d = ExplosionDetector.builder().minSamples(5).build();
        assertThat(d.observe(0, 1)).isTrue();
        assertThat(d.observe(1, 1000)).isTrue();
    }

    @Test
    void explosion_aboveWindowMax_ignoresHeavyTailsSeenBefore() {
        ExplosionDetector d = ExplosionDetector.builder().aboveWindowMax(2).build();
        for (int i = 0; i < 50; i++) {
            d.observe(i, i % 10 == 0 ? 30 : 1); // a heavy tail: every tenth batch 30x the median
        }
        assertThat(d.observe(50, 40)).isTrue();   // > 10 x median but < 2 x max 30
        assertThat(d.observe(51, 100)).isFalse(); // > 2 x max
    }

    @Test
    void plateau_andDegradation_fireOnScriptedSequences() {
        List<MonitorEvent> events = new ArrayList<>();
        PlateauDetector p = PlateauDetector.builder().patience(3).degradationRuns(3).build();
        p.addListener(events::add);
        // 1.0 best; 0.9 best; 0.95 worse(1); 1.0 worse(2); 1.1 worse(3) -> DEGRADATION at evaluation 4
        for (double m : new double[] {1.0, 0.9, 0.95, 1.0, 1.1}) {
            p.observe(m);
        }
        assertThat(events).extracting(MonitorEvent::type).containsExactly(MonitorEvent.Type.DEGRADATION);
        assertThat(events.getFirst().step()).isEqualTo(4);
        events.clear();
        // flat: not worse, but no improvement on 0.9 for 3 evaluations (1.1 already counted as 3) ->
        // sinceBest: 1.1 was 3 -> PLATEAU is suppressed because DEGRADATION won; next flat ones: 4, 5 -> none
        PlateauDetector q = PlateauDetector.builder().patience(3).build();
        q.addListener(events::add);
        for (double m : new double[] {0.5, 0.5, 0.5, 0.5, 0.5}) {
            q.observe(m);
        }
        assertThat(events).extracting(MonitorEvent::type).containsExactly(MonitorEvent.Type.PLATEAU);
        assertThat(events.getFirst().step()).isEqualTo(3);
    }

    @Test
    void plateau_nanMetric_isAnExplicitEvent() {
        PlateauDetector p = PlateauDetector.builder().build();
        MonitorEvent e = p.observe(Double.NaN);
        assertThat(e.type()).isEqualTo(MonitorEvent.Type.NON_FINITE_LOSS);
        assertThat(p.best()).isInfinite(); // a NaN never becomes the best
    }

    @Test
    void actions_lowerRateRestoreCheckpointAndAlert() {
        LearningRateSchedule lr = LearningRateSchedules.constant(1.0);
        double[] weights = {1, 2, 3};
        LastGoodCheckpoint<double[]> cp = new LastGoodCheckpoint<>(weights::clone,
                s -> System.arraycopy(s, 0, weights, 0, weights.length));
        assertThat(cp.restore()).isFalse();
        cp.save();
        weights[0] = Double.NaN;
        List<String> alerts = new ArrayList<>();
        ExplosionDetector d = ExplosionDetector.builder().build();
        d.addListener(Actions.all(Actions.restoreCheckpoint(cp), Actions.lowerLearningRate(lr, 0.1, 0.005),
                Actions.alert(e -> alerts.add(e.message()))));
        d.observe(0, Double.NaN);
        assertThat(weights).containsExactly(1, 2, 3);
        assertThat(lr.learningRate()).isCloseTo(0.1, within(1e-15));
        assertThat(alerts).hasSize(1);
        d.observe(1, Double.NaN);
        d.observe(2, Double.NaN);
        assertThat(lr.learningRate()).as("floor").isCloseTo(0.005, within(1e-15));
        d.observe(3, Double.NaN);
        assertThat(lr.learningRate()).isCloseTo(0.005, within(1e-15));
        assertThat(cp.restores()).isEqualTo(4);
        // plateau events are not gradient events: the default trigger set ignores them
        MonitorListener lower = Actions.lowerLearningRate(lr, 0.5);
        lower.onEvent(new MonitorEvent(MonitorEvent.Type.PLATEAU, 0, 1, "x", null));
        assertThat(lr.learningRate()).isCloseTo(0.005, within(1e-15));
        Actions.lowerLearningRate(lr, 0.5, MonitorEvent.Type.PLATEAU)
                .onEvent(new MonitorEvent(MonitorEvent.Type.PLATEAU, 0, 1, "x", null));
        assertThat(lr.learningRate()).isCloseTo(0.0025, within(1e-15));
        assertThatThrownBy(() -> Actions.lowerLearningRate(lr, 1.5)).hasMessageContaining("factor");
    }
}
