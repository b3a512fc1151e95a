package com.ecomcrm.api.groupcommit;

import com.ecomcrm.landing.LandingEnvelope;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What one intake does with a batch, in the order {@link GroupCommit} runs it: {@link #record} inside the batch's
 * transaction, then the landing fsync of the lines it named, then {@link #afterLanding} still inside the transaction,
 * the commit, and {@link #afterCommit}. Items come in arrival order; results go back one per item, in that order.
 *
 * @param <I> an item as it arrived (a webhook delivery, an open or a click)
 * @param <R> what its caller is answered once the item is durable
 */
public interface BatchWork<I, R> {
    /**
     * What a batch wrote to PostgreSQL: one result per item (same order) and the lines to land durably before the
     * commit (none: no fsync).
     */
    record Recorded<R>(List<R> results, List<LandingEnvelope> toLand) {
        public Recorded {
            results = List.copyOf(requireNonNull(results, "results is null"));
            toLand = List.copyOf(requireNonNull(toLand, "toLand is null"));
        }
    }

    /** Writes the batch on the transaction's connection; a failure rolls the whole batch back. */
    Future<Recorded<R>> record(SqlConnection transaction, List<I> items);

    /**
     * Runs once the lines are landed and before the commit (a failure rolls the batch back, its lines stay landed).
     * Default: nothing.
     */
    default Future<Void> afterLanding(SqlConnection transaction, List<I> items, List<R> results) {
        return Future.succeededFuture();
    }

    /**
     * Runs after the commit, before the answers. The batch is durable by then: a failure here is logged and the items
     * are still answered with their results. Default: nothing.
     */
    default Future<Void> afterCommit(List<I> items, List<R> results) {
        return Future.succeededFuture();
    }

    /** The item in a log line: kind, shop, ids; never personal data. */
    String describe(I item);
}
