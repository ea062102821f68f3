package io.autoglm.internal;

import io.autoglm.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The llama.cpp library shipped inside {@code de.kherud:llama} ({@code libjllama}), extracted once
 * to a versioned cache folder so both backends use the same binary. The cache folder is
 * {@code autoglm.cache.dir} (system property), else {@code AUTOGLM_CACHE_DIR}, else
 * {@code ~/.cache/autoglm}. It is deliberately not {@code java.io.tmpdir}: de.kherud's own loader
 * deletes files named {@code jllama*}/{@code llama*} there.
 */
public final class BundledLibrary {
    /** The de.kherud:llama version whose library is bundled. */
    public static final String KHERUD_VERSION = "4.2.0";
    /** The llama.cpp build inside it. */
    public static final String LLAMA_BUILD = "b4916";

    private static final Logger LOG = LoggerFactory.getLogger(BundledLibrary.class);
    private static volatile Path extracted;

    private BundledLibrary() {
    }

    /** @return AutoGLM's cache folder (created on demand by callers) */
    public static Path cacheDir() {
        String p = System.getProperty("autoglm.cache.dir");
        if (p == null || p.isBlank()) {
            p = System.getenv("AUTOGLM_CACHE_DIR");
        }
        if (p == null || p.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "autoglm");
        }
        return Path.of(p);
    }

    /** @return the resource folder of this platform inside the de.kherud jar, e.g. {@code Linux/x86_64} */
    static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osDir;
        if (os.contains("linux")) {
            osDir = "Linux";
        } else if (os.contains("mac") || os.contains("darwin")) {
            osDir = "Mac";
        } else if (os.contains("windows")) {
            osDir = "Windows";
        } else {
            throw new ModelLoadException("no bundled llama.cpp library for os.name=" + os
                    + "; point nativeLibrary(Path) at a llama.cpp build");
        }
        String archDir = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i686" -> "x86";
            default -> throw new ModelLoadException("no bundled llama.cpp library for os.arch=" + arch
                    + "; point nativeLibrary(Path) at a llama.cpp build");
        };
        return osDir + "/" + archDir;
    }

    static String libraryFileName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("windows")) {
            return "jllama.dll";
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return "libjllama.dylib";
        }
        return "libjllama.so";
    }

    /**
     * Extracts the bundled library if needed and returns its path.
     *
     * @return path of the extracted {@code libjllama}
     * @throws ModelLoadException when the platform has no bundled library or extraction fails
     */
    public static Path path() {
        Path p = extracted;
        if (p != null) {
            return p;
        }
        synchronized (BundledLibrary.class) {
            if (extracted == null) {
                extracted = extract();
            }
            return extracted;
        }
    }

    /**
     * Finds the library inside the de.kherud jar. Asked through a class loader, not through
     * {@code Class.getResource}: in a named module (module path) the latter searches only
     * this module, while the de.kherud jar is its own (automatic) module. The resource's folder is no
     * package of that module, so it is not encapsulated and any loader that sees the jar finds it.
     */
    static URL find(String name) {
        for (ClassLoader l : new ClassLoader[] {BundledLibrary.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()}) {
            if (l != null) {
                URL u = l.getResource(name);
                if (u != null) {
                    return u;
                }
            }
        }
        return null;
    }

    private static Path extract() {
        return extract(cacheDir());
    }

    /**
     * Extracts the library into {@code cache}, unless the file there already is it. That check costs no
     * decompression: the jar's central directory holds the entry's size and CRC-32, and the file's CRC-32 is
     * computed from the file (a few milliseconds); only a missing or different file is written again.
     *
     * @param cache the cache folder
     * @return path of the extracted library
     */
    static Path extract(Path cache) {
        String folder = platformFolder();
        String name = libraryFileName();
        String resource = "/de/kherud/llama/" + folder + "/" + name;
        Path dir = cache.resolve("native").resolve("de.kherud-llama-" + KHERUD_VERSION).resolve(folder.replace('/', '-'));
        Path target = dir.resolve(name);
        URL url = find(resource.substring(1));
        if (url == null) {
            throw new ModelLoadException("resource " + resource + " not found: is de.kherud:llama:" + KHERUD_VERSION
                    + " on the class path or the module path?");
        }
        try {
            if (sameAsEntry(url, target)) {
                return target;
            }
            byte[] bytes;
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            }
            if (AtomicFiles.writeIfChanged(target, bytes)) {
                LOG.info("extracted llama.cpp {} library to {}", LLAMA_BUILD, target);
            }
            return target;
        } catch (IOException e) {
            throw new ModelLoadException("cannot extract " + resource + " to " + target + ": " + e.getMessage()
                    + "; set -Dautoglm.cache.dir to a writable folder", e);
        }
    }

    /**
     * @return true when the resource is a jar entry whose size and CRC-32 the file has; false when the file differs
     *     or the resource is not in a jar (then the caller compares the bytes)
     */
    static boolean sameAsEntry(URL url, Path file) throws IOException {
        if (!Files.isRegularFile(file) || !(url.openConnection() instanceof JarURLConnection jar)) {
            return false;
        }
        JarEntry entry = jar.getJarEntry();
        if (entry == null || entry.getSize() < 0 || entry.getCrc() < 0 || Files.size(file) != entry.getSize()) {
            return false;
        }
        CRC32 crc = new CRC32();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue() == entry.getCrc();
    }
}
