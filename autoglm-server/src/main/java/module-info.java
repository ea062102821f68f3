/**
 * AutoGLM server: an OpenAI-compatible HTTP endpoint for {@code LanguageModel}s, embeddable
 * ({@link io.autoglm.server.OpenAiServer}) and run by {@code autoglm serve}. The OpenAI wire types and
 * their mapping to model calls ({@code io.autoglm.server.openai}) know nothing of HTTP, so another
 * transport can reuse them.
 */
module io.autoglm.server {
    requires transitive io.autoglm.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.github.benmanes.caffeine;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires org.slf4j;
    // not used by the server; its tests drive it with the JDK HttpClient (tests are compiled into this module)
    requires static java.net.http;

    exports io.autoglm.server;
    exports io.autoglm.server.openai;
    exports io.autoglm.server.config;

    opens io.autoglm.server.openai to com.fasterxml.jackson.databind;
}
