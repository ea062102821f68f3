package io.autoglm.automl.monitor;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/** A listener list that logs every event and isolates listener failures. */
final class Listeners {
    private final List<MonitorListener> list = new CopyOnWriteArrayList<>();
    private final Logger log;

    Listeners(Logger log) {
        this.log = log;
    }

    void add(MonitorListener l) {
        list.add(Objects.requireNonNull(l, "listener"));
    }

    void fire(MonitorEvent e) {
        log.warn("{}", e);
        for (MonitorListener l : list) {
            l.onEvent(e);
        }
    }
}
