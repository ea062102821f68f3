package io.autoglm.examples.risk;

import java.util.List;

/**
 * What {@link TransactionGenerator} made.
 *
 * @param customers the account holders
 * @param transactions the transactions in time order, ids 1..n in that order
 * @param fraudTypes per transaction (same index): null for legitimate, else {@code card_testing},
 *     {@code account_takeover}, {@code cash_out}, {@code slow_drift} or {@code ato_proxy}
 * @param startTs epoch second of day 0
 * @param days simulated days
 * @param driftTs epoch second at which the injected drift starts, or -1
 */
public record GeneratedData(List<Customer> customers, List<Transaction> transactions, List<String> fraudTypes,
        long startTs, int days, long driftTs) {

    /** Copies the lists (fraud types may hold nulls). */
    public GeneratedData {
        customers = List.copyOf(customers);
        transactions = List.copyOf(transactions);
        fraudTypes = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(fraudTypes));
        if (fraudTypes.size() != transactions.size()) {
            throw new IllegalArgumentException("fraudTypes has " + fraudTypes.size() + " entries, transactions "
                    + transactions.size());
        }
    }

    /** @param i transaction index @return whether it is fraud */
    public boolean isFraud(int i) {
        return fraudTypes.get(i) != null;
    }

    /** @return the number of fraudulent transactions */
    public long fraudCount() {
        return fraudTypes.stream().filter(java.util.Objects::nonNull).count();
    }
}
