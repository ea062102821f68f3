package io.autoglm.hub;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A separate process for the inter-process tests: {@code HubChild CACHE_DIR ENDPOINT REFERENCE} pulls and prints the path. */
public final class HubChild {
    private HubChild() {
    }

    /** @param args cache folder, hub endpoint, reference */
    public static void main(String[] args) {
        ResolvedModel r = ModelHub.builder(Map.of()).cacheDir(Path.of(args[0])).endpoint(URI.create(args[1]))
                .proxy(HttpClient.Builder.NO_PROXY).retryBackoff(Duration.ofMillis(5)).build().pull(args[2]);
        System.out.println(r.source() + " " + r.path());
    }
}
