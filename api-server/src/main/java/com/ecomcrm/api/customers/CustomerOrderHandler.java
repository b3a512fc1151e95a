package com.ecomcrm.api.customers;

import com.ecomcrm.api.analytics.Publication;
import com.ecomcrm.api.auth.SessionTokenHandler;
import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /api/customers/{id}/orders?page=&page_size=}: the customer's orders timeline from the shop's current
 * publication, newest first: {@code {shop, as_of_date, customer_id, total, page, page_size, items[{order_id, name,
 * processed_at, financial_status, total, refunded, net, line_count, cancelled}]}}. Money as decimal strings in the
 * shop's currency (as the other analytics answers); {@code page} from 1, {@code page_size} 1..100 (default 20).
 *
 * <p>Errors: 400 naming the parameter for a malformed id or paging value, before anything is read; 404 naming the id
 * when the shop's current publication has no such customer, the same answer for another shop's customer.
 */
public final class CustomerOrderHandler implements Handler<RoutingContext> {
    private final Vertx vertx;
    private final CustomerReader customers;
    private final CustomerOrderReader orders;

    public CustomerOrderHandler(Vertx vertx, CustomerReader customers, CustomerOrderReader orders) {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.customers = requireNonNull(customers, "customers is null");
        this.orders = requireNonNull(orders, "orders is null");
    }

    @Override
    public void handle(RoutingContext ctx) {
        ShopId shop = SessionTokenHandler.identity(ctx).shop();
        long id;
        OrderPage page;
        try {
            id = CustomerParameters.customerId(ctx.pathParam("id"));
            page = CustomerParameters.orderPage(ctx.queryParams());
        }
        catch (DomainException e) {
            ctx.fail(e);
            return;
        }
        // The ClickHouse client blocks; keep it off the event loop.
        read(shop, id, page, CustomerHandlers.ATTEMPTS)
                .onSuccess(ctx::json)
                .onFailure(ctx::fail);
    }

    /**
     * Whether the customer is in the current publication, its order count and the page, side by side (one round
     * trip), each query picking the current publication itself and saying which it read; when a new publication was
     * switched in between them they disagree, and all three are read again.
     */
    private Future<JsonObject> read(ShopId shop, long id, OrderPage page, int attempts) {
        return Future.all(blocking(() -> customers.currentPublicationOf(shop, id)),
                        blocking(() -> orders.currentCount(shop, id)),
                        blocking(() -> orders.currentPage(shop, id, page)))
                .compose(read -> {
                    Optional<Publication> member = read.resultAt(0);
                    CurrentOrders count = read.resultAt(1);
                    CurrentOrders rows = read.resultAt(2);
                    if (member.isEmpty()) {
                        // Not in the current publication (or nothing published): say which, as before.
                        return blocking(() -> {
                            throw notFound(id, customers.publication(shop).isEmpty());
                        });
                    }
                    long publishId = member.get().publishId();
                    boolean agree = count.readFrom(publishId) && rows.readFrom(publishId)
                            && (rows.page().isEmpty() ? count.count() <= page.offset() : count.count() > 0);
                    if (!agree) {
                        return CustomerHandlers.again(attempts, "a customer's orders",
                                () -> read(shop, id, page, attempts - 1));
                    }
                    return Future.succeededFuture(answer(shop, id, page, member.get(), count.count(), rows.page()));
                });
    }

    private <T> Future<T> blocking(java.util.concurrent.Callable<T> read) {
        return vertx.executeBlocking(read, false);
    }

    /** The same answer whether the id is unknown or belongs to another shop. */
    private static ParameterException notFound(long id, boolean nothingPublished) {
        return new ParameterException(ErrorCode.NOT_FOUND, "id", "Cannot find customer " + id
                + " in this shop's customers" + (nothingPublished ? " (no nightly run has finished yet)" : ""));
    }

    static JsonObject answer(ShopId shop, long id, OrderPage page, Publication publication, long total,
                             List<CustomerOrder> orders) {
        JsonArray items = new JsonArray();
        // Past the last page there is nothing to show.
        if (page.offset() < total) {
            for (CustomerOrder order : orders) {
                items.add(new JsonObject()
                        .put("order_id", String.valueOf(order.orderId()))
                        .put("name", order.name())
                        .put("processed_at", order.processedAt().toString())
                        .put("financial_status", order.financialStatus().orElse(null))
                        .put("total", amount(order.totalCents()))
                        .put("refunded", amount(order.refundedCents()))
                        .put("net", amount(order.netCents()))
                        .put("line_count", order.lineCount())
                        .put("cancelled", order.cancelled()));
            }
        }
        return new JsonObject().put("shop", shop.domain())
                .put("as_of_date", publication.asOfDate().toString())
                .put("customer_id", String.valueOf(id))
                .put("total", total)
                .put("page", page.page())
                .put("page_size", page.pageSize())
                .put("items", items);
    }

    /** Integer cents as a decimal string ("1234.50"): no binary floating point on the way. */
    private static String amount(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
