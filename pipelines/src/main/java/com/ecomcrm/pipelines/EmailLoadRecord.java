package com.ecomcrm.pipelines;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The record, in PostgreSQL ({@code email_lakehouse_loads}, migration V20), of the last load of the email engine's
 * sends and events into each silver table: which table (its Iceberg UUID), its snapshot right after the load, and
 * when the load's read started by PostgreSQL's clock.
 *
 * <p>Losing the record costs time, never correctness: a table with nothing on record is read whole. So a PostgreSQL
 * problem here never fails the night: a failed read is "nothing on record" and a failed write is logged.
 */
final class EmailLoadRecord {
    private static final Logger LOG = LoggerFactory.getLogger(EmailLoadRecord.class);

    /** One table's last load. */
    record Mark(String tableUuid, long snapshotId, Instant readFrom) {
        Mark {
            requireNonNull(tableUuid, "tableUuid is null");
            requireNonNull(readFrom, "readFrom is null");
        }
    }

    private final PipelineSettings settings;
    private final Clock clock;

    EmailLoadRecord(PipelineSettings settings, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The last load of {@code table} on record; empty when there is none or the record cannot be read. */
    Optional<Mark> last(String table) {
        requireNonNull(table, "table is null");
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement("SELECT table_uuid, snapshot_id, read_from"
                     + " FROM email_lakehouse_loads WHERE lakehouse_table = ?")) {
            select.setString(1, table);
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? Optional.of(new Mark(row.getString(1), row.getLong(2), row.getTimestamp(3).toInstant()))
                        : Optional.empty();
            }
        }
        catch (SQLException e) {
            LOG.warn("Cannot read the last load of {} ({}): reading it whole", table, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * PostgreSQL's clock now: taken before a read, it bounds what the read saw by the same clock that stamps
     * {@code updated_at} and {@code recorded_at} (this JVM's clock may differ).
     */
    Instant databaseNow() {
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement("SELECT clock_timestamp()");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read PostgreSQL's clock: " + e.getMessage(), e);
        }
    }

    /** Records the load of {@code table}; call it only after the table's commit. */
    void record(String table, Mark mark, Optional<Long> run) {
        requireNonNull(table, "table is null");
        requireNonNull(mark, "mark is null");
        requireNonNull(run, "run is null");
        try (Connection connection = connect();
             PreparedStatement upsert = connection.prepareStatement("INSERT INTO email_lakehouse_loads"
                     + " (lakehouse_table, table_uuid, snapshot_id, read_from, run_id, loaded_at)"
                     + " VALUES (?, ?, ?, ?, ?, ?)"
                     + " ON CONFLICT (lakehouse_table) DO UPDATE SET table_uuid = EXCLUDED.table_uuid,"
                     + " snapshot_id = EXCLUDED.snapshot_id, read_from = EXCLUDED.read_from,"
                     + " run_id = EXCLUDED.run_id, loaded_at = EXCLUDED.loaded_at")) {
            upsert.setString(1, table);
            upsert.setString(2, mark.tableUuid());
            upsert.setLong(3, mark.snapshotId());
            upsert.setTimestamp(4, Timestamp.from(mark.readFrom()));
            if (run.isPresent()) {
                upsert.setLong(5, run.get());
            }
            else {
                upsert.setNull(5, Types.BIGINT);
            }
            upsert.setTimestamp(6, Timestamp.from(clock.instant()));
            upsert.executeUpdate();
        }
        catch (SQLException e) {
            LOG.warn("Cannot record the load of {} ({}): the next load reads it whole", table, e.getMessage());
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword());
    }
}
