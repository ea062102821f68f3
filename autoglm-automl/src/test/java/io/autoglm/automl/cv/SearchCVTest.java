package io.autoglm.automl.cv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.automl.AutoMLException;
import io.autoglm.automl.search.Distribution.CategoricalDistribution;
import io.autoglm.automl.search.Distribution.IntDistribution;
import io.autoglm.automl.search.TrialState;
import io.autoglm.automl.storage.Storage;
import io.autoglm.automl.storage.Storages;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Randomized and grid search of a k-nearest-neighbours classifier on the breast cancer data. */
class SearchCVTest {
    /** k-NN with optional standardisation; the "model" keeps the (scaled) training rows. */
    record KnnModel(double[][] x, double[] y, int k, double[] mean, double[] scale) {
        double[] transform(double[] row) {
            double[] r = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                r[j] = (row[j] - mean[j]) / scale[j];
            }
            return r;
        }
    }

    /** The k-NN learner with a fit and score that throw nothing checked. */
    interface PlainLearner<M> extends Learner<M> {
        @Override
        M fit(double[][] x, double[] y, Map<String, Object> params);

        @Override
        double score(M model, double[][] x, double[] y);
    }

    static final PlainLearner<KnnModel> KNN = new PlainLearner<>() {
        @Override
        public KnnModel fit(double[][] x, double[] y, Map<String, Object> params) {
            int k = (Integer) params.get("k");
            boolean standardize = (Boolean) params.getOrDefault("standardize", Boolean.TRUE);
            int d = x[0].length;
            double[] mean = new double[d];
            double[] scale = new double[d];
            Arrays.fill(scale, 1);
            if (standardize) {
                for (double[] r : x) {
                    for (int j = 0; j < d; j++) {
                        mean[j] += r[j] / x.length;
                    }
                }
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (double[] r : x) {
                        s += (r[j] - mean[j]) * (r[j] - mean[j]);
                    }
                    scale[j] = Math.sqrt(s / x.length) + 1e-12;
                }
            }
            KnnModel m = new KnnModel(null, null, k, mean, scale);
            double[][] tx = Arrays.stream(x).map(m::transform).toArray(double[][]::new);
            return new KnnModel(tx, y.clone(), k, mean, scale);
        }

        @Override
        public double score(KnnModel m, double[][] x, double[] y) {
            int correct = 0;
            for (int i = 0; i < x.length; i++) {
                double[] q = m.transform(x[i]);
                // the k nearest by insertion into a sorted array of size k
                double[] bestDist = new double[m.k()];
                double[] bestY = new double[m.k()];
                Arrays.fill(bestDist, Double.POSITIVE_INFINITY);
                for (int t = 0; t < m.x().length; t++) {
                    double s = 0;
                    for (int j = 0; j < q.length; j++) {
                        double diff = q[j] - m.x()[t][j];
                        s += diff * diff;
                    }
                    if (s < bestDist[m.k() - 1]) {
                        int p = m.k() - 1;
                        while (p > 0 && bestDist[p - 1] > s) {
                            bestDist[p] = bestDist[p - 1];
                            bestY[p] = bestY[p - 1];
                            p--;
                        }
                        bestDist[p] = s;
                        bestY[p] = m.y()[t];
                    }
                }
                double votes = 0;
                for (double v : bestY) {
                    votes += v;
                }
                double predicted = votes * 2 > m.k() ? 1 : 0;
                correct += predicted == y[i] ? 1 : 0;
            }
            return correct / (double) x.length;
        }
    };

    static Datasets.Data data;
    static List<Fold> folds;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        data = Datasets.load("breast_cancer.csv");
        folds = Folds.stratifiedKFold(data.y(), 5, true, 1);
    }

    @Test
    void randomizedSearch_findsParamsBetterThanABadOne_andRefitsTheBest() {
        double bad = SearchCV.mean(CrossValidation.scores(KNN, data.x(), data.y(), folds, Map.of("k", 1, "standardize", false)));

        SearchCV.Result<KnnModel> r = SearchCV.builder(KNN).data(data.x(), data.y()).folds(folds)
                .param("k", new IntDistribution(1, 31, false, 2))
                .param("standardize", new CategoricalDistribution(List.of(false, true)))
                .iterations(12).seed(5).build().run();

        LoggerFactory.getLogger(SearchCVTest.class).info("breast cancer 5-fold accuracy: k=1 unscaled {}, best {} with {}", bad,
                r.bestScore(), r.bestParams());
        assertThat(r.candidates()).hasSize(12);
        assertThat(r.failed()).isZero();
        assertThat(r.bestScore()).isGreaterThan(bad + 0.03).isGreaterThan(0.95);
        assertThat(r.bestParams()).containsEntry("standardize", true);
        assertThat(r.best().foldScores()).hasSize(5);
        assertThat(SearchCV.mean(r.best().foldScores().stream().mapToDouble(Double::doubleValue).toArray())).isEqualTo(r.bestScore());
        assertThat(r.candidates()).allSatisfy(c -> assertThat(c.meanScore()).isLessThanOrEqualTo(r.bestScore()));
        assertThat(r.bestModel()).isPresent();
        assertThat(r.bestModel().get().k()).isEqualTo(r.bestParams().get("k"));
    }

    @Test
    void randomizedSearch_onThreeThreads_evaluatesEveryCandidate() {
        SearchCV.Result<KnnModel> r = SearchCV.builder(KNN).data(data.x(), data.y()).folds(folds)
                .param("k", new IntDistribution(1, 15, false, 2)).iterations(6).seed(8).parallelism(3).refit(false).build().run();
        assertThat(r.candidates()).hasSize(6).extracting(SearchCV.Candidate::number).doesNotHaveDuplicates();
        assertThat(r.candidates()).allSatisfy(c -> assertThat(c.meanScore()).isEqualTo(
                SearchCV.mean(CrossValidation.scores(KNN, data.x(), data.y(), folds, c.params()))));
    }

    @Test
    void gridSearch_evaluatesEveryCombinationOnce_andPicksTheBest() {
        SearchCV.Result<KnnModel> r = SearchCV.builder(KNN).data(data.x(), data.y()).folds(folds)
                .grid(Map.of("k", List.of(1, 5, 15), "standardize", List.of(false, true))).refit(false).build().run();

        assertThat(r.candidates()).hasSize(6);
        assertThat(r.candidates()).extracting(c -> c.params().get("k") + "/" + c.params().get("standardize"))
                .containsExactlyInAnyOrder("1/false", "1/true", "5/false", "5/true", "15/false", "15/true");
        double bestByHand = r.candidates().stream().mapToDouble(SearchCV.Candidate::meanScore).max().orElseThrow();
        assertThat(r.bestScore()).isEqualTo(bestByHand);
        assertThat(r.bestParams()).containsEntry("standardize", true);
        assertThat(r.bestModel()).isEmpty();
    }

    @Test
    void search_inASqliteStorage_recordsFoldScoresAsTrials() {
        try (Storage storage = Storages.open("sqlite:" + dir.resolve("cv.db"))) {
            SearchCV.Result<KnnModel> r = SearchCV.builder(KNN).data(data.x(), data.y()).folds(folds)
                    .param("k", new IntDistribution(1, 9, false, 2)).iterations(4).seed(2).storage(storage, "knn-cv")
                    .refit(false).build().run();
            long id = storage.findStudy("knn-cv").orElseThrow().studyId();
            var trials = storage.trials(id, Set.of(TrialState.COMPLETE));
            assertThat(trials).hasSize(4);
            assertThat(trials).anySatisfy(t -> assertThat(t.value()).isEqualTo(r.bestScore()));
            assertThat(trials).allSatisfy(t -> assertThat((List<?>) t.userAttrs().get("fold_scores")).hasSize(5));
        }
    }

    @Test
    void failingLearner_isRecordedAsFailedCandidates_andAllFailingIsAClearError() {
        Learner<KnnModel> picky = new Learner<>() {
            @Override
            public KnnModel fit(double[][] x, double[] y, Map<String, Object> params) {
                if ((Integer) params.get("k") > 3) {
                    throw new IllegalArgumentException("k too large for this learner");
                }
                return KNN.fit(x, y, params);
            }

            @Override
            public double score(KnnModel model, double[][] x, double[] y) {
                return KNN.score(model, x, y);
            }
        };
        SearchCV.Result<KnnModel> r = SearchCV.builder(picky).data(data.x(), data.y()).folds(folds)
                .grid(Map.of("k", List.of(1, 3, 5, 7))).refit(false).build().run();
        assertThat(r.candidates()).hasSize(2);
        assertThat(r.failed()).isEqualTo(2);

        assertThatThrownBy(() -> SearchCV.builder(picky).data(data.x(), data.y()).folds(folds).grid(Map.of("k", List.of(9))).build().run())
                .isInstanceOf(AutoMLException.class).hasMessageContaining("k too large");
    }

    @Test
    void builder_rejectsMissingOrInconsistentSettings() {
        assertThatThrownBy(() -> SearchCV.builder(KNN).param("k", new IntDistribution(1, 3, false, 1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("data");
        assertThatThrownBy(() -> SearchCV.builder(KNN).data(data.x(), data.y()).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SearchCV.builder(KNN).data(new double[3][2], new double[2])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 and 2");
        assertThatThrownBy(() -> SearchCV.builder(KNN).iterations(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
        assertThatThrownBy(() -> SearchCV.builder(KNN).grid(Map.of("k", List.of()))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchCV.builder(KNN).data(data.x(), data.y()).folds(Folds.kFold(600, 2, false, 0))
                .param("k", new IntDistribution(1, 3, false, 1)).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside [0, 569)");
    }
}
