package com.ecomcrm.api.sync;

import com.ecomcrm.api.shopify.BulkImport;
import com.ecomcrm.domain.ShopId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Runs a shop's initial import in the background as soon as the app holds a token for it (install, token exchange),
 * and picks unfinished imports up again when the server starts, so a merchant's data arrives without anyone running a
 * command, and a crash or deploy in the middle of an import loses nothing.
 *
 * <p>At most one import per shop runs at a time in this process; a request for a shop already importing joins that
 * import. Imports of different shops run side by side on a small pool: each is mostly waiting for Shopify, and
 * Shopify's own limit (one bulk query per shop) is what bounds them.
 */
public final class InitialSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InitialSync.class);
    private static final int PARALLEL_SHOPS = 4;

    private final BiFunction<ShopId, String, BulkImport> imports;
    private final BiConsumer<ShopId, String> shopDetails;
    private final Supplier<Connection> postgres;
    private final ExecutorService pool;
    private final ConcurrentHashMap<ShopId, CompletableFuture<List<String>>> running = new ConcurrentHashMap<>();

    /**
     * @param imports     the import of one shop with its access token
     * @param shopDetails refreshes the shop's own details (time zone, contact email) before its import
     * @param postgres    JDBC connections to the operational database (bulk_syncs)
     */
    public InitialSync(BiFunction<ShopId, String, BulkImport> imports, BiConsumer<ShopId, String> shopDetails,
                       Supplier<Connection> postgres) {
        this.imports = requireNonNull(imports, "imports is null");
        this.shopDetails = requireNonNull(shopDetails, "shopDetails is null");
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.pool = Executors.newFixedThreadPool(PARALLEL_SHOPS, runnable -> {
            Thread thread = new Thread(runnable, "initial-sync");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Completes the shop's initial import in the background (a no-op once it is complete).
     *
     * @return the object types this run imported; fails with the import's error
     */
    public CompletableFuture<List<String>> begin(ShopId shop, String accessToken) {
        requireNonNull(shop, "shop is null");
        requireNonNull(accessToken, "accessToken is null");
        return runAlone(shop, "initial import", "the next visit or restart resumes it", () -> {
            BulkImport bulk = imports.apply(shop, accessToken);
            // The dashboard calls this on every load: once the import is complete there is nothing to ask Shopify
            // (shop/update webhooks keep the details current), so a visit costs no Admin API call.
            if (bulk.initialSyncComplete(shop)) {
                return List.of();
            }
            refreshDetails(shop, accessToken);
            return bulk.completeInitialSync(shop);
        });
    }

    /**
     * Runs one import of the shop on the pool unless one is already running, which the caller then joins. The future
     * is registered before the work starts and removed when it ends: work that finishes at once cannot race its own
     * registration.
     */
    private CompletableFuture<List<String>> runAlone(ShopId shop, String what, String retry,
                                                     Supplier<List<String>> work) {
        CompletableFuture<List<String>> mine = new CompletableFuture<>();
        CompletableFuture<List<String>> already = running.putIfAbsent(shop, mine);
        if (already != null) {
            return already;
        }
        try {
            CompletableFuture.supplyAsync(work, pool).whenComplete((imported, failure) -> {
                running.remove(shop, mine);
                if (failure == null) {
                    if (!imported.isEmpty()) {
                        LOG.info("The {} of {} finished: {}", what, shop, imported);
                    }
                    mine.complete(imported);
                    return;
                }
                if (pool.isShutdown()) {
                    LOG.info("The {} of {} stopped with the server; the next start resumes it", what, shop);
                }
                else {
                    LOG.error("The {} of {} failed; {}", what, shop, retry, failure);
                }
                mine.completeExceptionally(failure);
            });
        }
        catch (java.util.concurrent.RejectedExecutionException stopped) {
            running.remove(shop, mine);
            mine.completeExceptionally(stopped);
        }
        return mine;
    }

    /** The shop's details matter (quiet hours use its time zone) but never hold its data back. */
    private void refreshDetails(ShopId shop, String accessToken) {
        try {
            shopDetails.accept(shop, accessToken);
        }
        catch (RuntimeException e) {
            LOG.warn("Cannot refresh the details of {}; the next import tries again: {}", shop, e.getMessage());
        }
    }

    /**
     * At start-up: resumes every shop whose latest import of some object type was still running when the previous
     * process stopped, with the shop's stored token.
     *
     * @param tokens a shop's stored offline token, empty when the shop has none (uninstalled)
     * @return the shops resumed
     */
    public List<ShopId> resumeUnfinished(Function<ShopId, Optional<String>> tokens) {
        List<ShopId> resumed = new ArrayList<>();
        for (ShopId shop : unfinishedShops()) {
            Optional<String> token = tokens.apply(shop);
            if (token.isEmpty()) {
                LOG.info("Not resuming the import of {}: no stored token (uninstalled?)", shop);
                continue;
            }
            begin(shop, token.get());
            resumed.add(shop);
        }
        return resumed;
    }

    /**
     * At start-up, after {@link #resumeUnfinished}: every other shop whose initial import is complete catches up on
     * what changed while this server was down ({@link BulkImport#catchUp}), in the background.
     *
     * @return the shops being caught up
     */
    public List<ShopId> catchUpAll(Function<ShopId, Optional<String>> tokens) {
        List<ShopId> started = new ArrayList<>();
        Set<ShopId> unfinished = unfinishedShops();
        for (ShopId shop : importedShops()) {
            if (unfinished.contains(shop) || running.containsKey(shop)) {
                continue;
            }
            Optional<String> token = tokens.apply(shop);
            if (token.isEmpty()) {
                continue;
            }
            runAlone(shop, "catch-up", "the next start tries again",
                    () -> imports.apply(shop, token.get()).catchUp(shop));
            started.add(shop);
        }
        return started;
    }

    /** Shops with a completed initial import of some object type. */
    Set<ShopId> importedShops() {
        Set<ShopId> shops = new java.util.TreeSet<>(java.util.Comparator.comparing(ShopId::domain));
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT DISTINCT shop_domain FROM bulk_syncs WHERE kind = 'initial' AND status = 'COMPLETED'""");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                shops.add(ShopId.of(rows.getString(1)));
            }
        }
        catch (SQLException e) {
            LOG.error("Cannot look for imported shops: {}", e.getMessage());
        }
        return shops;
    }

    /**
     * Shops whose latest import of an object type was still running when the previous process stopped. A FAILED import
     * is not retried at start-up (a shop whose token was revoked would fail at every start); the merchant's next
     * visit retries it.
     */
    Set<ShopId> unfinishedShops() {
        Set<ShopId> shops = ConcurrentHashMap.newKeySet();
        try (Connection connection = postgres.get();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT shop_domain FROM (
                         SELECT DISTINCT ON (shop_domain, object_type) shop_domain, status FROM bulk_syncs
                         WHERE kind = 'initial'
                         ORDER BY shop_domain, object_type, started_at DESC, id DESC) latest
                     WHERE status = 'RUNNING'""");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                shops.add(ShopId.of(rows.getString(1)));
            }
        }
        catch (SQLException e) {
            LOG.error("Cannot look for unfinished imports: {}", e.getMessage());
        }
        return shops;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
