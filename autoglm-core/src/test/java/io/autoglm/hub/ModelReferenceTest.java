package io.autoglm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a text becomes a reference, and the one-line errors for malformed ones. */
class ModelReferenceTest {
    @Test
    void hubReference_splitsRepoPathAndRevision_defaultingToMain() {
        ModelReference r = ModelReference.parse("hf://ggml-org/models-moved/tinyllamas/stories260K.gguf");
        assertThat(r).isEqualTo(new ModelReference.Hub("ggml-org/models-moved", "tinyllamas/stories260K.gguf", "main"));
        assertThat(r.canonical()).isEqualTo("hf://ggml-org/models-moved/tinyllamas/stories260K.gguf@main");
        ModelReference pinned = ModelReference.parse("hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/q.gguf@refs/pr/1");
        assertThat(((ModelReference.Hub) pinned).revision()).isEqualTo("refs/pr/1");
        assertThat(((ModelReference.Hub) pinned).fileName()).isEqualTo("q.gguf");
        assertThat(ModelReference.parse(pinned.canonical())).isEqualTo(pinned);
    }

    @Test
    void malformedHubReferences_areRejectedNamingTheProblem() {
        assertThatThrownBy(() -> ModelReference.parse("hf://owner/repo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hub reference must be hf://owner/repo/path/file.gguf[@revision], was 'hf://owner/repo'");
        assertThatThrownBy(() -> ModelReference.parse("hf://o/r/f.gguf@")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty revision");
        assertThatThrownBy(() -> ModelReference.parse("hf://o/r/../secret.gguf")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> ModelReference.parse("hf://o w/r/f.gguf")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("owner/name");
    }

    @Test
    void urls_keepAPinnedSha256Fragment_andOtherSchemesAreRefused() {
        String sha = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
        ModelReference r = ModelReference.parse("https://example.org/m/a.gguf#sha256=" + sha.toUpperCase());
        assertThat(r).isEqualTo(new ModelReference.Url(URI.create("https://example.org/m/a.gguf"), sha));
        assertThat(((ModelReference.Url) r).fileName()).isEqualTo("a.gguf");
        assertThatThrownBy(() -> ModelReference.parse("https://example.org/a.gguf#md5=abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("#sha256=");
        assertThatThrownBy(() -> ModelReference.parse("https://example.org/a.gguf#sha256=abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 lowercase hex");
        assertThatThrownBy(() -> ModelReference.parse("https://example.org/")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a host and a file");
        assertThatThrownBy(() -> ModelReference.parse("s3://bucket/m.gguf")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported scheme s3://");
    }

    @Test
    void pathsAndCatalogNames_areToldApart(@TempDir Path tmp) throws Exception {
        assertThat(ModelReference.parse("stories260k")).isEqualTo(new ModelReference.Catalog("stories260k"));
        assertThat(ModelReference.parse("Qwen2.5-0.5B-Instruct:Q4_K_M"))
                .isEqualTo(new ModelReference.Catalog("qwen2.5-0.5b-instruct:q4_k_m"));
        assertThat(ModelReference.parse("models/stories260K.gguf")).isInstanceOf(ModelReference.Local.class);
        assertThat(ModelReference.parse("stories260K.gguf")).isInstanceOf(ModelReference.Local.class);
        assertThat(ModelReference.parse("C:\\models\\m.bin")).isInstanceOf(ModelReference.Local.class);
        Path existing = Files.createFile(tmp.resolve("justaname"));
        assertThat(ModelReference.parse(existing.toString())).isEqualTo(new ModelReference.Local(existing));
        assertThatThrownBy(() -> ModelReference.parse("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model reference must not be blank");
    }
}
