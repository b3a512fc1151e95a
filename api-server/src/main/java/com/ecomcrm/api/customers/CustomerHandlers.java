package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.auth.SessionIdentity;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.api.plans.PlanAnswers;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The signed-in shop's customers, from its current published nightly run. Every route reads only the shop of the
 * session token (through {@code ClickHouseGateway.forShop}); a customer id of another shop is simply not found.
 *
 * <ul>
 *   <li>{@code GET /api/customers?segment=&churn_risk=&clv_min=&clv_max=&q=&sort=&order=&page=&page_size=}: one page,
 *       {@code {shop, status, as_of_date, total, page, page_size, sort, order, items[]}}. Filters: {@code segment} (a
 *       segment key, e.g. {@code AT_RISK}), {@code churn_risk} ({@code LOW|MEDIUM|HIGH}), {@code clv_min} /
 *       {@code clv_max} (decimal amounts, inclusive, on the predicted 12-month CLV; customers without predictions
 *       drop out), {@code q} (customer id or its leading digits: names and emails are not in the serving store).
 *       {@code sort} one of {@code recency_days, frequency, monetary, clv_12m, probability_alive, customer_id}
 *       (default {@code monetary}), {@code order} {@code asc|desc} (default {@code desc}), ties by customer id;
 *       {@code page} from 1, {@code page_size} 1..200 (default 50). Status {@code NOT_COMPUTED} (no items) before the
 *       shop's first nightly run.</li>
 *   <li>{@code GET /api/customers.csv} with the same filters and sort: every matching customer (paging parameters
 *       are checked but ignored), streamed from one ClickHouse query into a chunked response with back-pressure (memory
 *       stays at one batch of rows whatever the count), at most {@value #CSV_MAX_ROWS} rows, cells formula-safe
 *       ({@link CustomerCsv}). Headers
 *       {@code X-Total-Count} (matching customers), {@code X-Export-Rows} (rows in the file) and
 *       {@code X-Export-Truncated} ({@code true} when the cap cut the list).</li>
 *   <li>{@code GET /api/customers/{id}}: {@code {shop, as_of_date, customer, rfm_history[{date, segment,
 *       segment_name, monetary}]}}. Order history is not served here: orders are not in the serving store.</li>
 * </ul>
 * Errors: 400 naming the parameter ({@code error.field}) for any malformed or unknown value, before anything is read;
 * 404 naming the id when the shop's current publication has no such customer.
 */
public final class CustomerHandlers {
    /** Streamed, so the cap is about the length of a download, not memory. */
    static final int CSV_MAX_ROWS = 1_000_000;
    /** Rows per write: a batch of about 100 KB. */
    static final int CSV_BATCH_ROWS = 500;
    /** Exports at once; more wait for a worker, so exports never take the dashboard's worker threads. */
    static final int EXPORT_WORKERS = 4;
    /** A client that takes nothing for this long loses its download (ClickHouse would end the query near then too). */
    static final java.time.Duration CSV_STALL_LIMIT = java.time.Duration.ofMinutes(4);
    /** Reads of one answer: a second one agrees unless two publications were switched in within milliseconds. */
    static final int ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(CustomerHandlers.class);

    private final Vertx vertx;
    private final CustomerReader reader;
    private final int csvMaxRows;
    private final int csvBatchRows;
    private final WorkerExecutor exports;

    public CustomerHandlers(Vertx vertx, CustomerReader reader) {
        this(vertx, reader, CSV_MAX_ROWS, CSV_BATCH_ROWS);
    }

    CustomerHandlers(Vertx vertx, CustomerReader reader, int csvMaxRows, int csvBatchRows) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.reader = requireNonNull(reader, "reader is null");
        if (csvMaxRows < 1 || csvBatchRows < 1) {
            throw new IllegalArgumentException("CSV limits must be positive");
        }
        this.csvMaxRows = csvMaxRows;
        this.csvBatchRows = csvBatchRows;
        // A download may take minutes: the pool's blocked-thread warning is set past the stall limit of every write.
        this.exports = vertx.createSharedWorkerExecutor("customer-csv-exports", EXPORT_WORKERS, 6, TimeUnit.HOURS);
    }

    /** {@code GET /api/customers}. */
    public Handler<RoutingContext> list() {
        return ctx -> {
            SessionIdentity identity = SessionTokenHandler.identity(ctx);
            CustomerQuery query;
            try {
                query = CustomerParameters.parse(ctx.queryParams());
            }
            catch (DomainException e) {
                ctx.fail(e);
                return;
            }
            ShopId shop = identity.shop();
            // The ClickHouse client blocks; keep it off the event loop. The count and the page are read at the same
            // time, each picking the current publication inside its query (one round trip in all).
            readList(shop, query, ATTEMPTS)
                    // Predictions are left out on a plan without them (the gate in ApiServer read the plan).
                    .onSuccess(json -> ctx.json(PlanAnswers.customerList(ctx, json)))
                    .onFailure(ctx::fail);
        };
    }

    /** {@code GET /api/customers/:id}. */
    public Handler<RoutingContext> detail() {
        return ctx -> {
            SessionIdentity identity = SessionTokenHandler.identity(ctx);
            long id;
            try {
                id = CustomerParameters.customerId(ctx.pathParam("id"));
            }
            catch (DomainException e) {
                ctx.fail(e);
                return;
            }
            ShopId shop = identity.shop();
            // The customer and its RFM history are read at the same time, each picking the current publication.
            readDetail(shop, id, ATTEMPTS)
                    .onSuccess(json -> ctx.json(PlanAnswers.customerDetail(ctx, json)))
                    .onFailure(ctx::fail);
        };
    }

    /** {@code GET /api/customers.csv}. */
    public Handler<RoutingContext> csv() {
        return ctx -> {
            SessionIdentity identity = SessionTokenHandler.identity(ctx);
            CustomerQuery query;
            try {
                query = CustomerParameters.parse(ctx.queryParams());
            }
            catch (DomainException e) {
                ctx.fail(e);
                return;
            }
            ShopId shop = identity.shop();
            // The count picks the current publication (and says which); every chunk then reads that one.
            vertx.executeBlocking(() -> {
                        CurrentRead<Long> count = reader.currentCount(shop, query);
                        return count.publication().isPresent() ? new Export(count.publication(), count.value())
                                : new Export(reader.publication(shop), 0);
                    }, false)
                    .onSuccess(export -> stream(ctx, shop, query, export))
                    .onFailure(ctx::fail);
        };
    }

    /**
     * The count and the page side by side. Each says which publication it read; when a new one was switched in
     * between them they disagree and both are read again. When neither found a row, the publication (or its absence)
     * is read on its own: the answer then says READY with no customer, or NOT_COMPUTED.
     */
    private Future<JsonObject> readList(ShopId shop, CustomerQuery query, int attempts) {
        return Future.all(blocking(() -> reader.currentCount(shop, query)),
                        blocking(() -> reader.currentPage(shop, query)))
                .compose(read -> {
                    CurrentRead<Long> count = read.resultAt(0);
                    CurrentRead<List<CustomerRow>> page = read.resultAt(1);
                    // A page that is empty although the count says it should not be, or rows the count did not see,
                    // came from another publication too.
                    boolean agree = count.agreesWith(page)
                            && (page.value().isEmpty() ? count.value() <= query.offset() : count.value() > 0);
                    if (!agree) {
                        return again(attempts, "the customer list", () -> readList(shop, query, attempts - 1));
                    }
                    Optional<Publication> publication = count.publicationOr(page);
                    if (publication.isPresent()) {
                        return Future.succeededFuture(listAnswer(shop, query, publication, count.value(),
                                page.value()));
                    }
                    return blocking(() -> reader.publication(shop))
                            .map(p -> listAnswer(shop, query, p, 0, List.of()));
                })
                .recover(failure -> failure instanceof PublicationChanged
                        ? again(attempts, "the customer list", () -> readList(shop, query, attempts - 1))
                        : Future.failedFuture(failure));
    }

    /** The customer and its history side by side, read again if a new publication came between them. */
    private Future<JsonObject> readDetail(ShopId shop, long id, int attempts) {
        return Future.all(blocking(() -> reader.currentCustomer(shop, id)),
                        blocking(() -> reader.currentHistory(shop, id)))
                .compose(read -> {
                    CurrentRead<Optional<CustomerRow>> customer = read.resultAt(0);
                    CurrentHistory history = read.resultAt(1);
                    if (customer.publication().isEmpty()) {
                        // Not found: say whether anything was published at all.
                        return blocking(() -> reader.publication(shop))
                                .map(p -> detailAnswer(shop, id, p, Optional.empty(), List.of()));
                    }
                    if (!history.readUpTo(customer.publication().get().publishId())) {
                        return again(attempts, "a customer", () -> readDetail(shop, id, attempts - 1));
                    }
                    return Future.succeededFuture(detailAnswer(shop, id, customer.publication(), customer.value(),
                            history.points()));
                })
                .recover(failure -> failure instanceof PublicationChanged
                        ? again(attempts, "a customer", () -> readDetail(shop, id, attempts - 1))
                        : Future.failedFuture(failure));
    }

    /** Reads again while attempts are left: a publication switch between two reads is a once-a-night event. */
    static <T> Future<T> again(int attempts, String what, java.util.function.Supplier<Future<T>> read) {
        if (attempts <= 1) {
            return Future.failedFuture(new DomainException(ErrorCode.UNAVAILABLE, "Cannot read " + what
                    + " from one publication: new ones kept being switched in; try again"));
        }
        return read.get();
    }

    /** A blocking read on a worker thread, unordered (the reads of one request may run side by side). */
    private <T> Future<T> blocking(java.util.concurrent.Callable<T> read) {
        return vertx.executeBlocking(read, false);
    }

    static JsonObject listAnswer(ShopId shop, CustomerQuery query, Optional<Publication> publication, long total,
                                 List<CustomerRow> rows) {
        JsonObject json = new JsonObject().put("shop", shop.domain());
        json.put("status", publication.isPresent() ? "READY" : "NOT_COMPUTED")
                .put("as_of_date", publication.map(p -> p.asOfDate().toString()).orElse(null));
        JsonArray items = new JsonArray();
        // Past the last page there is nothing to show.
        if (publication.isPresent() && query.offset() < total) {
            for (CustomerRow row : rows) {
                items.add(CustomerJson.customer(row));
            }
        }
        if (publication.isEmpty()) {
            json.put("message", "Customers appear after the first nightly run has finished for this shop.");
        }
        return json.put("total", publication.isPresent() ? total : 0)
                .put("page", query.page())
                .put("page_size", query.pageSize())
                .put("sort", query.sort().parameter())
                .put("order", query.descending() ? "desc" : "asc")
                .put("items", items);
    }

    static JsonObject detailAnswer(ShopId shop, long id, Optional<Publication> publication,
                                   Optional<CustomerRow> customer, List<RfmHistoryPoint> history) {
        if (publication.isEmpty() || customer.isEmpty()) {
            // The same answer whether the id is unknown or belongs to another shop.
            throw new ParameterException(ErrorCode.NOT_FOUND, "id", "Cannot find customer " + id
                    + " in this shop's customers" + (publication.isEmpty() ? " (no nightly run has finished yet)" : ""));
        }
        return new JsonObject().put("shop", shop.domain())
                .put("as_of_date", publication.get().asOfDate().toString())
                .put("customer", CustomerJson.customer(customer.get()))
                .put("rfm_history", CustomerJson.history(history));
    }

    private record Export(Optional<Publication> publication, long total) {
    }

    private void stream(RoutingContext ctx, ShopId shop, CustomerQuery query, Export export) {
        long rows = Math.min(export.total(), csvMaxRows);
        String date = export.publication().map(p -> p.asOfDate().toString()).orElse("none");
        HttpServerResponse response = ctx.response()
                .putHeader("Content-Type", "text/csv; charset=utf-8")
                // The domain is a validated *.myshopify.com name: safe inside the quotes.
                .putHeader("Content-Disposition", "attachment; filename=\"customers-" + shop.domain() + "-" + date
                        + ".csv\"")
                .putHeader("X-Total-Count", Long.toString(export.total()))
                .putHeader("X-Export-Rows", Long.toString(rows))
                .putHeader("X-Export-Truncated", Boolean.toString(export.total() > rows))
                .setChunked(true);
        BlockingResponseWriter writer = new BlockingResponseWriter(vertx.getOrCreateContext(), response,
                CSV_STALL_LIMIT);
        // One query streams the rows from ClickHouse through a worker of the export pool into the response, a batch
        // at a time, held back by the connection (BlockingResponseWriter): memory stays at one batch and the
        // connection's write queue, whatever the shop's size.
        exports.executeBlocking(() -> writeCsv(writer, shop, query, export.publication(), rows), false)
                .onSuccess(written -> writer.end())
                .onFailure(e -> {
                    if (e instanceof BlockingResponseWriter.DownloadClosed) {
                        LOG.info("CSV export for {} stopped: {}", shop.domain(), e.getMessage());
                    }
                    else {
                        LOG.error("CSV export for {} failed after the headers were sent", shop.domain(), e);
                    }
                    writer.abort();
                });
    }

    /** Runs on an export worker: the header, then every row, in batches of {@code csvBatchRows}. */
    private long writeCsv(BlockingResponseWriter writer, ShopId shop, CustomerQuery query,
                          Optional<Publication> publication, long rows) {
        StringBuilder batch = new StringBuilder(csvBatchRows * 160);
        batch.append(CustomerCsv.header());
        long written = 0;
        if (publication.isPresent() && rows > 0) {
            int[] inBatch = {0};
            written = reader.stream(shop, publication.get(), query, rows, row -> {
                CustomerCsv.append(batch, CustomerCsv.fields(row));
                if (++inBatch[0] >= csvBatchRows) {
                    writer.write(Buffer.buffer(batch.toString()));
                    batch.setLength(0);
                    inBatch[0] = 0;
                }
            });
            if (written < rows) {
                // The count promised more (X-Export-Rows): the publication went away under the export. A short file
                // must not look complete.
                throw new DomainException(ErrorCode.UNAVAILABLE, "Cannot finish the export: " + written + " of "
                        + rows + " customers could be read; the publication changed, export again");
            }
        }
        if (!batch.isEmpty()) {
            writer.write(Buffer.buffer(batch.toString()));
        }
        return written;
    }
}
