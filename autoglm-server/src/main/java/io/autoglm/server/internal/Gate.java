package io.autoglm.server.internal;

import io.autoglm.server.ApiKey;
import io.autoglm.server.openai.OpenAiException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authentication and per-key limits: the presented key's SHA-256 is compared with every configured
 * key in constant time (no early exit), then the key's request and token buckets and its stream
 * count are checked.
 */
final class Gate {
    private final List<ApiKey> keys;
    private final Map<ApiKey, KeyState> states = new IdentityHashMap<>();

    /** Limits of one key. */
    static final class KeyState {
        final ApiKey key;
        final TokenBucket requests;
        final TokenBucket tokens;
        final AtomicInteger streams = new AtomicInteger();

        KeyState(ApiKey key, long now) {
            this.key = key;
            this.requests = key.requestsPerMinute() > 0 ? new TokenBucket(key.requestsPerMinute(), now) : null;
            this.tokens = key.tokensPerMinute() > 0 ? new TokenBucket(key.tokensPerMinute(), now) : null;
        }
    }

    Gate(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
        long now = System.nanoTime();
        for (ApiKey k : keys) {
            states.put(k, new KeyState(k, now));
        }
    }

    /** @return whether any key is configured (else every request is let in) */
    boolean enabled() {
        return !keys.isEmpty();
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @return the key's state; null when authentication is off
     * @throws OpenAiException 401 when the key is missing or wrong
     */
    KeyState authenticate(String authorization) {
        if (keys.isEmpty()) {
            return null;
        }
        if (authorization == null || authorization.isBlank()) {
            throw new OpenAiException(401, "invalid_request_error", null, "missing_api_key",
                    "You didn't provide an API key: send it as 'Authorization: Bearer YOUR_KEY'", 0);
        }
        String v = authorization.strip();
        if (!v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new OpenAiException(401, "invalid_request_error", null, "invalid_api_key",
                    "The Authorization header must be 'Bearer YOUR_KEY'", 0);
        }
        byte[] digest = sha256(v.substring(7).strip());
        ApiKey found = null;
        for (ApiKey k : keys) {
            if (k.matches(digest) & found == null) { // no short-circuit: every key is compared
                found = k;
            }
        }
        if (found == null) {
            throw new OpenAiException(401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided", 0);
        }
        return states.get(found);
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws OpenAiException 429 when the key's request or token budget is spent */
    static void admitRequest(KeyState k) {
        if (k == null) {
            return;
        }
        long now = System.nanoTime();
        if (k.tokens != null) {
            long wait = k.tokens.waitForPositive(now);
            if (wait > 0) {
                throw OpenAiException.rateLimited("Rate limit reached for key " + k.key.name() + ": "
                        + k.key.tokensPerMinute() + " tokens per minute; retry in " + wait + " s", wait);
            }
        }
        if (k.requests != null) {
            long wait = k.requests.tryTake(1, now);
            if (wait > 0) {
                throw OpenAiException.rateLimited("Rate limit reached for key " + k.key.name() + ": "
                        + k.key.requestsPerMinute() + " requests per minute; retry in " + wait + " s", wait);
            }
        }
    }

    /** Charges tokens used. */
    static void charge(KeyState k, int tokens) {
        if (k != null && k.tokens != null && tokens > 0) {
            k.tokens.charge(tokens, System.nanoTime());
        }
    }

    /** @throws OpenAiException 429 when the key already has its most streams open */
    static void openStream(KeyState k) {
        if (k == null || k.key.maxConcurrentStreams() == 0) {
            if (k != null) {
                k.streams.incrementAndGet();
            }
            return;
        }
        if (k.streams.incrementAndGet() > k.key.maxConcurrentStreams()) {
            k.streams.decrementAndGet();
            throw OpenAiException.rateLimited("key " + k.key.name() + " already has " + k.key.maxConcurrentStreams()
                    + " streams open (its limit); retry when one ends", 1);
        }
    }

    static void closeStream(KeyState k) {
        if (k != null) {
            k.streams.decrementAndGet();
        }
    }
}
