package io.autoglm.automl.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Search-space rules shared by the relative samplers of this package. */
final class SearchSpaces {
    private SearchSpaces() {
    }

    /**
     * The parameters that every given trial has, with the same distribution in all of them, in the order
     * of the first trial; parameters with a single possible value are left out.
     *
     * @param trials the trials whose common space is wanted
     * @return the common space, {@code Map.of()} when there are no trials
     */
    static Map<String, Distribution> intersection(List<FrozenTrial> trials) {
        Map<String, Distribution> space = null;
        for (FrozenTrial t : trials) {
            if (space == null) {
                space = new LinkedHashMap<>(t.distributions());
            } else {
                space.keySet().retainAll(t.distributions().keySet());
                space.entrySet().removeIf(e -> !e.getValue().equals(t.distributions().get(e.getKey())));
            }
        }
        if (space == null) {
            return Map.of();
        }
        space.values().removeIf(Distribution::isSingle);
        return space;
    }
}
