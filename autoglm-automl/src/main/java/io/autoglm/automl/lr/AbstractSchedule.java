package io.autoglm.automl.lr;

import java.util.Map;

/**
 * The part every step-counting schedule shares: its type name, the step counter and the framing of
 * its state snapshot ({@code "type"} first, then the subclass's fields, then {@code "steps"}, then any
 * trailing fields). Subclasses keep only their rate formula, their configuration and their own state.
 */
abstract class AbstractSchedule implements LearningRateSchedule {
    private final String type;
    private long steps;

    AbstractSchedule(String type) {
        this.type = type;
    }

    @Override
    public void step() {
        steps++;
    }

    @Override
    public final long stepCount() {
        return steps;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Map<String, Object> state() {
        Map<String, Object> m = Schedules.newState(type);
        writeState(m);
        m.put("steps", steps);
        writeTrailingState(m);
        return m;
    }

    @Override
    public final void loadState(Map<String, ?> state) {
        Schedules.checkType(state, type);
        readState(state);
        steps = Schedules.lng(state, "steps");
        readTrailingState(state);
    }

    /** Puts the configuration and mutable state stored before {@code "steps"}. */
    abstract void writeState(Map<String, Object> m);

    /** Restores what {@link #writeState} stored (the type has been checked). */
    abstract void readState(Map<String, ?> state);

    /** Puts the fields stored after {@code "steps"}; none by default. */
    void writeTrailingState(Map<String, Object> m) {
    }

    /** Restores what {@link #writeTrailingState} stored; nothing by default. */
    void readTrailingState(Map<String, ?> state) {
    }
}
