package io.autoglm.automl.cv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FoldsTest {
    private static void assertPartition(List<Fold> folds, int n) {
        Set<Integer> seen = new HashSet<>();
        for (Fold f : folds) {
            assertThat(f.trainSize() + f.testSize()).isEqualTo(n);
            for (int i : f.test()) {
                assertThat(seen.add(i)).as("row %d is in two test folds", i).isTrue();
            }
            Set<Integer> train = new HashSet<>();
            Arrays.stream(f.train()).forEach(train::add);
            Arrays.stream(f.test()).forEach(i -> assertThat(train).doesNotContain(i));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(IntStream.range(0, n).boxed().toList());
        int min = folds.stream().mapToInt(Fold::testSize).min().orElseThrow();
        int max = folds.stream().mapToInt(Fold::testSize).max().orElseThrow();
        assertThat(max - min).as("fold sizes differ by at most one").isLessThanOrEqualTo(1);
    }

    @Test
    void kFold_testSetsAreDisjointCoverAllRowsAndBalanced() {
        List<Fold> folds = Folds.kFold(103, 5, true, 11);
        assertThat(folds).hasSize(5);
        assertPartition(folds, 103);
    }

    @Test
    void kFold_isReproducibleForASeed_andShufflingDependsOnIt() {
        assertThat(Folds.kFold(50, 4, true, 1)).isEqualTo(Folds.kFold(50, 4, true, 1));
        assertThat(Folds.kFold(50, 4, true, 1)).isNotEqualTo(Folds.kFold(50, 4, true, 2));
        // without shuffling the test blocks are consecutive rows
        assertThat(Folds.kFold(10, 3, false, 0).get(0).test()).containsExactly(0, 1, 2, 3);
        assertThat(Folds.kFold(10, 3, false, 0).get(2).test()).containsExactly(7, 8, 9);
    }

    @Test
    void stratifiedKFold_onIris_keepsClassProportionsInEveryFold() throws Exception {
        Datasets.Data iris = Datasets.load("iris.csv");
        List<Fold> folds = Folds.stratifiedKFold(iris.y(), 5, true, 3);
        assertPartition(folds, 150);
        for (Fold f : folds) {
            Map<Double, Integer> counts = new HashMap<>();
            for (int i : f.test()) {
                counts.merge(iris.y()[i], 1, Integer::sum);
            }
            assertThat(counts).as("50 per class / 5 folds").containsExactlyInAnyOrderEntriesOf(Map.of(0.0, 10, 1.0, 10, 2.0, 10));
        }
    }

    @Test
    void stratifiedKFold_withUnevenClasses_perClassCountsDifferByAtMostOne() throws Exception {
        Datasets.Data bc = Datasets.load("breast_cancer.csv"); // 212 malignant, 357 benign
        List<Fold> folds = Folds.stratifiedKFold(bc.y(), 5, true, 9);
        assertPartition(folds, bc.y().length);
        for (double cls : new double[] {0, 1}) {
            int[] perFold = folds.stream().mapToInt(f -> (int) Arrays.stream(f.test()).filter(i -> bc.y()[i] == cls).count()).toArray();
            assertThat(Arrays.stream(perFold).max().orElseThrow() - Arrays.stream(perFold).min().orElseThrow()).isLessThanOrEqualTo(1);
            assertThat(Arrays.stream(perFold).sum()).isEqualTo((int) Arrays.stream(bc.y()).filter(v -> v == cls).count());
        }
        assertThat(Folds.stratifiedKFold(bc.y(), 5, true, 9)).isEqualTo(folds);
    }

    @Test
    void badArguments_areRejectedWithTheValue() {
        assertThatThrownBy(() -> Folds.kFold(10, 1, true, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be >= 2, was 1");
        assertThatThrownBy(() -> Folds.kFold(3, 5, true, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 3");
        assertThatThrownBy(() -> Folds.stratifiedKFold(new double[] {0, 1, 0.5, 1}, 2, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.5");
        assertThatThrownBy(() -> new Fold(new int[] {0, 1}, new int[] {1})).isInstanceOf(IllegalArgumentException.class);
    }
}
