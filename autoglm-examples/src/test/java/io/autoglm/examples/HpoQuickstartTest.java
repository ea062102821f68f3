package io.autoglm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HpoQuickstartTest {
    @Test
    void run_findsTheMinimumRegion_andResumesFromTheSqliteFile(@TempDir Path dir) {
        Path db = dir.resolve("study.db");
        HpoQuickstart.run(db, 30);
        Map<String, Object> best = HpoQuickstart.run(db, 30);   // resumes: 60 trials in the study
        assertThat((Double) best.get("x")).isBetween(0.5, 3.5);
        assertThat(best.get("kind")).isEqualTo("a");
    }
}
