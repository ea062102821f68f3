package io.autoglm.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP for {@code autoglm serve --config}: the JDK's (unsupported but long-standing) {@code sun.misc.Signal} hook, the
 * only way a Java process can take a POSIX signal. Without it SIGHUP would end the JVM.
 */
final class SignalReload {
    private static final String HUP = "HUP";

    private SignalReload() {
    }

    /**
     * @param reload what SIGHUP runs (on the JVM's signal-dispatch thread; reloads are serialised by the deployment)
     * @return the handler it replaced, for {@link #restore}, or null when this platform has no SIGHUP
     */
    static Object install(Runnable reload) {
        try {
            return Signal.handle(new Signal(HUP), sig -> reload.run());
        } catch (IllegalArgumentException noSighup) {
            return null; // Windows: no SIGHUP; the configuration is read at start only
        }
    }

    /** @param previous what {@link #install} returned */
    static void restore(Object previous) {
        if (previous instanceof SignalHandler h) {
            Signal.handle(new Signal(HUP), h);
        }
    }
}
