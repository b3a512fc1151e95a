package com.ecomcrm.bench;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Did every send reach the SMTP sink exactly once? Compares the Message-IDs the send ledger recorded as SENT (the
 * send job derives each from the send's idempotency key, so a resent email would carry the same one) with the
 * Message-IDs of every message the sink received.
 *
 * @param expected      sends the ledger says went out
 * @param received      messages the sink received (every copy counted)
 * @param deliveredOnce expected Message-IDs received exactly once
 * @param missing       expected Message-IDs never received
 * @param duplicated    expected Message-IDs received more than once
 * @param unexpected    received messages whose Message-ID the ledger does not hold as SENT (or that had none)
 */
public record SinkTally(long expected, long received, long deliveredOnce, long missing, long duplicated,
                        long unexpected) {
    public static SinkTally of(Collection<String> sentMessageIds, Collection<String> receivedMessageIds) {
        requireNonNull(sentMessageIds, "sentMessageIds is null");
        requireNonNull(receivedMessageIds, "receivedMessageIds is null");
        Set<String> expected = new HashSet<>(sentMessageIds);
        Map<String, Integer> copies = new HashMap<>();
        long unexpected = 0;
        for (String id : receivedMessageIds) {
            if (id == null || !expected.contains(id)) {
                unexpected++;
            }
            else {
                copies.merge(id, 1, Integer::sum);
            }
        }
        long once = copies.values().stream().filter(n -> n == 1).count();
        long duplicated = copies.values().stream().filter(n -> n > 1).count();
        return new SinkTally(expected.size(), receivedMessageIds.size(), once, expected.size() - copies.size(),
                duplicated, unexpected);
    }

    /** Every SENT send arrived once, none twice, nothing else arrived. */
    public boolean exactlyOnce() {
        return missing == 0 && duplicated == 0 && unexpected == 0 && deliveredOnce == expected;
    }
}
