package io.autoglm.automl.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SearchSpacesTest {
    private static final Distribution X = new Distribution.FloatDistribution(0, 1, false, null);
    private static final Distribution LR = new Distribution.FloatDistribution(1e-4, 1, true, null);
    private static final Distribution K = new Distribution.IntDistribution(1, 8, false, 1);
    private static final Distribution FIXED = new Distribution.IntDistribution(3, 3, false, 1);
    private static final Distribution C = new Distribution.CategoricalDistribution(List.of("a", "b"));

    private static FrozenTrial trial(int number, Object... nameAndDistribution) {
        Map<String, Double> params = new LinkedHashMap<>();
        Map<String, Distribution> dists = new LinkedHashMap<>();
        for (int i = 0; i < nameAndDistribution.length; i += 2) {
            String name = (String) nameAndDistribution[i];
            Distribution d = (Distribution) nameAndDistribution[i + 1];
            dists.put(name, d);
            params.put(name, d == C ? 0.0 : d == FIXED ? 3.0 : d == K ? 2.0 : 0.5);
        }
        return new FrozenTrial(number + 1, number, TrialState.COMPLETE, List.of(1.0), params, dists, Map.of(),
                Map.of(), new TreeMap<>(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void intersection_ofNoTrials_isEmpty() {
        assertThat(SearchSpaces.intersection(List.of())).isEmpty();
    }

    @Test
    void intersection_keepsTheParametersEveryTrialHasWithTheSameDistribution_inTheFirstTrialsOrder() {
        Distribution otherLr = new Distribution.FloatDistribution(1e-3, 1, true, null);
        Map<String, Distribution> space = SearchSpaces.intersection(List.of(
                trial(0, "k", K, "x", X, "lr", LR, "c", C),
                trial(1, "c", C, "x", X, "lr", otherLr, "k", K),
                trial(2, "x", X, "k", K, "c", C, "extra", X)));
        assertThat(space.keySet()).containsExactly("k", "x", "c");
        assertThat(space).containsEntry("k", K).containsEntry("x", X).containsEntry("c", C);
    }

    @Test
    void intersection_leavesOutParametersWithASingleValue() {
        Map<String, Distribution> space = SearchSpaces.intersection(List.of(
                trial(0, "x", X, "fixed", FIXED), trial(1, "x", X, "fixed", FIXED)));
        assertThat(space.keySet()).containsExactly("x");
    }
}
