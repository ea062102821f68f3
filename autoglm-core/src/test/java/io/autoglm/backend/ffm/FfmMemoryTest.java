package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.SamplingParams;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Stress test: loading and closing must give all native memory back (model, contexts, batches,
 * samplers, threads). It is the one resident-memory threshold in the unit tests, and it is generous on
 * purpose: 50 MB over 200 load/close cycles is 250 KB a cycle, far above what the allocator and the JIT
 * add (the test prints the growth: +20 kB when this was written) and far below one leaked model per
 * cycle (its 1.2 MB of weights alone would add 240 MB), so it neither flakes on a busy machine nor lets
 * a real leak through. Linux only ({@code /proc/self/status}).
 */
class FfmMemoryTest {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Test
    void loadAndClose200Times_growsResidentMemoryByLessThan50MB() throws IOException {
        Fixtures.platform(Files.isReadable(STATUS), "/proc/self/status (Linux)");
        Path model = TestModels.stories260K();
        // warm up: first load pulls in the library, JIT-compiled code, SLF4J, thread stacks
        cycle(model, 10);
        System.gc();
        long before = rssKb();
        cycle(model, 200);
        System.gc();
        long after = rssKb();
        long growthMb = (after - before) / 1024;
        System.out.printf("VmRSS before %d kB, after 200 load/close cycles %d kB (+%d MB)%n", before, after, growthMb);
        assertThat(after - before).as("RSS growth in kB").isLessThan(50 * 1024);
    }

    private static void cycle(Path model, int n) {
        for (int i = 0; i < n; i++) {
            try (FfmModel m = (FfmModel) new FfmBackend().load(FfmTestSupport.spec(model, 2, 128, null, i % 2 == 0))) {
                int[] p = m.tokenize("Once upon a time", true, false);
                assertThat(FfmTestSupport.generate(m, p, SamplingParams.greedy(), 4, true, null).tokens()).hasSize(4);
                if (i % 2 == 0) {
                    assertThat(FfmTestSupport.embed(m, p, true)).hasSize(64);
                }
            }
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in " + STATUS);
    }
}
