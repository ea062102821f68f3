package io.autoglm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
    @Test
    void parse_fileLinesWithOptions_hashesAndComments() {
        String hash = ApiKey.sha256Hex("sk-hashed-secret");
        List<ApiKey> keys = ApiKey.parse("""
                # team keys
                sk-alpha-0123456789 name=alpha models=stories,tiny rpm=60 tpm=1000 streams=2

                sha256:%s name=ops
                """.formatted(hash));
        assertThat(keys).hasSize(2);
        ApiKey a = keys.get(0);
        assertThat(a.name()).isEqualTo("alpha");
        assertThat(a.models()).containsExactlyInAnyOrder("stories", "tiny");
        assertThat(a.requestsPerMinute()).isEqualTo(60);
        assertThat(a.tokensPerMinute()).isEqualTo(1000);
        assertThat(a.maxConcurrentStreams()).isEqualTo(2);
        assertThat(a.allows("stories")).isTrue();
        assertThat(a.allows("other")).isFalse();
        assertThat(keys.get(1).matches(java.util.HexFormat.of().parseHex(hash))).isTrue();
        assertThat(keys.get(1).allows("anything")).isTrue();
    }

    @Test
    void parse_commaSeparatedEnvironmentForm() {
        assertThat(ApiKey.parse("sk-one-0123456789,sk-two-0123456789")).hasSize(2);
    }

    @Test
    void badInput_namesTheLineAndOption() {
        assertThatThrownBy(() -> ApiKey.parse("sk-ok-0123456789\nsk-two-0123456789 rpm=lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ApiKey.parse("sk-ok-0123456789 colour=red"))
                .hasMessageContaining("unknown option 'colour'");
        assertThatThrownBy(() -> ApiKey.parse("sha256:abc")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ApiKey.of("short")).hasMessageContaining("at least 8 characters");
        assertThatThrownBy(() -> ApiKey.builder().secret("sk-0123456789").requestsPerMinute(-1))
                .hasMessage("requestsPerMinute must be >= 0, was -1");
    }

    @Test
    void toString_neverShowsTheSecret() {
        assertThat(ApiKey.of("sk-very-secret-value").toString()).doesNotContain("secret");
    }

    @Test
    void serverBuilder_validatesAtOnce() {
        assertThatThrownBy(() -> OpenAiServer.builder().port(70000)).hasMessage("port must be in [0, 65535], was 70000");
        assertThatThrownBy(() -> OpenAiServer.builder().maxBodyBytes(10)).hasMessageContaining("maxBodyBytes must be in [1024");
        assertThatThrownBy(() -> OpenAiServer.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no model to serve");
        assertThatThrownBy(() -> ServedModel.builder("bad name", Models.stories())).hasMessageContaining("id must be");
        assertThatThrownBy(() -> ModelRegistry.of(List.of(ServedModel.builder("a", Models.stories()).alias("b").build(),
                ServedModel.of("b", Models.tiny())))).hasMessageContaining("'b' is used twice");
    }
}
