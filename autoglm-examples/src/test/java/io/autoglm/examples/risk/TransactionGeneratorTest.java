package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {
    private static final GeneratedData DATA = RiskFixtures.small(12, 20_000, 5, 8);

    @Test
    void sameSeed_sameData_otherSeed_otherData() {
        GeneratedData again = RiskFixtures.small(12, 20_000, 5, 8);
        GeneratedData other = RiskFixtures.small(12, 20_000, 6, 8);
        assertThat(again.transactions()).isEqualTo(DATA.transactions());
        assertThat(again.fraudTypes()).isEqualTo(DATA.fraudTypes());
        assertThat(other.transactions()).isNotEqualTo(DATA.transactions());
    }

    @Test
    void exactCount_timeOrder_idsInOrder_strictlyIncreasingPerCustomer() {
        List<Transaction> t = DATA.transactions();
        assertThat(t).hasSize(20_000);
        Map<String, Long> last = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            assertThat(t.get(i).txId()).isEqualTo(i + 1);
            if (i > 0) {
                assertThat(t.get(i).ts()).isGreaterThanOrEqualTo(t.get(i - 1).ts());
            }
            Long prev = last.put(t.get(i).userId(), t.get(i).ts());
            if (prev != null) {
                assertThat(t.get(i).ts()).isGreaterThan(prev);
            }
            assertThat(t.get(i).ts()).isBetween(TransactionGenerator.START_TS, TransactionGenerator.START_TS + 12 * 86_400L);
        }
    }

    @Test
    void fraudRate_andEveryPatternWithItsSignature() {
        assertThat((double) DATA.fraudCount() / 20_000).isBetween(0.011, 0.014);
        Map<String, List<Transaction>> byType = new HashMap<>();
        Map<String, Customer> customers = new HashMap<>();
        DATA.customers().forEach(c -> customers.put(c.userId(), c));
        for (int i = 0; i < DATA.transactions().size(); i++) {
            String ft = DATA.fraudTypes().get(i);
            if (ft != null) {
                byType.computeIfAbsent(ft, k -> new ArrayList<>()).add(DATA.transactions().get(i));
            }
        }
        assertThat(byType).containsKeys("card_testing", "account_takeover", "cash_out", "slow_drift", "ato_proxy");
        // card testing: mostly tiny online payments
        long tiny = byType.get("card_testing").stream().filter(t -> t.amount() <= 3 && t.channel().equals("online")).count();
        assertThat((double) tiny / byType.get("card_testing").size()).isGreaterThan(0.8);
        // account takeover: always an IP on another continent than home, on a device the customer does not own
        for (Transaction t : byType.get("account_takeover")) {
            assertThat(t.continent()).isNotEqualTo(customers.get(t.userId()).homeContinent());
            assertThat(t.deviceId()).startsWith("fx");
        }
        // cash-out: large cash or crypto amounts, some above the 50,000 rule
        assertThat(byType.get("cash_out")).allMatch(t -> t.category().equals("cash") || t.category().equals("crypto"));
        assertThat(byType.get("cash_out").stream().mapToDouble(Transaction::amount).max().orElseThrow()).isGreaterThan(20_000);
        // the proxy takeovers only after the drift, on the home continent, on the new wallet channel
        for (Transaction t : byType.get("ato_proxy")) {
            assertThat(t.ts()).isGreaterThanOrEqualTo(DATA.driftTs());
            assertThat(t.continent()).isEqualTo(customers.get(t.userId()).homeContinent());
            assertThat(t.channel()).isEqualTo("wallet");
        }
    }

    @Test
    void drift_walletChannelAppearsOnlyAfterTheDriftDay() {
        long before = 0;
        long after = 0;
        long afterAll = 0;
        for (Transaction t : DATA.transactions()) {
            if (t.ts() < DATA.driftTs()) {
                before += t.channel().equals("wallet") ? 1 : 0;
            } else {
                afterAll++;
                after += t.channel().equals("wallet") ? 1 : 0;
            }
        }
        assertThat(before).isZero();
        assertThat((double) after / afterAll).isBetween(0.4, 0.6);
        assertThat(DATA.driftTs()).isEqualTo(TransactionGenerator.START_TS + 8 * 86_400L);
    }

    @Test
    void badSettings_areRejectedWithTheLimit() {
        assertThatThrownBy(() -> TransactionGenerator.builder().days(1)).hasMessage("days must be in [2, 3650], was 1");
        assertThatThrownBy(() -> TransactionGenerator.builder().transactions(10))
                .hasMessage("transactions must be in [1000, 50000000], was 10");
        assertThatThrownBy(() -> TransactionGenerator.builder().days(10).driftDay(10).build())
                .hasMessage("driftDay must be < days=10, was 10");
        assertThatThrownBy(() -> TransactionGenerator.builder().fraudRate(0.5))
                .hasMessage("fraudRate must be in [0.001, 0.2], was 0.5");
    }
}
