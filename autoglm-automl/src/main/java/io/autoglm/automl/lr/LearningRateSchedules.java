package io.autoglm.automl.lr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Objects;

/**
 * Factory of the built-in {@link LearningRateSchedule}s and their JSON checkpoint helpers.
 *
 * <pre>{@code
 * LearningRateSchedule lr = LearningRateSchedules.step(0.1, 30, 0.1);
 * String checkpoint = LearningRateSchedules.toJson(lr);
 * // later, in a new process:
 * LearningRateSchedule resumed = LearningRateSchedules.step(0.1, 30, 0.1);
 * LearningRateSchedules.loadJson(resumed, checkpoint);
 * }</pre>
 */
public final class LearningRateSchedules {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LearningRateSchedules() {
    }

    /**
     * @param lr the rate, finite and {@code >= 0}
     * @return {@code lr_t = lr}
     */
    public static LearningRateSchedule constant(double lr) {
        return new ConstantSchedule(lr);
    }

    /**
     * @param lr the initial rate
     * @param stepSize steps between decays, {@code > 0}
     * @param gamma decay factor, {@code > 0}
     * @return {@code lr_t = lr * gamma^floor(t / stepSize)}
     */
    public static LearningRateSchedule step(double lr, long stepSize, double gamma) {
        return new StepSchedule(lr, stepSize, gamma);
    }

    /**
     * @param lr the initial rate
     * @param gamma decay factor per step, {@code > 0}
     * @return {@code lr_t = lr * gamma^t}
     */
    public static LearningRateSchedule exponential(double lr, double gamma) {
        return new ExponentialSchedule(lr, gamma);
    }

    /**
     * Cosine annealing with warm restarts (SGDR).
     *
     * @param lr the rate at the start of each cycle
     * @param t0 length of the first cycle in steps, {@code > 0}
     * @param tMult growth factor of the cycle length, {@code >= 1}
     * @param etaMin the rate at the bottom of each cycle, in {@code [0, lr]}
     * @return the schedule
     */
    public static LearningRateSchedule cosineWarmRestarts(double lr, long t0, long tMult, double etaMin) {
        return new CosineWarmRestartsSchedule(lr, t0, tMult, etaMin);
    }

    /**
     * Linear warm-up in front of {@code inner}: the rate grows linearly from
     * {@code startFactor * inner} to {@code inner} over {@code warmupSteps}, then {@code inner} runs.
     *
     * @param inner the schedule after warm-up
     * @param warmupSteps warm-up length, {@code > 0}
     * @param startFactor fraction of the inner rate at step 0, in {@code [0, 1]}
     * @return the composed schedule
     */
    public static LearningRateSchedule warmup(LearningRateSchedule inner, long warmupSteps, double startFactor) {
        return new WarmupSchedule(inner, warmupSteps, startFactor);
    }

    /**
     * One-cycle policy with PyTorch's defaults (pctStart 0.3, divFactor 25, finalDivFactor 1e4).
     *
     * @param maxLr the peak rate
     * @param totalSteps the cycle length, {@code >= 2}
     * @return the schedule
     */
    public static LearningRateSchedule oneCycle(double maxLr, long totalSteps) {
        return oneCycle(maxLr, totalSteps, 0.3, 25, 1e4);
    }

    /**
     * One-cycle policy (two phases, cosine annealing).
     *
     * @param maxLr the peak rate, {@code > 0}
     * @param totalSteps the cycle length, {@code >= 2}
     * @param pctStart fraction of the cycle spent rising, in (0, 1)
     * @param divFactor initial rate = maxLr / divFactor
     * @param finalDivFactor final rate = initial rate / finalDivFactor
     * @return the schedule
     */
    public static LearningRateSchedule oneCycle(double maxLr, long totalSteps, double pctStart, double divFactor,
            double finalDivFactor) {
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, divFactor, finalDivFactor);
    }

    /**
     * @param lr the initial rate
     * @return reduce-on-plateau with PyTorch's defaults; use {@link ReduceLROnPlateau#builder} to change them
     */
    public static ReduceLROnPlateau reduceOnPlateau(double lr) {
        return ReduceLROnPlateau.builder(lr).build();
    }

    /**
     * @param lr the initial rate
     * @return the gradient-variance adaptive schedule with its defaults; see
     *     {@link GradientVarianceAdaptive#builder}
     */
    public static GradientVarianceAdaptive gradientVarianceAdaptive(double lr) {
        return GradientVarianceAdaptive.builder(lr).build();
    }

    /**
     * @param schedule the schedule to snapshot
     * @return its {@link LearningRateSchedule#state()} as JSON
     */
    public static String toJson(LearningRateSchedule schedule) {
        Objects.requireNonNull(schedule, "schedule");
        try {
            return JSON.writeValueAsString(schedule.state());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the state of " + schedule, e);
        }
    }

    /**
     * Restores a {@link #toJson} snapshot into {@code schedule}.
     *
     * @param schedule a schedule built with the same configuration as the one snapshotted
     * @param json the snapshot
     * @throws IllegalArgumentException if the JSON is malformed or of another schedule type
     */
    public static void loadJson(LearningRateSchedule schedule, String json) {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(json, "json");
        Map<String, Object> state;
        try {
            state = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed schedule state JSON: " + e.getOriginalMessage(), e);
        }
        schedule.loadState(state);
    }
}
