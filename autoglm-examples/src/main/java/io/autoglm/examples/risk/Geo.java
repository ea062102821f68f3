package io.autoglm.examples.risk;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The countries the generator uses: continent, centroid and time-zone offset. */
final class Geo {
    private Geo() {
    }

    record Country(String code, String continent, double lat, double lon, int tzOffsetHours) {
    }

    static final List<Country> COUNTRIES = List.of(
            new Country("US", "NA", 39.8, -98.6, -5), new Country("CA", "NA", 56.1, -106.3, -5),
            new Country("MX", "NA", 23.6, -102.5, -6), new Country("BR", "SA", -14.2, -51.9, -3),
            new Country("AR", "SA", -38.4, -63.6, -3), new Country("GB", "EU", 55.4, -3.4, 0),
            new Country("DE", "EU", 51.2, 10.4, 1), new Country("FR", "EU", 46.2, 2.2, 1),
            new Country("ES", "EU", 40.5, -3.7, 1), new Country("IT", "EU", 41.9, 12.6, 1),
            new Country("PL", "EU", 51.9, 19.1, 1), new Country("NL", "EU", 52.1, 5.3, 1),
            new Country("NG", "AF", 9.1, 8.7, 1), new Country("ZA", "AF", -30.6, 22.9, 2),
            new Country("EG", "AF", 26.8, 30.8, 2), new Country("IN", "AS", 20.6, 79.0, 5),
            new Country("CN", "AS", 35.9, 104.2, 8), new Country("JP", "AS", 36.2, 138.3, 9),
            new Country("SG", "AS", 1.35, 103.8, 8), new Country("AU", "OC", -25.3, 133.8, 10),
            new Country("NZ", "OC", -40.9, 174.9, 12));

    static final Map<String, Country> BY_CODE = COUNTRIES.stream()
            .collect(Collectors.toUnmodifiableMap(Country::code, Function.identity()));

    /** Where the bank's customers live: a European bank with customers abroad. */
    static final double[] HOME_WEIGHTS = {6, 1, 1, 1, 0.5, 10, 14, 12, 9, 8, 6, 5, 0.7, 0.7, 0.6, 2, 1, 1.5, 1, 1.5, 0.5};

    /** @return the continent of a country code, or null when unknown */
    static String continentOf(String country) {
        Country c = BY_CODE.get(country);
        return c == null ? null : c.continent();
    }
}
