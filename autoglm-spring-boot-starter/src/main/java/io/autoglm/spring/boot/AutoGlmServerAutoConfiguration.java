package io.autoglm.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The seam for serving the model over the OpenAI-compatible API of {@code io.autoglm:autoglm-server} from inside the
 * application ({@code autoglm.server.enabled=true}).
 *
 * <p>Pending: the server module has not been released with this starter. When it is, a configuration here that is
 * conditional on its class {@code io.autoglm.server.OpenAiServer} starts one on {@code autoglm.server.host}:{@code
 * port} with the {@code LanguageModel} bean and stops it before the model closes. Until then, enabling it stops
 * start-up with a message rather than being silently ignored.
 */
@AutoConfiguration(after = AutoGlmAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "autoglm.server.enabled")
public class AutoGlmServerAutoConfiguration {
    /** The class whose presence will turn the server on. */
    static final String SERVER_CLASS = "io.autoglm.server.OpenAiServer";

    /** Creates the configuration. */
    public AutoGlmServerAutoConfiguration() {
    }

    /** Refuses {@code autoglm.server.enabled=true} while the server module is absent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SERVER_CLASS)
    static class ServerMissing {
        @Bean
        Object autoglmServerMissing() {
            throw new IllegalStateException("autoglm.server.enabled=true needs io.autoglm:autoglm-server on the class path ("
                    + SERVER_CLASS + " not found); add it, or remove autoglm.server.enabled");
        }
    }
}
