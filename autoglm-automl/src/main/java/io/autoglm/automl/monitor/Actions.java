package io.autoglm.automl.monitor;

import io.autoglm.automl.lr.LearningRateSchedule;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready-made reactions to monitor events. Each takes the event types it reacts to; with none given
 * it reacts to the gradient events ({@code GRADIENT_EXPLOSION}, {@code NON_FINITE_GRADIENT}) and
 * {@code NON_FINITE_LOSS}.
 *
 * <pre>{@code
 * explosion.addListener(Actions.all(
 *         Actions.restoreCheckpoint(checkpoint),
 *         Actions.lowerLearningRate(schedule, 0.1),
 *         Actions.alert(e -> ops.notify(e.message()))));
 * }</pre>
 */
public final class Actions {
    private static final Logger LOG = LoggerFactory.getLogger(Actions.class);
    private static final Set<MonitorEvent.Type> DEFAULT = EnumSet.of(MonitorEvent.Type.GRADIENT_EXPLOSION,
            MonitorEvent.Type.NON_FINITE_GRADIENT, MonitorEvent.Type.NON_FINITE_LOSS);

    private Actions() {
    }

    private static Set<MonitorEvent.Type> types(MonitorEvent.Type... on) {
        return on.length == 0 ? DEFAULT : EnumSet.copyOf(List.of(on));
    }

    /**
     * @param schedule the schedule to scale
     * @param factor multiplier in (0, 1)
     * @param on event types that trigger it
     * @return a listener that multiplies the schedule's rate by {@code factor}
     */
    public static MonitorListener lowerLearningRate(LearningRateSchedule schedule, double factor,
            MonitorEvent.Type... on) {
        return lowerLearningRate(schedule, factor, 0, on);
    }

    /**
     * @param schedule the schedule to scale
     * @param factor multiplier in (0, 1)
     * @param floor the rate is not lowered when it is already at or below this, {@code >= 0}
     * @param on event types that trigger it
     * @return a listener that multiplies the schedule's rate by {@code factor} while it is above {@code floor}
     */
    public static MonitorListener lowerLearningRate(LearningRateSchedule schedule, double factor, double floor,
            MonitorEvent.Type... on) {
        Objects.requireNonNull(schedule, "schedule");
        if (!(floor >= 0 && Double.isFinite(floor))) {
            throw new IllegalArgumentException("floor must be finite and >= 0, was " + floor);
        }
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1), was " + factor);
        }
        Set<MonitorEvent.Type> t = types(on);
        return e -> {
            if (t.contains(e.type())) {
                double before = schedule.learningRate();
                if (before <= floor) {
                    LOG.info("{}: learning rate {} already at floor {}", e.type(), before, floor);
                    return;
                }
                schedule.scale(Math.max(factor, floor / before));
                LOG.info("{} -> learning rate {} -> {}", e.type(), before, schedule.learningRate());
            }
        };
    }

    /**
     * @param checkpoint the checkpoint to restore
     * @param on event types that trigger it
     * @return a listener that restores the last good checkpoint
     */
    public static MonitorListener restoreCheckpoint(LastGoodCheckpoint<?> checkpoint, MonitorEvent.Type... on) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Set<MonitorEvent.Type> t = types(on);
        return e -> {
            if (t.contains(e.type())) {
                checkpoint.restore();
            }
        };
    }

    /**
     * @param callback called with every matching event
     * @param on event types that trigger it; none means every type
     * @return a listener that forwards the events to {@code callback}
     */
    public static MonitorListener alert(Consumer<MonitorEvent> callback, MonitorEvent.Type... on) {
        Objects.requireNonNull(callback, "callback");
        Set<MonitorEvent.Type> t = on.length == 0 ? EnumSet.allOf(MonitorEvent.Type.class) : EnumSet.copyOf(List.of(on));
        return e -> {
            if (t.contains(e.type())) {
                callback.accept(e);
            }
        };
    }

    /**
     * @param listeners listeners to call in order
     * @return one listener calling them all
     */
    public static MonitorListener all(MonitorListener... listeners) {
        List<MonitorListener> l = List.of(listeners);
        return e -> l.forEach(x -> x.onEvent(e));
    }
}
