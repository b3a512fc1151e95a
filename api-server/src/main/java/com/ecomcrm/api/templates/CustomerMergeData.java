package com.ecomcrm.api.templates;

import com.ecomcrm.api.http.ParameterException;
import com.ecomcrm.domain.ErrorCode;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.MergeData;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Merge data for previews and test sends: the sample data, with a real customer of the shop in it when asked for.
 * A customer is one the shop holds email consent for ({@code consent}, written from Shopify's customer data); the
 * names come from the newest send scheduled for them (the trigger evaluation copies them from Shopify). Another
 * shop's customer is simply not found.
 */
final class CustomerMergeData {
    private final Pool postgres;

    CustomerMergeData(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    Future<Map<String, Object>> model(ShopId shop, Optional<Long> customerId) {
        Map<String, Object> model = new LinkedHashMap<>(MergeData.sample(shop.domain()));
        if (customerId.isEmpty()) {
            return Future.succeededFuture(model);
        }
        long id = customerId.get();
        return postgres.preparedQuery("SELECT c.email, (SELECT s.merge_data->'customer' FROM sends s "
                        + "WHERE s.shop_domain = c.shop_domain AND s.customer_id = c.customer_id "
                        + "AND s.merge_data ? 'customer' ORDER BY s.created_at DESC LIMIT 1)::text AS customer "
                        + "FROM consent c WHERE c.shop_domain = $1 AND c.customer_id = $2")
                .execute(Tuple.of(shop.domain(), id))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(new ParameterException(ErrorCode.NOT_FOUND, "customerId",
                                "Cannot find customer " + id + " in this shop's customers"));
                    }
                    Row row = rows.iterator().next();
                    JsonObject known = row.getString("customer") == null ? new JsonObject()
                            : new JsonObject(row.getString("customer"));
                    Map<String, Object> customer = new LinkedHashMap<>();
                    customer.put("first_name", text(known.getValue("first_name")));
                    customer.put("last_name", text(known.getValue("last_name")));
                    customer.put("email", Optional.ofNullable(row.getString("email"))
                            .orElse(text(known.getValue("email"))));
                    model.put("customer", customer);
                    return Future.succeededFuture(model);
                });
    }

    private static String text(Object value) {
        return value instanceof String s ? s : "";
    }
}
