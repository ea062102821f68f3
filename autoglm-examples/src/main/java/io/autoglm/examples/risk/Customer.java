package io.autoglm.examples.risk;

/**
 * An account holder as the bank knows them.
 *
 * @param userId the account id
 * @param homeCountry country of residence
 * @param homeContinent its continent
 * @param tzOffsetSeconds offset of the home time zone from UTC, in seconds
 */
public record Customer(String userId, String homeCountry, String homeContinent, int tzOffsetSeconds) {
}
