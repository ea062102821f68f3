package io.autoglm.memory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how much memory this process can still use: the smaller of the system's available memory
 * ({@code MemAvailable} in {@code /proc/meminfo}) and the room left under a cgroup limit (v2 {@code memory.max -
 * memory.current}, v1 {@code memory.limit_in_bytes - memory.usage_in_bytes}); where neither can be read, the
 * operating system's free physical memory from {@link java.lang.management.OperatingSystemMXBean}.
 */
public final class MemoryProbe {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryProbe.class);
    /** cgroup v1 reports "no limit" as a huge number near Long.MAX_VALUE rounded to pages. */
    private static final long V1_UNLIMITED = 1L << 60;

    /**
     * Available memory and where the number comes from.
     *
     * @param bytes available bytes, positive
     * @param source how it was measured, e.g. {@code "/proc/meminfo MemAvailable"}
     */
    public record Available(long bytes, String source) {
    }

    private MemoryProbe() {
    }

    /** @return the memory available to this process now */
    public static Available available() {
        return available(Path.of("/"));
    }

    /**
     * Measures with another file-system root (tests point it at a fake {@code /proc} and {@code /sys}).
     *
     * @param root the folder holding {@code proc/meminfo} and {@code sys/fs/cgroup}
     * @return the memory available
     */
    static Available available(Path root) {
        OptionalLong meminfo = memAvailable(root.resolve("proc/meminfo"));
        OptionalLong cgroup = cgroupRoom(root);
        if (meminfo.isPresent() && cgroup.isPresent()) {
            return cgroup.getAsLong() < meminfo.getAsLong()
                    ? new Available(cgroup.getAsLong(), "cgroup limit minus usage")
                    : new Available(meminfo.getAsLong(), "/proc/meminfo MemAvailable");
        }
        if (cgroup.isPresent()) {
            return new Available(cgroup.getAsLong(), "cgroup limit minus usage");
        }
        if (meminfo.isPresent()) {
            return new Available(meminfo.getAsLong(), "/proc/meminfo MemAvailable");
        }
        return new Available(Math.max(1, mxBeanFree()), "OperatingSystemMXBean free memory");
    }

    static OptionalLong memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.substring("MemAvailable:".length()).trim().split("\\s+");
                    long kb = Long.parseLong(parts[0]);
                    return kb > 0 ? OptionalLong.of(kb * 1024) : OptionalLong.empty();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no MemAvailable in {}: {}", meminfo, e.toString());
        }
        return OptionalLong.empty();
    }

    static OptionalLong cgroupRoom(Path root) {
        Path v2 = root.resolve("sys/fs/cgroup");
        OptionalLong room = room(v2.resolve("memory.max"), v2.resolve("memory.current"));
        if (room.isPresent()) {
            return room;
        }
        Path v1 = root.resolve("sys/fs/cgroup/memory");
        return room(v1.resolve("memory.limit_in_bytes"), v1.resolve("memory.usage_in_bytes"));
    }

    private static OptionalLong room(Path limitFile, Path usageFile) {
        try {
            if (!Files.isReadable(limitFile)) {
                return OptionalLong.empty();
            }
            String limit = Files.readString(limitFile).trim();
            if (limit.isEmpty() || limit.equals("max")) {
                return OptionalLong.empty();
            }
            long l = Long.parseLong(limit);
            if (l <= 0 || l >= V1_UNLIMITED) {
                return OptionalLong.empty();
            }
            long used = 0;
            if (Files.isReadable(usageFile)) {
                List<String> lines = Files.readAllLines(usageFile);
                used = lines.isEmpty() ? 0 : Long.parseLong(lines.get(0).trim());
            }
            return OptionalLong.of(Math.max(1, l - used));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read cgroup limit {}: {}", limitFile, e.toString());
            return OptionalLong.empty();
        }
    }

    private static long mxBeanFree() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
