package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's tokenizer test vectors ({@code test-tokenizer-0}): each {@code .inp} holds inputs,
 * each followed by a line {@code __ggml_vocab_test__}; the {@code .out} has one line of expected ids
 * per input (space separated, empty for no tokens). As in test-tokenizer-0 the ids are without
 * special tokens (no BOS/CLS/SEP added) and special-token text is not parsed.
 */
class FfmTokenizerTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"})
    void vocabOnlyModel_reproducesLlamaCppsExpectedIds(String vocabFile) throws IOException {
        Path gguf = TestModels.vocab(vocabFile);
        String inp = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> out = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        assertThat(inputs.remove(inputs.size() - 1)).as("text after the last separator").isEmpty();
        assertThat(inputs).hasSameSizeAs(out).hasSizeGreaterThan(40);

        try (FfmModel vocab = FfmBackend.loadVocabOnly(gguf, null)) {
            for (int i = 0; i < inputs.size(); i++) {
                String line = out.get(i).strip();
                int[] expected = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
                int[] actual = vocab.tokenize(inputs.get(i), false, false);
                assertThat(actual).as("%s case %d %s", vocabFile, i, visible(inputs.get(i))).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"})
    void tokenBytes_detokenizeBackToTheInput(String vocabFile) {
        try (FfmModel vocab = FfmBackend.loadVocabOnly(TestModels.vocab(vocabFile), null)) {
            String text = "Hello world! 3333 ﬁ 🚀 (normal) ";
            int[] ids = vocab.tokenize(text, false, false);
            String back = FfmTestSupport.text(vocab, ids);
            // SPM adds a leading space marker to the first word
            assertThat(back.strip()).isEqualTo(text.strip());
        }
    }

    @org.junit.jupiter.api.Test
    void vocabOnlyModel_refusesGeneration() {
        try (FfmModel vocab = FfmBackend.loadVocabOnly(TestModels.vocab("ggml-vocab-llama-spm.gguf"), null)) {
            assertThat(vocab.vocabSize()).isEqualTo(32000);
            assertThat(vocab.tokenize("Hello", true, false)).startsWith(1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> vocab.decoder())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("vocabulary-only");
        }
    }

    private static String visible(String s) {
        return "[" + s.replace("\n", "\\n").replace("\t", "\\t") + "]";
    }
}
