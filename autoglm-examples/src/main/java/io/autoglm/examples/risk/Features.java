package io.autoglm.examples.risk;

import java.util.List;

/**
 * The model's features and the SQL that computes them. Every feature but the two category codes is
 * computed by the database from the {@code transactions} and {@code users} tables. The batch query
 * ({@code sql}: all rows, for training and replay) uses a window function; the online query
 * ({@code onlineSql}: the transaction being scored) computes the same definitions from range scans over the
 * customer's last 7 and 30 days; both give identical values (FeatureParityTest, and the demo's check of
 * every online row).
 *
 * <table>
 *   <caption>features</caption>
 *   <tr><th>name</th><th>definition (windows end at the transaction and include it)</th></tr>
 *   <tr><td>amount</td><td>the amount</td></tr>
 *   <tr><td>tx_7d, amt_7d</td><td>the customer's transactions and their total amount in the last 7 d
 *       ({@code COUNT(*)} and {@code SUM(amount) OVER (PARTITION BY user ORDER BY ts RANGE BETWEEN 7 d PRECEDING
 *       AND CURRENT ROW)})</td></tr>
 *   <tr><td>tx_1h, amt_1h, tx_24h, amt_24h</td><td>the same over 1 h and 24 h (in the batch query indexed range
 *       subqueries: each extra window definition costs SQLite about 0.1 ms per query)</td></tr>
 *   <tr><td>devices_7d, countries_7d</td><td>distinct devices and IP countries in the last 7 d</td></tr>
 *   <tr><td>secs_since_last</td><td>seconds since the previous transaction ({@code LAG}), 7 d when none</td></tr>
 *   <tr><td>ip_km</td><td>great-circle distance between this and the previous transaction's IP location</td></tr>
 *   <tr><td>continent_change</td><td>1 when the IP's continent differs from the previous transaction's</td></tr>
 *   <tr><td>amount_vs_median</td><td>amount / median of the customer's amounts in the previous 30 d (SQLite's
 *       {@code median}, PostgreSQL's {@code percentile_cont(0.5)}); 1 without history</td></tr>
 *   <tr><td>new_device</td><td>1 when the device was not used by the customer in the previous 30 d</td></tr>
 *   <tr><td>local_hour</td><td>hour of day in the customer's home time zone</td></tr>
 *   <tr><td>foreign</td><td>1 when the IP country is not the home country</td></tr>
 *   <tr><td>category, channel</td><td>codes of {@link #CATEGORIES} and {@link #CHANNELS}; -1 when unknown</td></tr>
 * </table>
 * "Previous transaction" means the customer's previous one within the last 7 days ({@code LAG} over
 * the 7-day window in the batch query, the greatest earlier time within 7 days in the online query); the
 * median and the device history read 30 days.
 */
public final class Features {
    private Features() {
    }

    /** Merchant categories known to the encoder. */
    public static final List<String> CATEGORIES = List.of("grocery", "restaurant", "fuel", "retail", "electronics",
            "travel", "digital", "gaming", "gift_cards", "cash", "crypto", "pharmacy", "utilities");

    /** Payment channels known to the encoder. */
    public static final List<String> CHANNELS = List.of("pos", "online", "atm", "wallet");

    /** Feature names, in column order. */
    public static final List<String> NAMES = List.of("amount", "tx_1h", "amt_1h", "tx_24h", "amt_24h", "tx_7d", "amt_7d",
            "devices_7d", "countries_7d", "secs_since_last", "ip_km", "continent_change", "amount_vs_median",
            "new_device", "local_hour", "foreign", "category", "channel");

    /** Index of the amount feature. */
    public static final int AMOUNT = 0;
    /** Index of {@code ip_km}. */
    public static final int IP_KM = 10;
    /** Index of {@code continent_change}. */
    public static final int CONTINENT_CHANGE = 11;
    /** Index of the category code. */
    public static final int CATEGORY = 16;
    /** Index of the channel code. */
    public static final int CHANNEL = 17;

    /** @return the number of features */
    public static int count() {
        return NAMES.size();
    }

    static final long HOUR = 3600;
    static final long DAY = 86_400;
    static final long WEEK = 7 * DAY;
    static final long MONTH = 30 * DAY;

    /** Haversine term of this and the previous transaction's IP location (columns {@code lat, lon, prev_lat, prev_lon} of {@code A}). */
    private static final String HAVERSINE = """
            POWER(SIN(RADIANS(A.lat - A.prev_lat) / 2), 2)
                       + COS(RADIANS(A.prev_lat)) * COS(RADIANS(A.lat)) * POWER(SIN(RADIANS(A.lon - A.prev_lon) / 2), 2)""";

    /**
     * The features computed from the columns of {@code f} (the transaction with {@code prev_ts}, {@code hav},
     * {@code prev_continent}, {@code median_30d}) and {@code u} (its customer), shared by the batch and the online
     * query so both evaluate the same expressions.
     */
    private static final String FROM_PREVIOUS = """
                   CASE WHEN %PREV% THEN f.ts - f.prev_ts ELSE %W% END AS secs_since_last,
                   CASE WHEN %PREV% THEN 12742.0 * ASIN(SQRT(CASE WHEN f.hav > 1 THEN 1.0 ELSE f.hav END))
                        ELSE 0.0 END AS ip_km,
                   CASE WHEN %PREV% AND f.prev_continent <> f.continent THEN 1 ELSE 0 END AS continent_change,
                   COALESCE(f.amount_cents * 1.0 / NULLIF(f.median_30d, 0), 1.0) AS amount_vs_median,""";

    private static final String FROM_CUSTOMER = """
                   ((f.ts + u.tz_offset_s) / 3600) % 24 AS local_hour,
                   CASE WHEN f.country = u.home_country THEN 0 ELSE 1 END AS foreign_ip,
                   f.category, f.channel
            FROM f JOIN users u ON u.user_id = f.user_id""";

    private static String fill(String sql, boolean sqlite) {
        return sql.replace("%FROM_PREVIOUS%", FROM_PREVIOUS).replace("%FROM_CUSTOMER%", FROM_CUSTOMER)
                .replace("%HAV_W%", HAVERSINE.replace("A.", "w.")).replace("%HAV_P0%", HAVERSINE.replace("A.", "p0."))
                .replace("%MEDIAN%", sqlite ? "median(x.amount_cents)"
                    : "percentile_cont(0.5) WITHIN GROUP (ORDER BY x.amount_cents)")
                .replace("%PREV%", "f.prev_ts IS NOT NULL AND f.ts - f.prev_ts <= " + WEEK)
                .replace("%H%", Long.toString(HOUR)).replace("%D%", Long.toString(DAY))
                .replace("%W%", Long.toString(WEEK)).replace("%M%", Long.toString(MONTH));
    }

    /**
     * @param sqlite SQLite's {@code median(x)} instead of PostgreSQL's {@code percentile_cont(0.5) WITHIN GROUP
     *     (ORDER BY x)}: the same statistic (the mean of the two middle values for an even count), and the only
     *     difference between the two dialects
     * @param innerWhere restriction of the rows the windows see ({@code ""} for all)
     * @param outerWhere restriction of the rows returned ({@code ""} for all)
     * @return the batch feature query; columns: tx_id, user_id, ts, then the features except category and
     *     channel, then the raw category and channel
     */
    static String sql(boolean sqlite, String innerWhere, String outerWhere) {
        return fill("""
            WITH w AS (
              SELECT t.tx_id, t.user_id, t.ts, t.amount_cents, t.device_id, t.country, t.continent, t.lat, t.lon,
                     t.category, t.channel,
                     COUNT(*) OVER w1 AS tx_7d, SUM(t.amount_cents) OVER w1 AS amt_7d,
                     LAG(t.ts) OVER w1 AS prev_ts, LAG(t.lat) OVER w1 AS prev_lat, LAG(t.lon) OVER w1 AS prev_lon,
                     LAG(t.continent) OVER w1 AS prev_continent
              FROM transactions t
              %INNER%
              WINDOW w1 AS (PARTITION BY t.user_id ORDER BY t.ts RANGE BETWEEN %W% PRECEDING AND CURRENT ROW)
            ), f AS (
              SELECT w.*,
                     %HAV_W%
                       AS hav,
                     (SELECT %MEDIAN% FROM transactions x
                       WHERE x.user_id = w.user_id AND x.ts < w.ts AND x.ts >= w.ts - %M%) AS median_30d
              FROM w
            )
            SELECT f.tx_id, f.user_id, f.ts,
                   f.amount_cents / 100.0 AS amount,
                   (SELECT COUNT(*) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %H%) AS tx_1h,
                   (SELECT SUM(x.amount_cents) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %H%) / 100.0 AS amt_1h,
                   (SELECT COUNT(*) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %D%) AS tx_24h,
                   (SELECT SUM(x.amount_cents) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %D%) / 100.0 AS amt_24h,
                   f.tx_7d, f.amt_7d / 100.0 AS amt_7d,
                   (SELECT COUNT(DISTINCT x.device_id) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %W%) AS devices_7d,
                   (SELECT COUNT(DISTINCT x.country) FROM transactions x
                     WHERE x.user_id = f.user_id AND x.ts <= f.ts AND x.ts >= f.ts - %W%) AS countries_7d,
            %FROM_PREVIOUS%
                   CASE WHEN EXISTS (SELECT 1 FROM transactions x WHERE x.user_id = f.user_id
                        AND x.device_id = f.device_id AND x.ts < f.ts AND x.ts >= f.ts - %M%) THEN 0 ELSE 1 END AS new_device,
            %FROM_CUSTOMER%
            %OUTER%
            ORDER BY f.ts, f.tx_id
            """.replace("%INNER%", innerWhere).replace("%OUTER%", outerWhere), sqlite);
    }

    /**
     * The online feature query: the features of the customer's transaction at one time, the same values as
     * {@link #sql} gives for it, without the window function and the eight correlated subqueries. One range scan
     * over the customer's last 7 days computes every 1 h / 24 h / 7 d window with conditional aggregates and the
     * time of the previous transaction; one scan over the previous 30 days gives the median, an {@code EXISTS}
     * the device history; the previous transaction's location and the customer are index look-ups.
     *
     * <p>The transaction must be the customer's latest and the only one at its time (the online path checks both
     * before it inserts it): then every window of the batch query ends at it, and its previous row
     * ({@code LAG} in the batch query) is the one at the greatest earlier time. Earlier rows sharing that time
     * would make "the previous transaction" ambiguous in both queries; neither the generator nor the online path
     * writes such ties.
     *
     * @param sqlite the dialect, as for {@link #sql}
     * @return the query, with its parameters in {@link #ONLINE_PARAMS} order; the columns of {@link #sql}
     */
    static String onlineSql(boolean sqlite) {
        return fill(ONLINE_TEMPLATE.replace(":user", "?").replace(":ts", "?"), sqlite);
    }

    private static final String ONLINE_TEMPLATE = """
            WITH a AS (
              SELECT c.tx_id, c.user_id, c.ts, c.amount_cents, c.device_id, c.country, c.continent, c.lat, c.lon,
                     c.category, c.channel, s.*, m.median_30d,
                     CASE WHEN EXISTS (SELECT 1 FROM transactions x WHERE x.user_id = c.user_id
                          AND x.device_id = c.device_id AND x.ts < c.ts AND x.ts >= c.ts - %M%) THEN 0 ELSE 1 END AS new_device
              FROM transactions c,
                   (SELECT COUNT(CASE WHEN x.ts >= :ts - %H% THEN 1 END) AS tx_1h,
                           SUM(CASE WHEN x.ts >= :ts - %H% THEN x.amount_cents END) AS amt_1h,
                           COUNT(CASE WHEN x.ts >= :ts - %D% THEN 1 END) AS tx_24h,
                           SUM(CASE WHEN x.ts >= :ts - %D% THEN x.amount_cents END) AS amt_24h,
                           COUNT(*) AS tx_7d, SUM(x.amount_cents) AS amt_7d,
                           COUNT(DISTINCT x.device_id) AS devices_7d, COUNT(DISTINCT x.country) AS countries_7d,
                           MAX(CASE WHEN x.ts < :ts THEN x.ts END) AS prev_ts
                    FROM transactions x WHERE x.user_id = :user AND x.ts >= :ts - %W% AND x.ts <= :ts) s,
                   (SELECT %MEDIAN% AS median_30d
                    FROM transactions x WHERE x.user_id = :user AND x.ts >= :ts - %M% AND x.ts < :ts) m
              WHERE c.user_id = :user AND c.ts = :ts
            ), p0 AS (
              SELECT a.*, p.lat AS prev_lat, p.lon AS prev_lon, p.continent AS prev_continent
              FROM a LEFT JOIN transactions p ON p.user_id = a.user_id AND p.ts = a.prev_ts
            ), f AS (
              SELECT p0.*,
                     %HAV_P0%
                       AS hav
              FROM p0
            )
            SELECT f.tx_id, f.user_id, f.ts,
                   f.amount_cents / 100.0 AS amount,
                   f.tx_1h, f.amt_1h / 100.0 AS amt_1h, f.tx_24h, f.amt_24h / 100.0 AS amt_24h,
                   f.tx_7d, f.amt_7d / 100.0 AS amt_7d, f.devices_7d, f.countries_7d,
            %FROM_PREVIOUS%
                   f.new_device,
            %FROM_CUSTOMER%
            """;

    /**
     * The parameters of {@link #onlineSql} in order: {@code true} for the customer id, {@code false} for the
     * transaction's time.
     */
    static final boolean[] ONLINE_PARAMS = onlineParams();

    private static boolean[] onlineParams() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(":user|:ts").matcher(ONLINE_TEMPLATE);
        List<Boolean> order = new java.util.ArrayList<>();
        while (m.find()) {
            order.add(m.group().equals(":user"));
        }
        boolean[] out = new boolean[order.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = order.get(i);
        }
        return out;
    }

    /** @param category a category name @return its code, -1 when unknown */
    public static int categoryCode(String category) {
        return CATEGORIES.indexOf(category);
    }

    /** @param channel a channel name @return its code, -1 when unknown */
    public static int channelCode(String channel) {
        return CHANNELS.indexOf(channel);
    }
}
