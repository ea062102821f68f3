package io.autoglm.automl.monitor;

/** Receives {@link MonitorEvent}s. Called on the thread that fed the monitor. */
@FunctionalInterface
public interface MonitorListener {
    /** @param event the event */
    void onEvent(MonitorEvent event);
}
