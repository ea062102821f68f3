package io.autoglm.backend.ffm;

import io.autoglm.internal.NativeLogLevels;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Target of the {@code llama_log_set} upcall: llama.cpp and ggml log lines go to SLF4J (logger
 * {@code io.autoglm.native.llama}) instead of stderr, at the levels {@link NativeLogLevels} gives. llama.cpp sends lines in pieces (a piece
 * without newline, then {@code GGML_LOG_LEVEL_CONT} pieces), so pieces are gathered per thread until
 * a newline. The last error line of each thread is kept so a failing call (a grammar the parser
 * rejects, a model the loader refuses) can quote it in its exception. Never throws: an exception
 * escaping an upcall would end the JVM.
 */
final class NativeLog {
    static final Logger LOG = LoggerFactory.getLogger("io.autoglm.native.llama");

    // ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5
    private static final int DEBUG = 1;
    private static final int INFO = 2;
    private static final int WARN = 3;
    private static final int ERROR = 4;
    private static final int CONT = 5;

    private static final ThreadLocal<StringBuilder> PENDING = ThreadLocal.withInitial(StringBuilder::new);
    private static final ThreadLocal<int[]> PENDING_LEVEL = ThreadLocal.withInitial(() -> new int[] {INFO});
    private static final ThreadLocal<String> LAST_ERROR = new ThreadLocal<>();
    /** every error line since the last take, for calls whose first error explains more than their last */
    private static final ThreadLocal<StringBuilder> ERRORS = ThreadLocal.withInitial(StringBuilder::new);

    private NativeLog() {
    }

    /** Upcall target: {@code void (*)(enum ggml_log_level, const char *, void *)}. */
    static void log(int level, MemorySegment text, MemorySegment userData) {
        try {
            if (text.equals(MemorySegment.NULL)) {
                return;
            }
            String s = text.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
            StringBuilder sb = PENDING.get();
            if (level != CONT) {
                if (!sb.isEmpty()) {
                    emit(PENDING_LEVEL.get()[0], sb.toString());
                    sb.setLength(0);
                }
                PENDING_LEVEL.get()[0] = level;
            }
            sb.append(s);
            int nl;
            while ((nl = sb.indexOf("\n")) >= 0) {
                emit(PENDING_LEVEL.get()[0], sb.substring(0, nl));
                sb.delete(0, nl + 1);
            }
        } catch (Throwable t) {
            // nothing may escape an upcall
        }
    }

    private static void emit(int level, String line) {
        if (line.isBlank()) {
            return;
        }
        switch (level) {
            case ERROR -> {
                LAST_ERROR.set(line.strip());
                StringBuilder all = ERRORS.get();
                if (all.length() < 4096) {
                    all.append(all.isEmpty() ? "" : "; ").append(line.strip());
                }
                if (NativeLogLevels.isHandledError(line)) {
                    LOG.debug("{}", line);
                } else {
                    LOG.error("{}", line);
                }
            }
            case WARN -> {
                if (NativeLogLevels.isRoutineWarning(line)) {
                    LOG.debug("{}", line);
                } else {
                    LOG.warn("{}", line);
                }
            }
            case DEBUG -> LOG.trace("{}", line);
            default -> LOG.debug("{}", line); // INFO is chatty (every load prints dozens of lines)
        }
    }

    /** @return the last native error line logged on this thread, then forgets it; empty when none */
    static String takeLastError() {
        String s = LAST_ERROR.get();
        LAST_ERROR.remove();
        ERRORS.get().setLength(0);
        return s == null ? "" : s;
    }

    /** @return every native error line logged on this thread since the last take, joined by "; "; empty when none */
    static String takeErrors() {
        String s = ERRORS.get().toString();
        ERRORS.get().setLength(0);
        LAST_ERROR.remove();
        return s;
    }
}
