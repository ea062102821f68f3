package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.NativeLibs;
import io.autoglm.testing.fixtures.ShimLlama;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --native-library}: generate and inspect report which llama.cpp build and ABI generation serve a model. */
class NativeLibraryCliTest {
    @Test
    void generate_onTheCurrentLibrary_reportsIt_andGivesB4916sTokens() {
        String lib = CurrentLlama.folder().toString();
        String model = TestModels.stories260K().toString();
        AutoGlmCliTest.Run cur = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "24", "--ignore-eos", "--threads", "2", "--native-library", lib, "--json");
        AutoGlmCliTest.Run dflt = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "24", "--ignore-eos", "--threads", "2", "--json");
        assertThat(cur.exit()).as(cur.err()).isZero();
        assertThat(dflt.exit()).as(dflt.err()).isZero();
        JsonNode c = cur.json();
        JsonNode d = dflt.json();
        assertThat(c.get("native_library").asText()).contains(CurrentLlama.libllama().getFileName().toString())
                .contains("current ABI, version 0.5.0-dev; seam: known generation current");
        if (System.getProperty("autoglm.native.library") == null && System.getenv("AUTOGLM_NATIVE_LIBRARY") == null) {
            assertThat(d.get("native_library").asText()).contains("libjllama").contains("b4916; seam: bundled layout");
        }
        assertThat(c.get("tokens")).isEqualTo(d.get("tokens"));
        assertThat(c.get("tokens").size()).isEqualTo(24);
    }

    @Test
    void inspect_withNativeLibrary_reportsTheGeneration_withoutItLoadsNothingNative() {
        String model = TestModels.tinyRandom().toString();
        AutoGlmCliTest.Run plain = AutoGlmCliTest.run("inspect", "--model", model, "--json");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(plain.json().has("native_library")).isFalse();
        AutoGlmCliTest.Run probed = AutoGlmCliTest.run("inspect", "--model", model, "--native-library",
                CurrentLlama.folder().toString(), "--json");
        assertThat(probed.exit()).as(probed.err()).isZero();
        assertThat(probed.json().get("native_library").asText()).contains("current ABI");
        AutoGlmCliTest.Run text = AutoGlmCliTest.run("inspect", "--model", model, "--native-library",
                CurrentLlama.folder().toString());
        assertThat(text.out()).containsPattern("native_library +\\S+libllama\\S+ \\(llama\\.cpp current ABI");
    }

    /** As the README shows it: without a path, the library models run on (the bundled b4916 unless configured). */
    @Test
    void inspect_bareNativeLibrary_probesTheDefault_withOrWithoutAModel() {
        AutoGlmCliTest.Run alone = AutoGlmCliTest.run("inspect", "--native-library");
        assertThat(alone.exit()).as(alone.err()).isZero();
        assertThat(alone.out()).startsWith("native_library ");
        AutoGlmCliTest.Run withModel = AutoGlmCliTest.run("inspect", "--model", TestModels.tinyRandom().toString(),
                "--native-library", "--json");
        assertThat(withModel.exit()).as(withModel.err()).isZero();
        assertThat(withModel.json().get("architecture").asText()).isEqualTo("llama");
        String lib = withModel.json().get("native_library").asText();
        assertThat(alone.out()).contains(lib);
        if (System.getProperty("autoglm.native.library") == null && System.getenv("AUTOGLM_NATIVE_LIBRARY") == null) {
            assertThat(lib).contains("libjllama").contains("b4916");
        }
        AutoGlmCliTest.Run nothing = AutoGlmCliTest.run("inspect");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("give --model, --native-library or both");
    }

    @Test
    void inspect_andGenerate_onABuildWithTheShim_nameTheReleaseAndTheShim_andGiveB4916sTokens() {
        Path dir = ShimLlama.current();
        String model = TestModels.stories260K().toString();
        AutoGlmCliTest.Run text = AutoGlmCliTest.run("inspect", "--model", model, "--native-library", dir.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).containsPattern("native_library +" + Pattern.quote(ShimLlama.libllama(dir).toString())
                + " \\(llama\\.cpp v0\\.5\\.0 \\(node-llama-cpp 3\\.22\\.1\\); seam: shim "
                + Pattern.quote(dir.resolve("libautoglm_shim.so").toString()) + "\\)");
        AutoGlmCliTest.Run alone = AutoGlmCliTest.run("inspect", "--native-library", dir.toString(), "--json");
        assertThat(alone.exit()).as(alone.err()).isZero();
        assertThat(alone.json().get("native_library").asText()).endsWith("seam: shim " + dir.resolve("libautoglm_shim.so") + ")");
        AutoGlmCliTest.Run shim = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "24", "--ignore-eos", "--threads", "2", "--native-library", dir.toString(), "--json");
        AutoGlmCliTest.Run dflt = AutoGlmCliTest.run("generate", "--model", model, "--prompt", "Once upon a time",
                "--max-tokens", "24", "--ignore-eos", "--threads", "2", "--json");
        assertThat(shim.exit()).as(shim.err()).isZero();
        assertThat(dflt.exit()).as(dflt.err()).isZero();
        assertThat(shim.json().get("native_library").asText()).contains("seam: shim");
        assertThat(shim.json().get("tokens")).isEqualTo(dflt.json().get("tokens"));
    }

    @Test
    void inspect_withANonLlamaLibrary_exits3NamingWhatWasProbed() {
        AutoGlmCliTest.Run r = AutoGlmCliTest.run("inspect", "--model", TestModels.tinyRandom().toString(),
                "--native-library", NativeLibs.foreignLibrary().toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("llama_get_memory absent");
    }
}
