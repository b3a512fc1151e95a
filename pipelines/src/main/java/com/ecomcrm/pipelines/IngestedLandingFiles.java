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
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The record, in PostgreSQL ({@code ingested_landing_files}, migration V19), of the landing files whose rows are in
 * a lakehouse's silver tables, with each file's size and modification time as listed when it was read. The ingest
 * reads it to skip what is already in silver and writes it only after the silver commits.
 *
 * <p>Losing the record costs time, never correctness: a file not on record is read again, and reading a file twice
 * changes no silver row. So a PostgreSQL problem here never fails the night: reading the record fails over to
 * "nothing on record" (every file is read), and a failed write is logged (the next night reads the files again).
 */
final class IngestedLandingFiles {
    private static final Logger LOG = LoggerFactory.getLogger(IngestedLandingFiles.class);
    private static final int BATCH = 1_000;

    private final PipelineSettings settings;
    private final Clock clock;

    IngestedLandingFiles(PipelineSettings settings, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The files on record for this lakehouse, by relative path; empty when there are none or the record cannot be
     * read (then every file is read again, which is safe).
     */
    Map<String, LandingFile> recorded(String lakehouse) {
        requireNonNull(lakehouse, "lakehouse is null");
        Map<String, LandingFile> files = new HashMap<>();
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement("SELECT path, size_bytes, modified_ms"
                     + " FROM ingested_landing_files WHERE lakehouse = ?")) {
            select.setString(1, lakehouse);
            select.setFetchSize(10_000);
            connection.setAutoCommit(false); // so the fetch size streams the rows instead of loading them at once
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String path = rows.getString(1);
                    files.put(path, new LandingFile(path, path, rows.getLong(2), rows.getLong(3)));
                }
            }
            connection.commit();
            return files;
        }
        catch (SQLException e) {
            LOG.warn("Cannot read the record of ingested landing files ({}): reading every landing file",
                    e.getMessage());
            return Map.of();
        }
    }

    /**
     * Records {@code ingested} as read into this lakehouse's silver tables and forgets {@code gone} (files on record
     * that the landing no longer holds: a shop's erasure deletes its folders), in one transaction. Call it only after
     * the silver commits that hold the files' rows.
     */
    void record(String lakehouse, Collection<LandingFile> ingested, Collection<String> gone, Optional<Long> run) {
        requireNonNull(lakehouse, "lakehouse is null");
        requireNonNull(run, "run is null");
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO ingested_landing_files"
                    + " (lakehouse, path, size_bytes, modified_ms, run_id, ingested_at) VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (lakehouse, path) DO UPDATE SET size_bytes = EXCLUDED.size_bytes,"
                    + " modified_ms = EXCLUDED.modified_ms, run_id = EXCLUDED.run_id,"
                    + " ingested_at = EXCLUDED.ingested_at");
                 PreparedStatement forget = connection.prepareStatement("DELETE FROM ingested_landing_files"
                         + " WHERE lakehouse = ? AND path = ?")) {
                Timestamp now = Timestamp.from(clock.instant());
                int pending = 0;
                for (LandingFile file : ingested) {
                    upsert.setString(1, lakehouse);
                    upsert.setString(2, file.path());
                    upsert.setLong(3, file.sizeBytes());
                    upsert.setLong(4, file.modifiedMs());
                    if (run.isPresent()) {
                        upsert.setLong(5, run.get());
                    }
                    else {
                        upsert.setNull(5, Types.BIGINT);
                    }
                    upsert.setTimestamp(6, now);
                    upsert.addBatch();
                    if (++pending % BATCH == 0) {
                        upsert.executeBatch();
                    }
                }
                upsert.executeBatch();
                for (String path : gone) {
                    forget.setString(1, lakehouse);
                    forget.setString(2, path);
                    forget.addBatch();
                }
                forget.executeBatch();
                connection.commit();
            }
            catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
        catch (SQLException e) {
            LOG.warn("Cannot record {} ingested landing files ({}): the next ingest reads them again",
                    ingested.size(), e.getMessage());
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword());
    }
}
