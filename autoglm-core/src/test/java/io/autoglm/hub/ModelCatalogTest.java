package io.autoglm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in catalog, user catalog files, and the format's errors. */
class ModelCatalogTest {
    @Test
    void builtInStories260k_matchesTheRealFile_sizeAndSha256() throws Exception {
        CatalogEntry e = ModelCatalog.builtIn().find("stories260k").orElseThrow();
        Path real = TestModels.stories260K();
        assertThat(e.files()).hasSize(1);
        CatalogEntry.File f = e.files().get(0);
        assertThat(f.sizeBytes()).isEqualTo(Files.size(real));
        assertThat(f.sha256()).isEqualTo(Hashes.sha256(real)); // the oracle: the file itself, hashed here
        assertThat(f.source().canonical())
                .isEqualTo("hf://ggml-org/models-moved/tinyllamas/stories260K.gguf@499bc8821c6b12b4e53c5bffcb21ec206f212d81");
        assertThat(ModelCatalog.builtIn().find("STORIES260K")).contains(e);
    }

    @Test
    void builtIn_hasTheIssueNames_unverifiedOnesCarryNoHash_andASplitEntryHasEveryPart() {
        ModelCatalog c = ModelCatalog.builtIn();
        for (String n : List.of("qwen2.5-0.5b-instruct:q4_k_m", "glm-4-9b-chat:q4_k_m", "qwen2.5-7b-instruct:q4_k_m")) {
            CatalogEntry e = c.find(n).orElseThrow(() -> new AssertionError(n));
            assertThat(e.files()).allSatisfy(f -> assertThat(f.sha256()).as(n).isNull());
        }
        assertThat(c.find("qwen2.5-0.5b-instruct")).map(CatalogEntry::name).contains("qwen2.5-0.5b-instruct:q4_k_m");
        assertThat(c.find("glm-4-9b-chat")).map(CatalogEntry::name).contains("glm-4-9b-chat:q4_k_m");
        CatalogEntry split = c.find("qwen2.5-7b-instruct:q4_k_m").orElseThrow();
        assertThat(split.files()).extracting(f -> ((ModelReference.Hub) f.source()).path()).containsExactly(
                "qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf");
        assertThat(c.find("no-such-model")).isEmpty();
    }

    @Test
    void userFile_addsAndReplacesEntries(@TempDir Path tmp) throws Exception {
        String sha = "a".repeat(64);
        Path f = Files.writeString(tmp.resolve("my.catalog"), """
                # my models
                stories260k  https://mirror.example/s.gguf  size=10  sha256=%s  -- my mirror (with a # in it)
                mine:q8  https://mirror.example/x/mine-00001-of-00003.gguf  size=1,2,3  default
                """.formatted(sha));
        ModelCatalog c = ModelCatalog.builtIn().withFile(f);
        CatalogEntry s = c.find("stories260k").orElseThrow();
        assertThat(s.files().get(0).source().canonical()).isEqualTo("https://mirror.example/s.gguf");
        assertThat(s.files().get(0).sha256()).isEqualTo(sha);
        assertThat(s.description()).isEqualTo("my mirror (with a # in it)");
        CatalogEntry mine = c.find("mine").orElseThrow();
        assertThat(mine.files()).extracting(x -> x.source().canonical()).containsExactly(
                "https://mirror.example/x/mine-00001-of-00003.gguf", "https://mirror.example/x/mine-00002-of-00003.gguf",
                "https://mirror.example/x/mine-00003-of-00003.gguf");
        assertThat(mine.sizeBytes()).isEqualTo(6);
        assertThat(c.find("qwen2.5-0.5b-instruct:q4_k_m")).isPresent();
    }

    @Test
    void malformedLines_nameTheFileLineAndProblem(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("bad.catalog"), "ok  hf://a/b/c.gguf\nbroken  hf://a/b/c.gguf  sha256=xyz\n");
        assertThatThrownBy(() -> ModelCatalog.empty().withFile(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(f + ":2: sha256 must be 64 hex digits or 'unverified', was 'xyz'");
        assertThatThrownBy(() -> ModelCatalog.empty().with("x  hf://a/b/c-00001-of-00002.gguf  size=1", "t"))
                .hasMessage("t:1: size needs one value per part (2), had 1");
        assertThatThrownBy(() -> ModelCatalog.empty().with("x  ./local.gguf", "t"))
                .hasMessageContaining("t:1: catalog source must be hf://... or https://...");
        assertThatThrownBy(() -> ModelCatalog.empty().with("x  hf://a/b/c.gguf  colour=red", "t"))
                .hasMessageContaining("unknown catalog attribute 'colour=red'");
        assertThatThrownBy(() -> ModelCatalog.empty().with("x  hf://a/b/c-00003-of-00002.gguf", "t"))
                .hasMessageContaining("1 <= K <= N");
    }

    @Test
    void splitNames_coverEveryPart_andPlainNamesAreOnePart() {
        assertThat(SplitFiles.parts("dir/m-00002-of-00003.gguf")).containsExactly("dir/m-00001-of-00003.gguf",
                "dir/m-00002-of-00003.gguf", "dir/m-00003-of-00003.gguf");
        assertThat(SplitFiles.parts("m.gguf")).containsExactly("m.gguf");
    }
}
