package com.ecomcrm.pipelines.maintenance;

import com.ecomcrm.clickhouse.AdminClickHouse;
import com.ecomcrm.clickhouse.SqlLiterals;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.pipelines.ServingTables;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The ClickHouse upkeep a publish leaves behind: rows no reader can reach, a publication table to merge, mutations to
 * watch. Run weekly by the maintenance DAG after the Iceberg maintenance, with the logical date's clock.
 *
 * <p><b>What goes.</b> In every serving table keyed by (shop_id, publish_id), a shop's rows under
 * <ul>
 *   <li>a <i>superseded</i> publication: below the shop's current one (its max publish_id in
 *   {@code shop_publications}); readers never read them. The publish deletes them itself, but a failed or unfinished
 *   mutation, or a run killed after its switch, leaves them behind;</li>
 *   <li>an <i>orphan</i> publication: above the shop's current one (or of a shop never published), i.e. a publish that
 *   never switched. It may also be a publish running right now, so it goes only when it is older than
 *   {@code orphanAge}. Publish ids are epoch millis taken when the publish starts, raised to one more than the shop's
 *   previous ids when the clock went back ({@code PublishJob}): an id is never smaller than the time its publish
 *   started, so "id &lt; cut-off millis" proves the publish started before the cut-off (a raised id only looks younger,
 *   which keeps it longer: the safe side).</li>
 * </ul>
 *
 * <p><b>What stays.</b> The current publication of every shop, and the history slices
 * ({@code customer_segment_history}, {@code segment_history_dates}) entirely: readers take, per date, the largest
 * listed slice not newer than the shop's current publication, whether or not that slice's own publish switched
 * (docs/warehouse-contract.md), so a slice under a superseded or even a never-switched id can be the one a reader
 * uses; a re-published date's older slice is removed by the publish ({@code PublishJob.dropReplacedHistory}).
 *
 * <p><b>How.</b> One {@code ALTER TABLE ... DELETE} per table for all shops (per {@value #SHOPS_PER_STATEMENT} shops,
 * each named as an escaped literal with its own current id through {@code transform}), issued only where the table
 * holds such rows, so a second run changes nothing. A publish switching at the same time is safe: the condition uses
 * the ids read before, so its new rows are above the old current id and younger than the cut-off.
 * Then {@code OPTIMIZE TABLE shop_publications FINAL} (ReplacingMergeTree) and a report of unfinished mutations
 * ({@code system.mutations}, only columns both 18.16 and current releases have), so an operator sees stuck ones.
 */
public final class ClickHouseHousekeeping {
    /** Tables holding one publication per shop that readers read only at the shop's current id. */
    static final List<String> SERVING_TABLES = ServingTables.CURRENT_ONLY;
    /** Tables keyed by publication that keep history readers use: never cleaned here (see the class comment). */
    static final List<String> HISTORY_TABLES = ServingTables.HISTORY;
    /** Shops per statement: bounds a statement's size whatever the number of shops. */
    static final int SHOPS_PER_STATEMENT = 500;

    private final AdminClickHouse admin;
    private final Clock clock;

    public ClickHouseHousekeeping(AdminClickHouse admin, Clock clock) {
        this.admin = requireNonNull(admin, "admin is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** What one table held that no reader reaches, and how many delete statements went out for it. */
    public record TableResult(String table, long supersededRows, long orphanRows, long youngOrphanRows,
                              int mutations) {
        public TableResult {
            requireNonNull(table, "table is null");
        }
    }

    /** A mutation ClickHouse has not finished (possibly stuck). */
    public record UnfinishedMutation(String table, String mutationId, String command, String createTime,
                                     long partsToDo) {
        public UnfinishedMutation {
            requireNonNull(table, "table is null");
            requireNonNull(mutationId, "mutationId is null");
        }

        public String line() {
            return "MAINTENANCE clickhouse unfinished_mutation table=" + table + " mutation_id=" + mutationId
                    + " created=" + createTime + " parts_to_do=" + partsToDo + " command=" + command;
        }
    }

    public record Result(List<TableResult> tables, List<UnfinishedMutation> unfinishedMutations, Duration orphanAge) {
        public Result {
            tables = List.copyOf(tables);
            unfinishedMutations = List.copyOf(unfinishedMutations);
            requireNonNull(orphanAge, "orphanAge is null");
        }

        public long supersededRows() {
            return tables.stream().mapToLong(TableResult::supersededRows).sum();
        }

        public long orphanRows() {
            return tables.stream().mapToLong(TableResult::orphanRows).sum();
        }

        public long youngOrphanRows() {
            return tables.stream().mapToLong(TableResult::youngOrphanRows).sum();
        }

        public int mutations() {
            return tables.stream().mapToInt(TableResult::mutations).sum();
        }

        /** The summary line an operator greps for. */
        public String line() {
            return "MAINTENANCE clickhouse tables=" + tables.size() + " superseded_rows=" + supersededRows()
                    + " orphan_rows=" + orphanRows() + " young_orphan_rows_kept=" + youngOrphanRows()
                    + " mutations=" + mutations() + " unfinished_mutations=" + unfinishedMutations.size()
                    + " orphan_age_hours=" + orphanAge.toHours();
        }
    }

    /**
     * Cleans every serving table, merges the publication table and reports unfinished mutations (read before this
     * run adds its own, so what is reported was already pending: a stuck one shows up week after week).
     */
    public Result run(Duration orphanAge) {
        requireNonNull(orphanAge, "orphanAge is null");
        if (orphanAge.isNegative()) {
            throw new IllegalArgumentException("Cannot keep orphan publications for a negative age: " + orphanAge);
        }
        List<UnfinishedMutation> unfinished = unfinishedMutations();
        long cutOff = clock.millis() - orphanAge.toMillis();
        Map<String, Long> current = currentPublications();
        List<TableResult> tables = new ArrayList<>();
        for (String table : SERVING_TABLES) {
            tables.add(clean(table, current, cutOff));
        }
        admin.execute("OPTIMIZE TABLE shop_publications FINAL");
        return new Result(tables, unfinished, orphanAge);
    }

    /** Unfinished mutations of this database. */
    public List<UnfinishedMutation> unfinishedMutations() {
        List<UnfinishedMutation> out = new ArrayList<>();
        for (JsonNode row : admin.query("SELECT table, mutation_id, command, toString(create_time) AS created,"
                + " toString(parts_to_do) AS parts FROM system.mutations"
                + " WHERE database = currentDatabase() AND is_done = 0 ORDER BY create_time, table")) {
            out.add(new UnfinishedMutation(row.get("table").asText(), row.get("mutation_id").asText(),
                    row.get("command").asText(), row.get("created").asText(),
                    Long.parseLong(row.get("parts").asText())));
        }
        return Collections.unmodifiableList(out);
    }

    private Map<String, Long> currentPublications() {
        Map<String, Long> current = new TreeMap<>();
        for (JsonNode row : admin.query("SELECT shop_id, toString(max(publish_id)) AS p FROM shop_publications"
                + " GROUP BY shop_id")) {
            current.put(row.get("shop_id").asText(), Long.parseLong(row.get("p").asText()));
        }
        return current;
    }

    private TableResult clean(String table, Map<String, Long> current, long cutOff) {
        SqlLiterals.identifier(table);
        long superseded = 0;
        long orphans = 0;
        long youngOrphans = 0;
        // Shops with rows to delete, with their current id (0 when never published: every id is then an orphan).
        Map<String, Long> toClean = new TreeMap<>();
        for (JsonNode row : admin.query("SELECT shop_id, toString(publish_id) AS p, toString(count()) AS n FROM "
                + table + " GROUP BY shop_id, publish_id")) {
            String shop = row.get("shop_id").asText();
            long publishId = Long.parseLong(row.get("p").asText());
            long rows = Long.parseLong(row.get("n").asText());
            long shopCurrent = current.getOrDefault(shop, 0L);
            if (publishId < shopCurrent) {
                superseded += rows;
                toClean.put(shop, shopCurrent);
            }
            else if (publishId > shopCurrent) {
                if (publishId < cutOff) {
                    orphans += rows;
                    toClean.put(shop, shopCurrent);
                }
                else {
                    youngOrphans += rows;
                }
            }
        }
        int mutations = 0;
        for (Map<String, Long> chunk : chunks(toClean)) {
            admin.execute("ALTER TABLE " + table + " DELETE WHERE " + unreachable(chunk, cutOff));
            mutations++;
        }
        return new TableResult(table, superseded, orphans, youngOrphans, mutations);
    }

    /**
     * {@code shop_id IN (...) AND (publish_id < current OR (publish_id > current AND publish_id < cutOff))}, the
     * current id of each listed shop looked up by {@code transform} (one hash lookup per row).
     */
    static String unreachable(Map<String, Long> currentByShop, long cutOff) {
        String shops = currentByShop.keySet().stream().map(shop -> SqlLiterals.string(ShopId.of(shop).domain()))
                .collect(Collectors.joining(", "));
        String ids = currentByShop.values().stream().map(id -> "toUInt64(" + SqlLiterals.number(id) + ")")
                .collect(Collectors.joining(", "));
        String shopCurrent = "transform(shop_id, [" + shops + "], [" + ids + "], toUInt64(0))";
        return "shop_id IN (" + shops + ") AND (publish_id < " + shopCurrent + " OR (publish_id > " + shopCurrent
                + " AND publish_id < toUInt64(" + SqlLiterals.number(Math.max(0, cutOff)) + ")))";
    }

    private static List<Map<String, Long>> chunks(Map<String, Long> byShop) {
        List<Map<String, Long>> out = new ArrayList<>();
        Map<String, Long> chunk = new TreeMap<>();
        for (Map.Entry<String, Long> e : byShop.entrySet()) {
            chunk.put(e.getKey(), e.getValue());
            if (chunk.size() == SHOPS_PER_STATEMENT) {
                out.add(chunk);
                chunk = new TreeMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            out.add(chunk);
        }
        return out;
    }
}
