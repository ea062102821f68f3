package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.Backend;
import io.autoglm.ModelLoadException;
import io.autoglm.Quantization;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.ModelSpec;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's tokenizer expectations ({@code .inp}: texts separated by lines {@code __ggml_vocab_test__};
 * {@code .out}: one line of space-separated ids per text, tokenized without BOS) through the JNI binding.
 * de.kherud:llama cannot load a vocab-only file (ModelParameters has no vocab-only option and a full load
 * fails without tensors), so the Llama SPM expectations run on llama-2-tiny-random.gguf, which carries the
 * same 32,000-token Llama-2 vocabulary; the GPT-2 and BERT vocabularies have no JNI path.
 */
class JniVocabTest {
    record Case(String text, int[] expected) {
    }

    static List<Case> cases(Path inp, Path out) throws IOException {
        String[] texts = Files.readString(inp, StandardCharsets.UTF_8).split("\n__ggml_vocab_test__\n", -1);
        String[] lines = Files.readString(out, StandardCharsets.UTF_8).split("\n", -1);
        assertThat(texts.length).isEqualTo(lines.length);
        List<Case> cs = new ArrayList<>();
        for (int i = 0; i < texts.length - 1; i++) {
            String l = lines[i].trim();
            int[] ids = l.isEmpty() ? new int[0] : Arrays.stream(l.split(" +")).mapToInt(Integer::parseInt).toArray();
            cs.add(new Case(texts[i], ids));
        }
        return cs;
    }

    @Test
    void llamaSpmExpectations_matchThroughTinyRandomsLlama2Vocab() throws IOException {
        Path vocab = TestModels.vocab("ggml-vocab-llama-spm.gguf");
        List<Case> cs = cases(Path.of(vocab + ".inp"), Path.of(vocab + ".out"));
        assertThat(cs).hasSize(46);
        ModelSpec spec = ModelSpec.builder(TestModels.tinyRandom()).backend(Backend.JNI).threads(1).contextSize(256).batchSize(256).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
        try (BackendModel m = new JniBackend().load(spec)) {
            int checked = 0;
            for (Case c : cs) {
                assertThat(m.tokenize(c.text(), false, false)).as("tokens of %s", c.text()).containsExactly(c.expected());
                checked++;
            }
            assertThat(checked).isEqualTo(46);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-bert-bge.gguf"})
    void vocabOnlyFiles_cannotBeLoadedByTheBinding_andFailCleanly(String name) {
        Path vocab = TestModels.vocab(name);
        ModelSpec spec = ModelSpec.builder(vocab).backend(Backend.JNI).threads(1).contextSize(64).batchSize(64).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
        assertThatThrownBy(() -> new JniBackend().load(spec)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(name);
    }
}
