package io.autoglm.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryProbeTest {
    @TempDir
    Path root;

    private void meminfo(long kb) throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       16000000 kB\nMemFree:         1000000 kB\n"
                + "MemAvailable:   " + kb + " kB\nBuffers:          1000 kB\n");
    }

    private void cgroupV2(String max, long current) throws IOException {
        Path cg = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cg.resolve("memory.max"), max + "\n");
        Files.writeString(cg.resolve("memory.current"), current + "\n");
    }

    @Test
    void memAvailable_isUsed_whenThereIsNoCgroupLimit() throws IOException {
        meminfo(8_000_000);
        cgroupV2("max", 123);
        MemoryProbe.Available a = MemoryProbe.available(root);
        assertThat(a.bytes()).isEqualTo(8_000_000L * 1024);
        assertThat(a.source()).contains("MemAvailable");
    }

    @Test
    void cgroupV2Room_wins_whenSmallerThanMemAvailable() throws IOException {
        meminfo(8_000_000);
        cgroupV2("1073741824", 73741824);
        MemoryProbe.Available a = MemoryProbe.available(root);
        assertThat(a.bytes()).isEqualTo(1_000_000_000L);
        assertThat(a.source()).contains("cgroup");
    }

    @Test
    void cgroupV1Limit_isRead_andItsUnlimitedMarkerIgnored() throws IOException {
        meminfo(4_000_000);
        Path v1 = Files.createDirectories(root.resolve("sys/fs/cgroup/memory"));
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "536870912\n");
        Files.writeString(v1.resolve("memory.usage_in_bytes"), "36870912\n");
        assertThat(MemoryProbe.available(root).bytes()).isEqualTo(500_000_000L);
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(MemoryProbe.available(root).bytes()).isEqualTo(4_000_000L * 1024);
    }

    @Test
    void fallsBackToTheOperatingSystemBean_whenNothingIsReadable() {
        MemoryProbe.Available a = MemoryProbe.available(root);
        assertThat(a.bytes()).isPositive();
        assertThat(a.source()).contains("OperatingSystemMXBean");
    }

    @Test
    void theRealMachine_reportsAPositiveAmount() {
        assertThat(MemoryProbe.available().bytes()).isPositive();
    }
}
