package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online path over JSON lines: good records scored, bad records answered with one error each, nothing half-written. */
class ScoreStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String line(Transaction t) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("tx_id", t.txId());
        m.put("user_id", t.userId());
        m.put("ts", t.ts());
        m.put("amount", t.amount());
        m.put("merchant_id", t.merchantId());
        m.put("category", t.category());
        m.put("channel", t.channel());
        m.put("country", t.country());
        m.put("lat", t.lat());
        m.put("lon", t.lon());
        m.put("device_id", t.deviceId());
        return JSON.valueToTree(m).toString();
    }

    private record Setup(GeneratedData data, List<Transaction> tail, ModelPair model) {
    }

    private static Setup setup(RiskDatabase db) throws Exception {
        GeneratedData d = RiskFixtures.small(4, 3000, 9, -1);
        List<Transaction> tail = RiskFixtures.load(db, d, 50);
        ModelPair m = RiskFixtures.quickModel(d, db.batchFeatures(Long.MIN_VALUE, Long.MAX_VALUE));
        return new Setup(d, tail, m);
    }

    private static List<JsonNode> run(ScoreStream s, Reader in) throws IOException {
        StringWriter out = new StringWriter();
        s.run(new BufferedReader(in), new PrintWriter(out));
        List<JsonNode> rows = new ArrayList<>();
        for (String l : out.toString().split("\n")) {
            rows.add(JSON.readTree(l));
        }
        return rows;
    }

    @Test
    void badLines_getOneErrorEach_theStreamGoesOn_andNothingIsWrittenForThem(@TempDir Path dir) throws Exception {
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            Setup s = setup(db);
            long txBefore = db.count("transactions");
            Transaction a = s.tail().get(0);
            Transaction b = s.tail().get(1);
            Transaction c = s.tail().get(2);
            String unknownUser = line(a).replace("\"user_id\":\"" + a.userId() + "\"", "\"user_id\":\"nobody\"");
            String missing = line(b).replace(",\"device_id\":\"" + b.deviceId() + "\"", "");
            String wrongType = line(b).replace("\"amount\":" + b.amount(), "\"amount\":\"lots\"");
            String input = String.join("\n", line(a), "{not json", unknownUser, missing, "", wrongType, "[1,2]",
                    line(a) /* duplicate */, line(b), line(c).replace("\"country\":\"" + c.country() + "\"", "\"country\":\"XX\""),
                    line(c)) + "\n";
            List<JsonNode> out;
            try (ModelPair m = s.model()) {
                out = run(new ScoreStream(db, m, 1, RuleEngine.builder().build(), null), new StringReader(input));
            }
            assertThat(out).hasSize(10); // the blank line is skipped
            assertThat(out.get(0).get("action").asText()).isIn("approve", "review", "verify", "reject");
            assertThat(out.get(0).get("contributions")).hasSize(5);
            assertThat(out.get(0).get("line").asInt()).isEqualTo(1);
            assertThat(out.get(1).get("error").asText()).startsWith("malformed JSON");
            assertThat(out.get(2).get("error").asText()).isEqualTo("unknown user_id 'nobody': not in the users table");
            assertThat(out.get(3).get("error").asText()).isEqualTo("missing field 'device_id'");
            assertThat(out.get(4).get("line").asInt()).isEqualTo(6);
            assertThat(out.get(4).get("error").asText()).isEqualTo("field 'amount' must be a number, was \"lots\"");
            assertThat(out.get(5).get("error").asText()).isEqualTo("each line must be a JSON object, was array");
            assertThat(out.get(6).get("error").asText()).isEqualTo("tx_id " + a.txId() + " was already scored");
            assertThat(out.get(7).has("error")).isFalse();
            assertThat(out.get(8).get("error").asText()).startsWith("unknown country 'XX'");
            assertThat(out.get(9).has("error")).isFalse();
            // exactly the three good records were written, each with its decision
            assertThat(db.count("transactions")).isEqualTo(txBefore + 3);
            assertThat(db.count("decisions")).isEqualTo(3);
        }
    }

    @Test
    void timestampBeforeTheCustomersLast_isRefused_andTheNextOneScores(@TempDir Path dir) throws Exception {
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            Setup s = setup(db);
            Transaction a = s.tail().get(0);
            Transaction late = new Transaction(a.txId() + 100_000, a.userId(), a.ts() - 1, 500, "m", "grocery", "pos", "DE",
                    "EU", 50, 8, "d");
            List<JsonNode> out;
            try (ModelPair m = s.model()) {
                out = run(new ScoreStream(db, m, 1, RuleEngine.builder().build(), null),
                        new StringReader(line(a) + "\n" + line(late) + "\n" + line(s.tail().get(1)) + "\n"));
            }
            assertThat(out.get(0).has("error")).isFalse();
            assertThat(out.get(1).get("error").asText()).isEqualTo("ts " + late.ts()
                    + " must be after the last transaction of user '" + a.userId() + "' (ts " + a.ts() + ")");
            assertThat(out.get(2).has("error")).isFalse();
            assertThat(db.count("decisions")).isEqualTo(2);
        }
    }

    /** Closes the connection underneath the scorer when a given line is read: the database "goes away". */
    private static final class Saboteur extends Reader {
        private final BufferedReader in;
        private final Runnable sabotage;
        private final int atLine;
        private int lines;
        private String pending = "";

        Saboteur(String text, int atLine, Runnable sabotage) {
            this.in = new BufferedReader(new StringReader(text));
            this.atLine = atLine;
            this.sabotage = sabotage;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            if (pending.isEmpty()) {
                String l = in.readLine();
                if (l == null) {
                    return -1;
                }
                if (++lines == atLine) {
                    sabotage.run();
                }
                pending = l + "\n";
            }
            int n = Math.min(len, pending.length());
            pending.getChars(0, n, buf, off);
            pending = pending.substring(n);
            return n;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void databaseGoingAway_failsThatRecordOnly_andTheNextOneReconnects_sqlite(@TempDir Path dir) throws Exception {
        try (RiskDatabase db = RiskDatabase.open(RiskFixtures.sqlite(dir))) {
            goAway(db, () -> {
                try {
                    db.connection().close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void databaseGoingAway_failsThatRecordOnly_andTheNextOneReconnects_postgres() throws Exception {
        String spec = RiskFixtures.freshPostgres();
        try (RiskDatabase db = RiskDatabase.open(spec)) {
            goAway(db, () -> terminateSession(db, spec));
        } finally {
            RiskFixtures.dropPostgres(spec);
        }
    }

    /** The server ends the scorer's session, as a restart or a failover would. */
    private static void terminateSession(RiskDatabase db, String spec) {
        try (Connection admin = DriverManager.getConnection(spec.replaceFirst("&currentSchema=.*$", ""));
                Statement st = admin.createStatement()) {
            int pid;
            try (var rs = db.connection().createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            st.execute("SELECT pg_terminate_backend(" + pid + ")");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void goAway(RiskDatabase db, Runnable sabotage) throws Exception {
        Setup s = setup(db);
        long txBefore = db.count("transactions");
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            in.append(line(s.tail().get(i))).append('\n');
        }
        List<JsonNode> out;
        try (ModelPair m = s.model()) {
            out = run(new ScoreStream(db, m, 1, RuleEngine.builder().build(), null), new Saboteur(in.toString(), 3, sabotage));
        }
        assertThat(out).hasSize(6);
        assertThat(out.get(0).has("error")).isFalse();
        assertThat(out.get(1).has("error")).isFalse();
        assertThat(out.get(2).get("error").asText()).contains("went away while scoring tx_id " + s.tail().get(2).txId());
        for (int i = 3; i < 6; i++) {
            assertThat(out.get(i).has("error")).as(out.get(i).toString()).isFalse();
        }
        db.reconnect();
        assertThat(db.count("transactions")).isEqualTo(txBefore + 5);
        assertThat(db.count("decisions")).isEqualTo(5);
    }
}
