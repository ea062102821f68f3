package io.autoglm.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.autoglm.server.openai.OpenAiJson;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers of deterministic requests, keyed by the canonical request (route, model id, and every
 * field that shapes the answer: not {@code stream}, {@code stream_options} or {@code user}), bounded
 * by bytes and kept for a TTL.
 */
final class ResponseCache {
    /**
     * @param json the answer as sent
     * @param value the answer's record (to replay it as a stream)
     */
    record Entry(byte[] json, Object value) {
    }

    private static final ObjectMapper CANONICAL = OpenAiJson.mapper().copy()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final Cache<String, Entry> cache;
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();

    ResponseCache(long maxBytes, Duration ttl) {
        this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Entry e) -> 2 * k.length() + 2 * e.json().length + 128)
                .expireAfterWrite(ttl)
                .build();
    }

    boolean enabled() {
        return cache != null;
    }

    /**
     * @param route the endpoint
     * @param modelId the resolved model id
     * @param request the parsed request with its stream/user fields cleared
     * @return the key
     */
    static String key(String route, String modelId, Object request) {
        try {
            return route + '\n' + modelId + '\n' + CANONICAL.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a cache key", e);
        }
    }

    Entry get(String key) {
        Entry e = cache.getIfPresent(key);
        if (e == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return e;
    }

    void put(String key, Entry e) {
        cache.put(key, e);
    }

    long weightedBytes() {
        return cache == null ? 0 : cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
    }

    long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }
}
