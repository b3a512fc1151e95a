package com.ecomcrm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.schema.PostgresMigrator;
import com.ecomcrm.schema.PostgresTarget;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The SENT marks commit asynchronously for their own transaction only: the same pooled connection's next transaction
 * (a claim, which must be durable before any SMTP traffic) commits synchronously again. And each mark adds to the
 * shop's monthly counter once, test sends never.
 */
class SentMarksCommitTest {
    private static final ShopId SHOP = ShopId.of("marks.myshopify.com");

    private String schema;
    private PostgresTarget target;
    private HikariDataSource ds;
    private JdbcTemplate jdbc;

    @BeforeEach
    void setUp() {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "ECOMCRM_PG_URL is not set: PostgreSQL tests skipped");
        target = PostgresTarget.fromEnv();
        schema = "ecomcrm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresMigrator.migrate(target, schema);
        ds = Database.pool(target, schema, 1); // one connection: what the marks leave behind is what the next gets
        jdbc = new JdbcTemplate(ds);
    }

    @AfterEach
    void tearDown() {
        if (ds == null) {
            return;
        }
        ds.close();
        try (HikariDataSource admin = Database.pool(target, null, 1)) {
            new JdbcTemplate(admin).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void marksCommitWithoutWaitingForTheFlushAndTheConnectionsNextTransactionWaitsAgain() throws Exception {
        long first = claimedSend("a@example.com", false);
        long second = claimedSend("b@example.com", false);
        long test = claimedSend("owner@example.com", true);
        LocalDate month = LocalDate.of(2026, 11, 1);
        SentMarks marks = new SentMarks("w1");
        marks.add(new SentMarks.Mark(first, "<1@x>", Instant.parse("2026-11-30T10:00:00Z"), 1, 1, month));
        marks.add(new SentMarks.Mark(second, "<2@x>", Instant.parse("2026-11-30T10:00:01Z"), 1, 1, month));
        marks.add(new SentMarks.Mark(test, "<3@x>", Instant.parse("2026-11-30T10:00:02Z"), 1, 1, month));

        try (Connection c = ds.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
            try (PreparedStatement p = c.prepareStatement(SentMarks.ASYNC_COMMIT + ";\nSELECT "
                    + "current_setting('synchronous_commit')")) {
                p.execute();
                assertThat(p.getMoreResults()).isTrue();
                try (ResultSet rs = p.getResultSet()) {
                    rs.next();
                    assertThat(rs.getString(1)).as("inside the marks' transaction").isEqualTo("off");
                }
            }
            marks.flush(c);
            assertThat(marks.isEmpty()).isTrue();
            try (PreparedStatement p = c.prepareStatement("SELECT current_setting('synchronous_commit')");
                 ResultSet rs = p.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).as("the same connection afterwards").isEqualTo("on");
            }
        }
        assertThat(jdbc.queryForList("SELECT status FROM sends ORDER BY id", String.class))
                .containsExactly("SENT", "SENT", "SENT");
        assertThat(jdbc.queryForObject("SELECT sent FROM shop_monthly_sends WHERE shop_domain = ? AND month = ?",
                Long.class, SHOP.domain(), java.sql.Date.valueOf(month))).isEqualTo(2);

        // Marking the same sends again (a retried flush) finds them SENT already and counts nothing more.
        marks.add(new SentMarks.Mark(first, "<1@x>", Instant.parse("2026-11-30T10:00:00Z"), 1, 1, month));
        try (Connection c = ds.getConnection()) {
            marks.flush(c);
        }
        assertThat(jdbc.queryForObject("SELECT sent FROM shop_monthly_sends WHERE shop_domain = ?", Long.class,
                SHOP.domain())).isEqualTo(2);
    }

    @Test
    void theQuotaMonthIsTheCalendarMonthInTheShopsTimeZone() {
        Instant lateOnTheLastDay = Instant.parse("2026-04-01T03:00:00Z");
        assertThat(SendingRules.quotaMonth(lateOnTheLastDay, java.time.ZoneId.of("America/New_York")))
                .isEqualTo(LocalDate.of(2026, 3, 1));
        assertThat(SendingRules.quotaMonth(lateOnTheLastDay, ZoneOffset.UTC)).isEqualTo(LocalDate.of(2026, 4, 1));
    }

    private long claimedSend(String email, boolean test) {
        return jdbc.queryForObject("INSERT INTO sends (shop_domain, email, trigger_key, idempotency_key, due_at, "
                + "merge_data, status, claimed_by, claimed_until, is_test) VALUES (?, ?, 't', ?, now(), '{}'::jsonb, "
                + "'SENDING', 'w1', now() + interval '10 minutes', ?) RETURNING id", Long.class, SHOP.domain(), email,
                SHOP.domain() + "|" + email, test);
    }
}
