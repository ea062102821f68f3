package io.autoglm.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/**
 * The test oracle from outside: networknt's json-schema-validator (draft 2020-12 unless the schema
 * names another draft in {@code $schema}, format assertions on) and Jackson's parser.
 */
final class ExternalValidator {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private ExternalValidator() {
    }

    /** @return networknt's messages for {@code json} against {@code schemaJson}; empty when valid */
    static List<String> errors(String schemaJson, String json) {
        Schema schema = REGISTRY.getSchema(schemaJson, InputFormat.JSON);
        return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
    }

    /** @return the text parsed by Jackson (throws when Jackson rejects it) */
    static JsonNode jackson(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("Jackson rejects " + json + ": " + e.getMessage(), e);
        }
    }
}
