package com.ecomcrm.api.templates;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.email.render.TemplateSource;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * The renderer's includes on the API server: the newest body of one of the shop's own templates, by name, exactly
 * like the send job's TemplateStore. Called on the renderer's own threads (never the event loop), so waiting for
 * the reactive pool here is fine.
 */
final class StoredTemplateSource implements TemplateSource {
    private final Pool postgres;

    StoredTemplateSource(Pool postgres) {
        this.postgres = requireNonNull(postgres, "postgres is null");
    }

    @Override
    public Optional<String> load(ShopId shop, String name) {
        try {
            var rows = postgres.preparedQuery("SELECT v.body_html FROM templates t JOIN template_versions v "
                            + "ON v.shop_domain = t.shop_domain AND v.template_id = t.id "
                            + "WHERE t.shop_domain = $1 AND t.name = $2 ORDER BY v.version DESC LIMIT 1")
                    .execute(Tuple.of(shop.domain(), name))
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString("body_html"));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the include " + name + " of " + shop, e);
        }
    }
}
