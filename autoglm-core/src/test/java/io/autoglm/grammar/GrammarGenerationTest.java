package io.autoglm.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.FinishReason;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema of {@link SchemaCorpus} compiled, handed to llama.cpp (whose GBNF parser must
 * accept it: a rejected grammar is an IllegalArgumentException), and sampled from a real model
 * with several seeds; each output is parsed by our reader and by Jackson and validated by our
 * validator and by networknt's. A bounded grammar gets enough tokens to close and must close;
 * an output cut by maxTokens must be reported as truncated. Runs on the bundled b4916 library;
 * {@link GrammarGenerationCurrentTest} repeats it on the current llama.cpp generation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrammarGenerationTest {
    /** Tokens allowed for outputs whose length the grammar does not bound. */
    static final int UNBOUNDED_MAX_TOKENS = 400;
    static final int CONTEXT = 2048;
    static final long[] SEEDS = {1, 2, 3};

    LanguageModel model;

    /** @return the native library folder, {@code null} for the bundled b4916 */
    Path nativeLibrary() {
        return null;
    }

    @BeforeAll
    void load() {
        AutoGLM.Builder b = AutoGLM.builder().model(TestModels.stories260K()).contextSize(CONTEXT).threads(1);
        Path lib = nativeLibrary();
        if (lib != null) {
            b.nativeLibrary(lib);
        }
        model = b.build();
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    Stream<SchemaCorpus.Case> corpus() {
        return SchemaCorpus.CASES.stream();
    }

    @Test
    void corpus_hasEnoughSchemas() {
        assertThat(SchemaCorpus.CASES).hasSizeGreaterThanOrEqualTo(25);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void generatedOutput_isValidAgainstTheSchema(SchemaCorpus.Case c) {
        JsonGrammarCompiler.Compiled g = JsonGrammarCompiler.defaults().compileWithBound(Json.parse(c.schema()));
        // a bounded grammar gets one token per byte plus end-of-generation, and must close
        boolean bounded = g.maxBytes() < CONTEXT - 32;
        int maxTokens = bounded ? (int) g.maxBytes() + 1
                : g.maxBytes() == Rules.UNBOUNDED ? UNBOUNDED_MAX_TOKENS : CONTEXT - 32;
        List<String> outputs = new ArrayList<>();
        int complete = 0;
        for (long seed : SEEDS) {
            Completion r = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                    .sampling(SamplingParams.builder().temperature(1.0f).seed(seed).build())
                    .grammar(g.gbnf()).maxTokens(maxTokens).build());
            String text = r.text();
            outputs.add(text);
            if (r.finishReason() == FinishReason.LENGTH) {
                assertThat(bounded).as("a bounded grammar (%d bytes) closes within %d tokens: %s", g.maxBytes(), maxTokens, text)
                        .isFalse();
                boolean parsed;
                try {
                    Json.parse(text);
                    parsed = true;
                } catch (JsonParseException e) {
                    if (!e.truncated() && duplicateKeyGap(c, e)) {
                        continue;
                    }
                    assertThat(e.truncated()).as("output cut by maxTokens is a truncated beginning, not an error: %s\n%s",
                            e.getMessage(), text).isTrue();
                    parsed = false;
                }
                if (!parsed) {
                    continue;
                }
            } else {
                assertThat(r.finishReason()).isEqualTo(FinishReason.END_OF_GENERATION);
            }
            complete++;
            checkValid(c, text);
        }
        System.out.println(c.name() + " [" + (bounded ? "<= " + g.maxBytes() + " bytes" : "unbounded") + ", " + complete + "/"
                + SEEDS.length + " complete]: " + abbreviate(outputs.getFirst()));
        if (bounded) {
            assertThat(complete).isEqualTo(SEEDS.length);
        }
    }

    private static void checkValid(SchemaCorpus.Case c, String text) {
        Object value;
        try {
            value = Json.parse(text);
        } catch (JsonParseException e) {
            if (duplicateKeyGap(c, e)) {
                return;
            }
            throw new AssertionError(c.name() + ": our reader rejects the output: " + e.getMessage() + "\n" + text, e);
        }
        ExternalValidator.jackson(text);
        Object schema = Json.parse(c.schema());
        assertThat(SchemaValidator.validate(schema, schema, value)).as("our validator on %s: %s", c.name(), text).isEmpty();
        if (!c.openApi()) {
            assertThat(ExternalValidator.errors(c.schema(), text)).as("networknt on %s: %s", c.name(), text).isEmpty();
        }
    }

    @Test
    void repetitionSyntax_isAcceptedAndHonoured() {
        // b4916 and current llama.cpp both parse x{m,n}, x{m} and x{m,}
        for (long seed : SEEDS) {
            Completion r = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                    .sampling(SamplingParams.builder().temperature(1.0f).seed(seed).build())
                    .grammar("root ::= [a-c]{2,4} \"-\" [0-9]{3} \"-\" [xy]{1,}\nroot2 ::= \"unused\"").maxTokens(30).build());
            assertThat(r.text()).matches("[a-c]{2,4}-[0-9]{3}-[xy]+");
        }
    }

    @Test
    void hugeCounts_areAcceptedByLlamaCpp() {
        // chunked repetitions: llama.cpp must parse them (current builds refuse a single x{0,2000})
        for (String schema : List.of("{\"type\": \"string\", \"maxLength\": 1000000}",
                "{\"type\": \"array\", \"items\": {\"type\": \"boolean\"}, \"minItems\": 5000, \"maxItems\": 2000000}",
                "{\"type\": \"string\", \"minLength\": 2500, \"maxLength\": 9999999999}")) {
            String g = JsonGrammars.forSchema(schema);
            Completion r = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                    .sampling(SamplingParams.builder().temperature(1.0f).seed(1).build()).grammar(g).maxTokens(12).build());
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThatThrownBy(() -> Json.parse(r.text())).isInstanceOfSatisfying(JsonParseException.class,
                    e -> assertThat(e.truncated()).as(r.text()).isTrue());
        }
        assertThatThrownBy(() -> model.complete(CompletionRequest.builder().prompt("x").grammar("root ::= [a]{0,x}").maxTokens(2).build()))
                .as("a grammar llama.cpp refuses is an IllegalArgumentException, so acceptance above is real")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anyJsonObject_isAcceptedAndGeneratesAnObjectOrItsBeginning() {
        String g = JsonGrammars.anyJsonObject();
        for (long seed : SEEDS) {
            Completion r = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                    .sampling(SamplingParams.builder().temperature(1.0f).seed(seed).build()).grammar(g).maxTokens(300).build());
            assertThat(r.text()).startsWith("{");
            try {
                assertThat(Json.parse(r.text())).isInstanceOf(java.util.Map.class);
                assertThat(r.finishReason()).isEqualTo(FinishReason.END_OF_GENERATION);
            } catch (JsonParseException e) {
                // cut by maxTokens (this story model writes long strings), or the documented duplicate-key gap
                assertThat(e.truncated() || e.getMessage().contains("duplicate key")).as(e.getMessage()).isTrue();
                if (e.truncated()) {
                    assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
                }
            }
        }
    }

    @Test
    void compactGrammar_generatesNoWhitespace() {
        SchemaCorpus.Case c = SchemaCorpus.CASES.stream().filter(x -> x.name().equals("nested-objects")).findFirst().orElseThrow();
        String g = JsonGrammars.compiler().maxWhitespace(0).build().compile(c.schema());
        for (long seed : SEEDS) {
            Completion r = model.complete(CompletionRequest.builder().prompt("Once upon a time")
                    .sampling(SamplingParams.builder().temperature(1.0f).seed(seed).build()).grammar(g).maxTokens(200).build());
            assertThat(r.finishReason()).isEqualTo(FinishReason.END_OF_GENERATION);
            String outside = r.text().replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
            assertThat(outside).doesNotContain(" ", "\n", "\t");
            checkValid(c, r.text());
        }
    }

    /** The one documented gap: a free-form map cannot keep a model from repeating a key. */
    private static boolean duplicateKeyGap(SchemaCorpus.Case c, JsonParseException e) {
        return e.getMessage().contains("duplicate key")
                && List.of("map-of-integers", "free-form-object", "empty-schema").contains(c.name());
    }

    private static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= 160 ? one : one.substring(0, 160) + "...";
    }
}
