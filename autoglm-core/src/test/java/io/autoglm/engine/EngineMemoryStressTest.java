package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.TokenStream;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stress test (documented threshold, not a timing): 200 open/close cycles of a batching model, each
 * with 8 concurrent requests of which some are cancelled and one is still running when the model
 * closes, must give back all native memory: resident memory grows by less than 50 MB.
 */
class EngineMemoryStressTest {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Test
    void openServeEightAndClose200Times_growsResidentMemoryByLessThan50MB() throws Exception {
        assumeTrue(Files.isReadable(STATUS), "needs /proc/self/status (Linux)");
        Path model = TestModels.stories260K();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            // warm-up: library, JIT, thread pools, glibc arenas (measured: resident memory settles after ~100
            // cycles and then stays within a few MB over 500 more)
            cycle(model, callers, 100);
            System.gc();
            long before = rssKb();
            cycle(model, callers, 200);
            System.gc();
            long after = rssKb();
            System.out.printf("VmRSS before %d kB, after 200 open/serve/close cycles %d kB (+%d MB)%n", before, after,
                    (after - before) / 1024);
            assertThat(after - before).as("RSS growth in kB").isLessThan(50 * 1024);
        } finally {
            callers.shutdownNow();
        }
    }

    private static void cycle(Path model, ExecutorService callers, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            LanguageModel m = AutoGLM.builder().model(model).threads(1).contextSize(2048).parallel(8).build();
            List<Future<Completion>> fs = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                String prompt = "Once upon a time " + r;
                fs.add(callers.submit(() -> m.complete(CompletionRequest.builder().prompt(prompt).maxTokens(8).ignoreEos(true)
                        .build())));
            }
            TokenStream cancelled = m.stream(CompletionRequest.builder().prompt("The little dog").maxTokens(100).build());
            cancelled.cancel();
            for (Future<Completion> f : fs) {
                assertThat(f.get(60, TimeUnit.SECONDS).tokens()).hasSize(8);
            }
            if (i % 2 == 0) {
                assertThat(m.embedAll(List.of("a", "b c"))).hasSize(2);
            }
            TokenStream open = m.stream(CompletionRequest.builder().prompt("Lily").maxTokens(2000).ignoreEos(true).build());
            assertThat(open.hasNext()).isTrue();
            m.close(); // with a request still running
            org.assertj.core.api.Assertions.assertThatThrownBy(open::result).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
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
