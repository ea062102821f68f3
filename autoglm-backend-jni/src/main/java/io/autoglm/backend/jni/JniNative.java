package io.autoglm.backend.jni;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.args.LogFormat;
import io.autoglm.ModelLoadException;
import io.autoglm.internal.BundledLibrary;
import io.autoglm.internal.NativeLogLevels;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide set-up of the de.kherud binding: which library its loader picks, where its loader may
 * delete files, its log routing, reflective access to its package-private parameter maps, and the
 * exit watchdog for the non-daemon threads it leaves behind.
 */
final class JniNative {
    /** System property: set to {@code false} to keep the JVM waiting on de.kherud's leaked threads. */
    static final String EXIT_WATCHDOG_PROPERTY = "autoglm.jni.exitWatchdog";

    private static final Logger LOG = LoggerFactory.getLogger(JniNative.class);
    private static final Logger NATIVE_LOG = LoggerFactory.getLogger("io.autoglm.native.llama");
    private static final Set<Thread> LEAKED = ConcurrentHashMap.newKeySet();
    private static volatile boolean initialised;
    private static Field jsonParameters;
    private static Field cliParameters;
    private static Field modelHandle;
    private static java.lang.reflect.Method decodeBytes;
    private static Class<?> llamaException;
    private static Thread watchdog;

    private JniNative() {
    }

    /** Points de.kherud's loader at our extracted library and away from java.io.tmpdir, then loads it. */
    static synchronized void init() {
        if (initialised) {
            return;
        }
        Path lib = BundledLibrary.path();
        if (System.getProperty("de.kherud.llama.lib.path") == null) {
            System.setProperty("de.kherud.llama.lib.path", lib.getParent().toString());
        }
        if (System.getProperty("de.kherud.llama.tmpdir") == null) {
            // its loader deletes every jllama*/llama* file in this folder at start-up: give it one of its own
            Path tmp = BundledLibrary.cacheDir().resolve("jni-tmp");
            try {
                Files.createDirectories(tmp);
            } catch (java.io.IOException e) {
                throw new ModelLoadException("cannot create " + tmp + ": " + e.getMessage()
                        + "; set -Dautoglm.cache.dir to a writable folder", e);
            }
            System.setProperty("de.kherud.llama.tmpdir", tmp.toString());
        }
        try {
            jsonParameters = Class.forName("de.kherud.llama.JsonParameters").getDeclaredField("parameters");
            jsonParameters.setAccessible(true);
            cliParameters = Class.forName("de.kherud.llama.CliParameters").getDeclaredField("parameters");
            cliParameters.setAccessible(true);
            modelHandle = LlamaModel.class.getDeclaredField("ctx");
            modelHandle.setAccessible(true);
            decodeBytes = LlamaModel.class.getDeclaredMethod("decodeBytes", int[].class);
            decodeBytes.setAccessible(true);
            llamaException = Class.forName("de.kherud.llama.LlamaException");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ModelLoadException("de.kherud:llama " + BundledLibrary.KHERUD_VERSION
                    + " is required (its parameter classes differ from what the JNI backend expects): " + e, e);
        }
        try {
            routeLogs(); // first use of LlamaModel: runs its static initialiser, which loads the library
        } catch (UnsatisfiedLinkError e) {
            throw new ModelLoadException("cannot load " + lib + " through de.kherud:llama: " + e.getMessage(), e);
        }
        LOG.info("JNI backend: de.kherud:llama {} using {}", BundledLibrary.KHERUD_VERSION, lib);
        initialised = true;
    }

    /**
     * (Re-)installs the SLF4J log sink. Must be repeated after every model load: the binding's load
     * calls llama.cpp's common_init, which replaces the llama log callback with its own printer.
     */
    static void routeLogs() {
        LlamaModel.setLogger(LogFormat.TEXT, JniNative::log);
    }

    private static void log(LogLevel level, String message) {
        if (message == null) {
            return;
        }
        String m = message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
        if (m.isEmpty()) {
            return;
        }
        switch (level) {
            case ERROR -> NATIVE_LOG.error("{}", m);
            case WARN -> {
                if (NativeLogLevels.isRoutineWarning(m)) {
                    NATIVE_LOG.debug("{}", m);
                } else {
                    NATIVE_LOG.warn("{}", m);
                }
            }
            case INFO -> NATIVE_LOG.debug("{}", m);
            default -> NATIVE_LOG.trace("{}", m);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> json(Object inferenceParameters) {
        try {
            return (Map<String, String>) jsonParameters.get(inferenceParameters);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> cli(Object modelParameters) {
        try {
            return (Map<String, String>) cliParameters.get(modelParameters);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the raw UTF-8 bytes of the tokens' pieces (the binding's public decode loses invalid bytes) */
    static byte[] decodeBytes(LlamaModel model, int[] tokens) {
        try {
            return (byte[]) decodeBytes.invoke(model, (Object) tokens);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** @return true for the binding's (package-private) LlamaException */
    static boolean isBindingError(Throwable t) {
        return llamaException != null && llamaException.isInstance(t);
    }

    static long handle(LlamaModel model) {
        try {
            return modelHandle.getLong(model);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the platform threads alive now */
    static Set<Thread> liveThreads() {
        return Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /**
     * Finds the thread the binding attached for a model just loaded: a new, non-daemon thread running
     * no Java code (a native thread attached with AttachCurrentThread). It is attached asynchronously,
     * so this polls for a short while.
     */
    static Thread findServerThread(Set<Thread> before) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                Thread t = e.getKey();
                if (!before.contains(t) && !t.isDaemon() && !LEAKED.contains(t) && e.getValue().length == 0) {
                    return t;
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Records a thread the binding leaves behind. Such threads are attached to the JVM as non-daemon
     * threads and never detach (not even after {@code LlamaModel.close()}), so the JVM would wait for
     * them forever once {@code main} returns. The watchdog treats them as daemon threads: when only
     * they remain besides the JVM's own {@code DestroyJavaVM} thread, it calls {@code System.exit(0)}.
     */
    static synchronized void registerLeakedThread(Thread t) {
        LEAKED.add(t);
        if (watchdog == null && !"false".equalsIgnoreCase(System.getProperty(EXIT_WATCHDOG_PROPERTY))) {
            Thread main = findMainThread();
            watchdog = Thread.ofPlatform().daemon(true).name("autoglm-jni-exit-watchdog").unstarted(() -> watch(main));
            watchdog.start();
        }
    }

    private static Thread findMainThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("main") && !t.isDaemon()) {
                return t;
            }
        }
        return null;
    }

    private static void watch(Thread main) {
        while (true) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            boolean mainGone = main != null && !main.isAlive();
            boolean others = false;
            List<Thread> live = new ArrayList<>(Thread.getAllStackTraces().keySet());
            for (Thread t : live) {
                if (t.getName().equals("DestroyJavaVM")) {
                    mainGone = true;
                    continue;
                }
                if (!t.isDaemon() && !LEAKED.contains(t) && t != main) {
                    others = true;
                }
            }
            if (mainGone && !others) {
                LOG.debug("only de.kherud's leaked native threads keep the JVM alive: exiting");
                System.exit(0);
            }
        }
    }
}
