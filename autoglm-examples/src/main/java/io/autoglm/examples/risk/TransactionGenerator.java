package io.autoglm.examples.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of realistic card and account transactions with labelled fraud.
 *
 * <p>Customers have a home country (mostly European, some abroad), a personal log-normal amount
 * level, one or two devices, favourite merchant categories, an activity rate and a daily cycle in
 * their local time; some travel for a few days (sometimes to another continent). Fraud comes in four
 * labelled patterns:
 * <ul>
 *   <li>{@code card_testing}: a burst of 6-14 tiny online payments within minutes from a new device,
 *       often followed by one larger purchase;</li>
 *   <li>{@code account_takeover}: a new device and an IP on another continent, then 1-4 purchases of
 *       4-20x the customer's usual amount within hours;</li>
 *   <li>{@code cash_out}: 1-3 very large cash or crypto withdrawals from the customer's own device at
 *       home (median 12,000, some above 50,000);</li>
 *   <li>{@code slow_drift}: a takeover that stays on the home continent and raises its amounts slowly,
 *       from the usual level to 6x, over 3-10 days.</li>
 * </ul>
 * With {@link Builder#driftDay(int)} the population changes at 00:00 UTC of that day: half of the
 * legitimate payments move to a new {@code wallet} channel with a new device and 1.8x amounts, and
 * most takeovers come through a proxy on the customer's own continent ({@code ato_proxy}, also on
 * the wallet channel), which the original model has not seen.
 *
 * <pre>{@code
 * GeneratedData d = TransactionGenerator.builder().days(30).transactions(200_000).seed(1).build().generate();
 * }</pre>
 */
public final class TransactionGenerator {
    /** Epoch second of day 0, 00:00 UTC (2025-01-01). */
    public static final long START_TS = 1_735_689_600L;
    static final int DAY = 86_400;

    static final String[] CATEGORIES = Features.CATEGORIES.toArray(String[]::new);
    // log-amount offset of each category relative to the customer's level
    private static final double[] CATEGORY_OFFSET = {0, -0.2, 0.2, 0.4, 1.5, 2.0, -1.0, -0.8, 0.5, 1.0, 1.5, -0.3, 0.8};
    private static final double[] CATEGORY_WEIGHT = {30, 18, 8, 14, 3, 2, 8, 3, 1, 4, 0.5, 4, 4};
    private static final double[] HOUR_WEIGHT = {0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1, 1.5, 1.6, 1.7, 2, 2.4, 2.2, 1.8,
        1.7, 1.8, 2, 2.4, 2.4, 2, 1.5, 0.9, 0.5};

    private final int days;
    private final int transactions;
    private final long seed;
    private final double fraudRate;
    private final int driftDay;
    private final int customers;

    private TransactionGenerator(Builder b) {
        this.days = b.days;
        this.transactions = b.transactions;
        this.seed = b.seed;
        this.fraudRate = b.fraudRate;
        this.driftDay = b.driftDay;
        this.customers = b.customers > 0 ? b.customers : Math.max(50, b.transactions / 40);
    }

    /** @return a builder: 30 days, 200,000 transactions, seed 1, fraud rate 1.2 %, no drift */
    public static Builder builder() {
        return new Builder();
    }

    private static final class Profile {
        final Customer c;
        final Geo.Country home;
        final double mu;
        final double sigma;
        final double rate;
        final String[] devices;
        final double[] catWeight;
        Geo.Country trip;
        long tripStart;
        long tripEnd;

        Profile(Customer c, Geo.Country home, double mu, double sigma, double rate, String[] devices, double[] catWeight) {
            this.c = c;
            this.home = home;
            this.mu = mu;
            this.sigma = sigma;
            this.rate = rate;
            this.devices = devices;
            this.catWeight = catWeight;
        }

        Geo.Country countryAt(long ts) {
            return trip != null && ts >= tripStart && ts < tripEnd ? trip : home;
        }
    }

    private record Row(Transaction tx, String fraudType) {
    }

    /** @return the customers, the transactions in time order and their labels */
    public GeneratedData generate() {
        SplittableRandom rng = new SplittableRandom(seed);
        long end = START_TS + (long) days * DAY;
        long driftTs = driftDay < 0 ? Long.MAX_VALUE : START_TS + (long) driftDay * DAY;
        List<Profile> profiles = new ArrayList<>(customers);
        double[] cum = new double[customers];
        double total = 0;
        double[] homeCum = cumulative(Geo.HOME_WEIGHTS);
        for (int i = 0; i < customers; i++) {
            Geo.Country home = Geo.COUNTRIES.get(pick(homeCum, rng));
            Customer c = new Customer(String.format("u%06d", i), home.code(), home.continent(), home.tzOffsetHours() * 3600);
            double rate = gamma2(rng);
            int nDev = rng.nextDouble() < 0.35 ? 2 : 1;
            String[] dev = new String[nDev];
            for (int k = 0; k < nDev; k++) {
                dev[k] = "d" + i + "-" + k;
            }
            double[] cw = CATEGORY_WEIGHT.clone();
            for (int k = 0; k < cw.length; k++) {
                cw[k] *= Math.exp(0.8 * gaussian(rng));
            }
            Profile p = new Profile(c, home, 3.2 + 0.7 * gaussian(rng), 0.6 + 0.4 * rng.nextDouble(), rate, dev,
                    cumulative(cw));
            if (rng.nextDouble() < 0.15) {
                boolean far = rng.nextDouble() < 0.3;
                Geo.Country t;
                do {
                    t = Geo.COUNTRIES.get(rng.nextInt(Geo.COUNTRIES.size()));
                } while (t == home || far != !t.continent().equals(home.continent()));
                p.trip = t;
                p.tripStart = START_TS + (long) (rng.nextDouble() * Math.max(1, days - 2) * DAY);
                p.tripEnd = p.tripStart + (2 + rng.nextInt(6)) * (long) DAY;
            }
            profiles.add(p);
            total += rate;
            cum[i] = total;
        }
        for (int i = 0; i < customers; i++) {
            cum[i] /= total;
        }
        List<Row> rows = new ArrayList<>(transactions + 64);
        int fraudTarget = (int) Math.round(transactions * fraudRate);
        int event = 0;
        while (rows.size() < fraudTarget) { // only fraud so far
            Profile victim = profiles.get(pick(cum, rng));
            long t0 = START_TS + (long) (rng.nextDouble() * (end - START_TS - 6 * 3600L));
            fraudEvent(rows, victim, t0, end, t0 >= driftTs, event++, rng);
        }
        int legit = transactions - rows.size();
        double[] hourCum = cumulative(HOUR_WEIGHT);
        for (int i = 0; i < legit; i++) {
            Profile p = profiles.get(pick(cum, rng));
            int day = rng.nextInt(days);
            int localHour = pick(hourCum, rng);
            long ts = START_TS + (long) day * DAY + localHour * 3600L - p.c.tzOffsetSeconds() + rng.nextInt(3600);
            ts = Math.floorMod(ts - START_TS, (long) days * DAY) + START_TS;
            rows.add(new Row(legitTx(p, ts, ts >= driftTs, rng), null));
        }
        return finish(profiles, rows, driftTs);
    }

    private Transaction legitTx(Profile p, long ts, boolean drifted, SplittableRandom rng) {
        int cat = pick(p.catWeight, rng);
        String category = CATEGORIES[cat];
        String channel = channelFor(category, rng);
        String device = p.devices[rng.nextInt(p.devices.length)];
        double amount = Math.exp(p.mu + CATEGORY_OFFSET[cat] + p.sigma * gaussian(rng));
        if (rng.nextDouble() < 0.0003) {
            amount = 20_000 + rng.nextDouble() * 60_000; // a car, a deposit: legitimate and very large
            category = "retail";
            channel = "pos";
        }
        if (drifted && rng.nextDouble() < 0.5) {
            channel = "wallet";
            device = "w" + p.c.userId();
            amount *= 1.8;
        }
        Geo.Country where = p.countryAt(ts);
        return tx(p, ts, amount, category, channel, where, device, rng);
    }

    private static String channelFor(String category, SplittableRandom rng) {
        return switch (category) {
            case "cash" -> "atm";
            case "digital", "gaming", "gift_cards", "crypto" -> "online";
            default -> rng.nextDouble() < 0.3 ? "online" : "pos";
        };
    }

    private void fraudEvent(List<Row> rows, Profile v, long t0, long end, boolean drifted, int event,
            SplittableRandom rng) {
        double u = rng.nextDouble();
        String fraudDevice = "fx" + event;
        if (drifted && u < 0.55) {
            // takeover through a proxy on the customer's own continent, on the new wallet channel
            Geo.Country proxy = sameContinent(v.home, rng);
            int n = 2 + rng.nextInt(5);
            long t = t0;
            for (int k = 0; k < n && t < end; k++) {
                String cat = pickOf(rng, "electronics", "gift_cards", "retail", "digital");
                double amount = Math.exp(v.mu + 0.7 + rng.nextDouble() * 1.3);
                rows.add(new Row(tx(v, t, amount, cat, "wallet", proxy, fraudDevice, rng), "ato_proxy"));
                t += 600 + rng.nextInt(5 * 3600);
            }
            return;
        }
        double r = drifted ? (u - 0.55) / 0.45 : u;
        if (r < 0.25) {
            Geo.Country ip = Geo.COUNTRIES.get(rng.nextInt(Geo.COUNTRIES.size()));
            int n = 6 + rng.nextInt(9);
            long t = t0;
            for (int k = 0; k < n && t < end; k++) {
                double amount = 0.5 + rng.nextDouble() * 2.5;
                String cat = pickOf(rng, "digital", "gaming");
                rows.add(new Row(tx(v, t, amount, cat, "online", ip, fraudDevice, rng), "card_testing"));
                t += 30 + rng.nextInt(210);
            }
            if (rng.nextDouble() < 0.6 && t < end) {
                rows.add(new Row(tx(v, t + 60 + rng.nextInt(600), 50 + rng.nextDouble() * 350, "electronics", "online", ip,
                        fraudDevice, rng), "card_testing"));
            }
        } else if (r < 0.60) {
            Geo.Country ip;
            do {
                ip = Geo.COUNTRIES.get(rng.nextInt(Geo.COUNTRIES.size()));
            } while (ip.continent().equals(v.home.continent()));
            int n = 1 + rng.nextInt(4);
            long t = t0;
            for (int k = 0; k < n && t < end; k++) {
                String cat = pickOf(rng, "electronics", "gift_cards", "crypto");
                double amount = Math.exp(v.mu + Math.log(4 + rng.nextDouble() * 16));
                rows.add(new Row(tx(v, t, amount, cat, "online", ip, fraudDevice, rng), "account_takeover"));
                t += 300 + rng.nextInt(4 * 3600);
            }
        } else if (r < 0.80) {
            int n = 1 + rng.nextInt(3);
            long t = t0;
            for (int k = 0; k < n && t < end; k++) {
                boolean cash = rng.nextDouble() < 0.6;
                double amount = Math.min(250_000, 12_000 * Math.exp(gaussian(rng)));
                rows.add(new Row(tx(v, t, amount, cash ? "cash" : "crypto", cash ? "atm" : "online", v.home,
                        v.devices[0], rng), "cash_out"));
                t += 600 + rng.nextInt(7200);
            }
        } else {
            Geo.Country ip = rng.nextDouble() < 0.5 ? v.home : sameContinent(v.home, rng);
            int n = 4 + rng.nextInt(9);
            double spanDays = 3 + rng.nextDouble() * 7;
            for (int k = 0; k < n; k++) {
                long t = t0 + (long) (spanDays * DAY * k / n) + rng.nextInt(3600);
                if (t >= end) {
                    break;
                }
                double grow = 1 + 5.0 * k / Math.max(1, n - 1);
                String cat = pickOf(rng, "retail", "electronics", "gift_cards");
                double amount = Math.exp(v.mu + 0.3 * gaussian(rng)) * grow;
                rows.add(new Row(tx(v, t, amount, cat, "online", ip, fraudDevice, rng), "slow_drift"));
            }
        }
    }

    private static Geo.Country sameContinent(Geo.Country home, SplittableRandom rng) {
        List<Geo.Country> c = Geo.COUNTRIES.stream().filter(x -> x.continent().equals(home.continent())).toList();
        return c.get(rng.nextInt(c.size()));
    }

    private static Transaction tx(Profile p, long ts, double amount, String category, String channel, Geo.Country where,
            String device, SplittableRandom rng) {
        long cents = Math.max(50, Math.round(amount * 100));
        double lat = Math.max(-89, Math.min(89, where.lat() + 1.5 * gaussian(rng)));
        double lon = Math.max(-179, Math.min(179, where.lon() + 1.5 * gaussian(rng)));
        String merchant = "m" + category.charAt(0) + rng.nextInt(400);
        // tx ids are assigned after sorting; 1 is a placeholder that passes validation
        return new Transaction(1, p.c.userId(), ts, cents, merchant, category, channel, where.code(), where.continent(),
                Math.round(lat * 1e4) / 1e4, Math.round(lon * 1e4) / 1e4, device);
    }

    private GeneratedData finish(List<Profile> profiles, List<Row> rows, long driftTs) {
        // strictly increasing time per customer, so that no two of a customer's transactions share a second
        rows.sort(Comparator.comparing((Row r) -> r.tx.userId()).thenComparingLong(r -> r.tx.ts()));
        List<Row> fixed = new ArrayList<>(rows.size());
        String user = null;
        long last = 0;
        for (Row r : rows) {
            long ts = r.tx.ts();
            if (r.tx.userId().equals(user) && ts <= last) {
                ts = last + 1;
            }
            user = r.tx.userId();
            last = ts;
            fixed.add(ts == r.tx.ts() ? r : new Row(withTs(r.tx, ts, 1), r.fraudType));
        }
        fixed.sort(Comparator.comparingLong((Row r) -> r.tx.ts()).thenComparing(r -> r.tx.userId()));
        List<Transaction> txs = new ArrayList<>(fixed.size());
        String[] types = new String[fixed.size()];
        for (int i = 0; i < fixed.size(); i++) {
            Row r = fixed.get(i);
            txs.add(withTs(r.tx, r.tx.ts(), i + 1));
            types[i] = r.fraudType;
        }
        List<Customer> cs = profiles.stream().map(p -> p.c).toList();
        return new GeneratedData(cs, txs, Arrays.asList(types), START_TS, days, driftTs == Long.MAX_VALUE ? -1 : driftTs);
    }

    private static Transaction withTs(Transaction t, long ts, long id) {
        return new Transaction(id, t.userId(), ts, t.amountCents(), t.merchantId(), t.category(), t.channel(), t.country(),
                t.continent(), t.lat(), t.lon(), t.deviceId());
    }

    @SafeVarargs
    private static <T> T pickOf(SplittableRandom rng, T... options) {
        return options[rng.nextInt(options.length)];
    }

    private static double[] cumulative(double[] w) {
        double[] c = new double[w.length];
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i];
            c[i] = s;
        }
        for (int i = 0; i < w.length; i++) {
            c[i] /= s;
        }
        return c;
    }

    private static int pick(double[] cum, SplittableRandom rng) {
        double u = rng.nextDouble();
        int i = Arrays.binarySearch(cum, u);
        i = i >= 0 ? i : -i - 1;
        return Math.min(i, cum.length - 1);
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double gamma2(SplittableRandom rng) {
        return -Math.log(1 - rng.nextDouble()) - Math.log(1 - rng.nextDouble());
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private int days = 30;
        private int transactions = 200_000;
        private long seed = 1;
        private double fraudRate = 0.012;
        private int driftDay = -1;
        private int customers;

        private Builder() {
        }

        /** @param v simulated days, in [2, 3650] @return this */
        public Builder days(int v) {
            if (v < 2 || v > 3650) {
                throw new IllegalArgumentException("days must be in [2, 3650], was " + v);
            }
            days = v;
            return this;
        }

        /** @param v total transactions, in [1,000, 50,000,000] @return this */
        public Builder transactions(int v) {
            if (v < 1000 || v > 50_000_000) {
                throw new IllegalArgumentException("transactions must be in [1000, 50000000], was " + v);
            }
            transactions = v;
            return this;
        }

        /** @param v the seed; the same seed gives the same data @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v share of fraudulent transactions, in [0.001, 0.2] (default 0.012) @return this */
        public Builder fraudRate(double v) {
            if (!(v >= 0.001 && v <= 0.2)) {
                throw new IllegalArgumentException("fraudRate must be in [0.001, 0.2], was " + v);
            }
            fraudRate = v;
            return this;
        }

        /** @param v day on which the population drifts, or -1 for none (default) @return this */
        public Builder driftDay(int v) {
            if (v < -1) {
                throw new IllegalArgumentException("driftDay must be >= -1, was " + v);
            }
            driftDay = v;
            return this;
        }

        /** @param v customers, {@code >= 10}; default: transactions / 40, at least 50 @return this */
        public Builder customers(int v) {
            if (v < 10) {
                throw new IllegalArgumentException("customers must be >= 10, was " + v);
            }
            customers = v;
            return this;
        }

        /** @return the generator @throws IllegalArgumentException when the drift day is not inside the days */
        public TransactionGenerator build() {
            if (driftDay >= days) {
                throw new IllegalArgumentException("driftDay must be < days=" + days + ", was " + driftDay);
            }
            return new TransactionGenerator(this);
        }
    }
}
