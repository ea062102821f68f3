package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufValue;
import io.autoglm.testing.GgufMutants;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI side of model safety: validation refusals as one line with exit 3, and {@code --isolation-probe}. */
class ModelSafetyCliTest {
    @TempDir
    Path dir;

    @Test
    void fileThatAbortedLlamaCpp_isRefusedWithExit3AndOneLine() throws Exception {
        GgufMutants.Model m = GgufMutants.Model.read(TestModels.stories260K());
        m.metadata.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(-1f));
        Path eps = m.write(dir.resolve("eps.gguf"));
        AutoGlmCliTest.Run r = AutoGlmCliTest.run("generate", "--model", eps.toString(), "--prompt", "Hi", "--max-tokens", "2");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip().lines()).hasSize(1).first().asString().startsWith("autoglm: ")
                .contains("llama.attention.layer_norm_rms_epsilon is -1.0").contains("expected a finite epsilon > 0");

        GgufMutants.Model n = GgufMutants.Model.read(TestModels.stories260K());
        n.tensors.get(n.indexOf("blk.4.ffn_norm.weight")).type = GgmlType.Q8_0;
        AutoGlmCliTest.Run q = AutoGlmCliTest.run("generate", "--model", n.write(dir.resolve("norm.gguf")).toString(),
                "--prompt", "Hi", "--max-tokens", "2", "--backend", "jni");
        assertThat(q.exit()).isEqualTo(3);
        assertThat(q.err().strip().lines()).hasSize(1).first().asString().contains("tensor blk.4.ffn_norm.weight is Q8_0");
    }

    @Test
    void isolationProbe_always_probesThenGeneratesTheSameText() {
        String model = TestModels.stories260K().toString();
        AutoGlmCliTest.Run plain = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "12", "--threads", "1");
        AutoGlmCliTest.Run probed = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "12", "--threads", "1", "--isolation-probe", "always");
        assertThat(probed.exit()).as(probed.err()).isZero();
        assertThat(probed.out()).isEqualTo(plain.out()).contains("there was a little girl");
    }

    @Test
    void isolationProbe_unknownMode_isExit3NamingTheChoices() {
        AutoGlmCliTest.Run r = AutoGlmCliTest.run("generate", "--model", TestModels.stories260K().toString(), "--prompt", "Hi",
                "--isolation-probe", "sometimes");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("off, unseen-files or always").contains("sometimes");
    }
}
