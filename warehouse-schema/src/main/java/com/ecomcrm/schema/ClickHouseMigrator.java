package com.ecomcrm.schema;

import static java.util.Objects.requireNonNull;

import com.ecomcrm.domain.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered ClickHouse migrations ({@code db/clickhouse/index.txt}) to one database, forward only.
 *
 * <p>The database is created if missing. The ledger table {@code schema_migrations} (version, name, checksum,
 * applied_at) records each migration after all its statements succeeded, so a migration that failed half-way is
 * re-run from its first statement next time (which is why every statement is {@code IF NOT EXISTS}-style). Before
 * applying anything the ledger is checked against the files: an applied migration whose SHA-256 or file name
 * changed, or a missing version below one already applied, stops the run with a {@link MigrationException} naming the
 * file. Versions in the ledger that this build does not know (a newer build migrated the database) are logged and
 * left alone. Running it again applies nothing. Two migrators must not run on the same database at the same time.
 */
public final class ClickHouseMigrator {
    /** The ledger table: the one table in the database not ordered by {@code shop_id}. */
    public static final String LEDGER_TABLE = "schema_migrations";

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseMigrator.class);

    private final ClickHouseHttp http;
    private final List<ClickHouseMigration> migrations;

    /** The migrations shipped in this module, applied to {@code target.database()}. */
    public ClickHouseMigrator(ClickHouseTarget target) {
        this(target, ClickHouseMigration.fromClasspath());
    }

    /** Given migrations (tests), applied to {@code target.database()}; versions must be strictly increasing. */
    public ClickHouseMigrator(ClickHouseTarget target, List<ClickHouseMigration> migrations) {
        this.http = new ClickHouseHttp(requireNonNull(target, "target is null"));
        ClickHouseMigration.checkOrder(migrations);
        this.migrations = List.copyOf(migrations);
    }

    /** An entry of the ledger. {@code appliedAt} is ClickHouse's text form of the DateTime (server time zone). */
    public record AppliedMigration(int version, String name, String checksum, String appliedAt) {
    }

    /**
     * Creates the database and the ledger if missing, verifies the applied migrations, applies the pending ones in
     * order.
     *
     * @return the versions applied by this call, in order; empty when the database was up to date
     * @throws MigrationException if an applied migration changed, or a statement failed (nothing after it is applied)
     */
    public List<Integer> migrate() {
        String database = http.target().database();
        http.executeOnServer("CREATE DATABASE IF NOT EXISTS `" + database + "`");
        http.execute("CREATE TABLE IF NOT EXISTS " + LEDGER_TABLE + " (version UInt32, name String, checksum String, "
                + "applied_at DateTime) ENGINE = MergeTree ORDER BY version");

        Map<Integer, AppliedMigration> applied = new LinkedHashMap<>();
        for (AppliedMigration entry : applied()) {
            applied.putIfAbsent(entry.version(), entry);
        }
        List<ClickHouseMigration> pending = verify(database, applied);

        List<Integer> done = new ArrayList<>();
        for (ClickHouseMigration migration : pending) {
            LOG.info("ClickHouse {}: applying {}", database, migration.fileName());
            for (String statement : migration.statements()) {
                try {
                    http.execute(statement);
                }
                catch (MigrationException e) {
                    throw new MigrationException(e.code(), "ClickHouse migration " + migration.fileName()
                            + " failed in database " + database + ": " + e.getMessage(), e);
                }
            }
            http.execute("INSERT INTO " + LEDGER_TABLE + " (version, name, checksum, applied_at) SELECT "
                    + migration.version() + ", " + ClickHouseHttp.literal(migration.fileName()) + ", "
                    + ClickHouseHttp.literal(migration.checksum()) + ", now()");
            done.add(migration.version());
        }
        if (done.isEmpty()) {
            LOG.info("ClickHouse {}: up to date ({} migrations applied before)", database, applied.size());
        }
        return List.copyOf(done);
    }

    /** The ledger, by version. The ledger table must exist: it does once {@link #migrate} ran. */
    public List<AppliedMigration> applied() {
        List<AppliedMigration> entries = new ArrayList<>();
        for (JsonNode row : http.query("SELECT version, name, checksum, toString(applied_at) AS applied_at FROM "
                + LEDGER_TABLE + " ORDER BY version, applied_at")) {
            entries.add(new AppliedMigration(row.get("version").asInt(), row.get("name").asText(),
                    row.get("checksum").asText(), row.get("applied_at").asText()));
        }
        return entries;
    }

    /** The migrations this migrator applies, in order. */
    public List<ClickHouseMigration> migrations() {
        return migrations;
    }

    private List<ClickHouseMigration> verify(String database, Map<Integer, AppliedMigration> applied) {
        int maxApplied = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<ClickHouseMigration> pending = new ArrayList<>();
        for (ClickHouseMigration migration : migrations) {
            AppliedMigration entry = applied.get(migration.version());
            if (entry == null) {
                if (migration.version() < maxApplied) {
                    throw new MigrationException(ErrorCode.INTERNAL, "ClickHouse migration " + migration.fileName()
                            + " is not applied in database " + database + " but a later version (V" + maxApplied
                            + ") is; refusing to apply out of order");
                }
                pending.add(migration);
            }
            else if (!entry.name().equals(migration.fileName())) {
                throw new MigrationException(ErrorCode.INTERNAL, "ClickHouse migration " + migration.fileName()
                        + ": version " + migration.version() + " was applied in database " + database + " as "
                        + entry.name() + "; applied migrations must not be renamed");
            }
            else if (!entry.checksum().equals(migration.checksum())) {
                throw new MigrationException(ErrorCode.INTERNAL, "ClickHouse migration " + migration.fileName()
                        + " changed after it was applied in database " + database + " (applied sha256 "
                        + entry.checksum() + ", file sha256 " + migration.checksum()
                        + "); migrations are forward-only: restore the file and add a new version instead");
            }
        }
        for (AppliedMigration entry : applied.values()) {
            boolean known = migrations.stream().anyMatch(m -> m.version() == entry.version());
            if (!known) {
                LOG.warn("ClickHouse {}: migration {} (V{}) is applied but unknown to this build; leaving it",
                        database, entry.name(), entry.version());
            }
        }
        return pending;
    }
}
