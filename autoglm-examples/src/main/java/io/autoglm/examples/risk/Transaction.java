package io.autoglm.examples.risk;

import java.util.Objects;

/**
 * One card or account transaction as it arrives for scoring: what is known at that moment, no label.
 *
 * @param txId unique id, {@code > 0}
 * @param userId the account holder
 * @param ts time in epoch seconds (UTC)
 * @param amountCents amount in cents, {@code > 0}
 * @param merchantId the merchant
 * @param category merchant category (one of {@link Features#CATEGORIES}; others are encoded as unknown)
 * @param channel {@code pos}, {@code online}, {@code atm} or {@code wallet} (others are encoded as unknown)
 * @param country ISO country of the session's IP address
 * @param continent continent code of that country ({@code EU}, {@code NA}, {@code SA}, {@code AF}, {@code AS},
 *     {@code OC})
 * @param lat latitude of the IP geolocation, in [-90, 90]
 * @param lon longitude of the IP geolocation, in [-180, 180]
 * @param deviceId the device fingerprint
 */
public record Transaction(long txId, String userId, long ts, long amountCents, String merchantId, String category,
        String channel, String country, String continent, double lat, double lon, String deviceId) {

    /** Validates every field; the message names the field, the value and the limit. */
    public Transaction {
        if (txId <= 0) {
            throw new IllegalArgumentException("tx_id must be > 0, was " + txId);
        }
        requireText("user_id", userId);
        if (ts <= 0) {
            throw new IllegalArgumentException("ts must be > 0 (epoch seconds), was " + ts);
        }
        if (amountCents <= 0) {
            throw new IllegalArgumentException("amount must be > 0, was " + amountCents / 100.0);
        }
        requireText("merchant_id", merchantId);
        requireText("category", category);
        requireText("channel", channel);
        requireText("country", country);
        requireText("continent", continent);
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("lat must be in [-90, 90], was " + lat);
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("lon must be in [-180, 180], was " + lon);
        }
        requireText("device_id", deviceId);
    }

    private static void requireText(String name, String v) {
        Objects.requireNonNull(v, name);
        if (v.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        if (v.length() > 64) {
            throw new IllegalArgumentException(name + " must be at most 64 characters, was " + v.length());
        }
    }

    /** @return the amount in currency units */
    public double amount() {
        return amountCents / 100.0;
    }
}
