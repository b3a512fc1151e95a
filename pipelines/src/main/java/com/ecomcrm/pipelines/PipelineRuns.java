package com.ecomcrm.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The record of each nightly run in PostgreSQL ({@code pipeline_runs}): when it ran, for which logical date, which
 * stages, how long each took with its counts, and how it ended. It is what an on-call operator reads first. The
 * detail names the lakehouse (Iceberg catalog) the run wrote, since several lakehouses may share one database (a
 * staging copy, a test's). Keeping the record must never fail the night itself: a PostgreSQL problem here is logged
 * and the run goes on.
 */
final class PipelineRuns {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRuns.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PipelineSettings settings;
    private final Lakehouse lakehouse;
    private final Clock clock;

    PipelineRuns(PipelineSettings settings, Lakehouse lakehouse, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.lakehouse = requireNonNull(lakehouse, "lakehouse is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Records a run as RUNNING; empty when the record could not be written. */
    Optional<Long> started(LocalDate date, Collection<String> stages) {
        ObjectNode detail = JSON.createObjectNode().put("lakehouse", lakehouse.catalog());
        stages.forEach(detail.putArray("stages_requested")::add);
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO pipeline_runs "
                     + "(as_of_date, started_at, status, detail) VALUES (?, ?, 'RUNNING', ?::jsonb) RETURNING id")) {
            insert.setObject(1, date);
            insert.setTimestamp(2, Timestamp.from(clock.instant()));
            insert.setString(3, detail.toString());
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return Optional.of(row.getLong(1));
            }
        }
        catch (SQLException e) {
            LOG.warn("Cannot record the start of the run for {} in pipeline_runs: {}", date, e.getMessage());
            return Optional.empty();
        }
    }

    /** Records how the run ended: SUCCEEDED or FAILED, every stage's seconds, outcome and counts, and the error. */
    void finished(Optional<Long> run, Collection<String> stages, List<NightlyPipeline.StageTiming> timings,
                  Optional<String> error) {
        if (run.isEmpty()) {
            return;
        }
        ObjectNode detail = JSON.createObjectNode().put("lakehouse", lakehouse.catalog());
        stages.forEach(detail.putArray("stages_requested")::add);
        ArrayNode done = detail.putArray("stages");
        for (NightlyPipeline.StageTiming timing : timings) {
            ObjectNode stage = done.addObject()
                    .put("stage", timing.stage())
                    .put("seconds", timing.took().toMillis() / 1000.0)
                    .put("outcome", timing.outcome());
            stage.set("metrics", JSON.valueToTree(timing.metrics()));
        }
        error.ifPresent(message -> detail.put("error", message));
        try (Connection connection = connect();
             PreparedStatement update = connection.prepareStatement("UPDATE pipeline_runs SET finished_at = ?, "
                     + "status = ?, detail = ?::jsonb WHERE id = ?")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setString(2, error.isPresent() ? "FAILED" : "SUCCEEDED");
            update.setString(3, detail.toString());
            update.setLong(4, run.get());
            update.executeUpdate();
        }
        catch (SQLException e) {
            LOG.warn("Cannot record the end of run {} in pipeline_runs: {}", run.get(), e.getMessage());
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), settings.pgPassword());
    }
}
