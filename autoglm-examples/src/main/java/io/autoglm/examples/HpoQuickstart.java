package io.autoglm.examples;

import io.autoglm.automl.search.Pruners;
import io.autoglm.automl.search.Samplers;
import io.autoglm.automl.search.Study;
import io.autoglm.automl.search.StudyDirection;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.Storages;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Minimises a small three-parameter function with the (multivariate) TPE sampler, storing the study in an
 * SQLite file so a second run resumes it (the snippet shown in the README).
 *
 * <pre>{@code java -cp autoglm-examples/target/autoglm.jar io.autoglm.examples.HpoQuickstart /tmp/study.db}</pre>
 */
public final class HpoQuickstart {
    private HpoQuickstart() {
    }

    /**
     * @param dbFile the SQLite file that holds the study
     * @param trials how many trials this run adds
     * @return the best parameters found so far
     */
    public static Map<String, Object> run(Path dbFile, int trials) {
        try (Storage storage = Storages.open("sqlite:" + dbFile);
                Study study = Study.builder()
                .name("quickstart")
                .direction(StudyDirection.MINIMIZE)
                .sampler(Samplers.tpe().seed(42).build())
                .pruner(Pruners.median().build())
                .storage(storage)
                .loadIfExists(true)
                .build()) {
            study.optimize(trial -> {
                double x = trial.suggestFloat("x", -5, 10);
                double lr = trial.suggestFloatLog("lr", 1e-4, 1e-1);
                String kind = trial.suggestCategorical("kind", List.of("a", "b"));
                return (x - 2) * (x - 2) + Math.abs(Math.log10(lr) + 2) + ("a".equals(kind) ? 0 : 1);
            }, trials);
            System.out.printf("best value %.4f after %d trials: %s%n", study.bestValue(), study.trials().size(),
                    study.bestParams());
            return study.bestParams();
        }
    }

    /** @param args the SQLite file (default {@code hpo-quickstart.db}) */
    public static void main(String[] args) {
        run(Path.of(args.length > 0 ? args[0] : "hpo-quickstart.db"), 40);
    }
}
