package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** What every {@code --json} output must look like: field names in snake_case. */
public final class JsonConventions {
    /**
     * Objects whose keys are data, not field names: GGUF metadata keys, type names, parameter names, trial
     * numbers, step numbers.
     */
    private static final Set<String> DATA_MAPS = Set.of("metadata", "tensors_per_type", "params", "best_params",
            "distributions", "intermediate_values", "user_attrs", "system_attrs");

    private JsonConventions() {
    }

    /**
     * @param node a parsed {@code --json} output
     * @throws AssertionError naming the first field that is not snake_case, with its path
     */
    public static void assertSnakeCase(JsonNode node) {
        check(node, "$");
    }

    private static void check(JsonNode node, String path) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                assertThat(e.getKey()).as("field %s.%s", path, e.getKey()).matches("[a-z][a-z0-9_]*");
                if (!DATA_MAPS.contains(e.getKey())) {
                    check(e.getValue(), path + "." + e.getKey());
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), path + "[" + i + "]");
            }
        }
    }
}
