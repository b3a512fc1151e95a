package com.ecomcrm.api.groupcommit;

import com.ecomcrm.domain.ShopId;
import com.ecomcrm.landing.LandingEnvelope;
import com.ecomcrm.schema.PostgresTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The group-commit mechanism on the real PostgreSQL (a throwaway schema holding one table of items, which refuses an
 * item named "poison"), with a landing that records what it was given and can hold a batch in flight: how batches
 * are cut (size, time, order), what a failing batch answers, how close drains, and many submitters at once.
 */
class GroupCommitTest {
    private static final ShopId SHOP = ShopId.of("group-commit.myshopify.com");

    private PostgresTarget target;
    private String schema;
    private Vertx vertx;
    private Pool pool;
    /** Ids handed to the landing, in the order landed. */
    private final List<String> landed = Collections.synchronizedList(new ArrayList<>());
    /** Items of each batch as record saw them. */
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    /** A batch holding an item whose name starts with "slow" waits here, in its landing, until released. */
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final AtomicInteger recording = new AtomicInteger();
    private final AtomicInteger mostRecordingAtOnce = new AtomicInteger();

    @BeforeEach
    void freshSchema() throws Exception {
        assumeTrue(System.getenv("ECOMCRM_PG_URL") != null, "needs the local servers (make test starts them)");
        target = PostgresTarget.fromEnv();
        schema = "group_commit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
                .toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
            statement.execute("CREATE TABLE " + schema + ".items (id text PRIMARY KEY CHECK (id <> 'poison'))");
        }
        vertx = Vertx.vertx();
        URI url = URI.create(target.url().substring("jdbc:".length()));
        pool = GroupCommit.connections(vertx, new PgConnectOptions().setHost(url.getHost()).setPort(url.getPort())
                .setDatabase(url.getPath().substring(1)).setUser(target.user()).setPassword(target.password())
                .addProperty("search_path", schema));
    }

    @AfterEach
    void dropSchema() throws Exception {
        gate.complete(null);
        if (vertx != null) {
            vertx.close().await();
        }
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void itemsArrivingWhileABatchIsInFlightGoInBatchesOfAtMostMaxBatchInArrivalOrder() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(3, 1));

        List<Future<String>> answers = new ArrayList<>();
        answers.add(commit.submit("slow-0"));
        for (int i = 1; i <= 7; i++) {
            answers.add(commit.submit("item-" + i));
        }
        gate.complete(null);

        assertThat(answers).extracting(answer -> answer.await()).containsExactly("slow-0 recorded", "item-1 recorded",
                "item-2 recorded", "item-3 recorded", "item-4 recorded", "item-5 recorded", "item-6 recorded",
                "item-7 recorded");
        assertThat(batches).containsExactly(List.of("slow-0"), List.of("item-1", "item-2", "item-3"),
                List.of("item-4", "item-5", "item-6"), List.of("item-7"));
        assertThat(landed).containsExactly("slow-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6",
                "item-7");
        assertThat(storedItems()).hasSize(8);
    }

    @Test
    void withoutLoadAnItemGoesAloneAtOnce() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(100, 2));

        assertThat(commit.submit("first").await()).isEqualTo("first recorded");
        assertThat(commit.submit("second").await()).isEqualTo("second recorded");

        assertThat(batches).containsExactly(List.of("first"), List.of("second"));
    }

    @Test
    void anItemWaitsForCompanyAtMostMaxWait() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(100, 1, Duration.ofMillis(300)));

        long start = System.nanoTime();
        List<Future<String>> answers = List.of(commit.submit("a"), commit.submit("b"), commit.submit("c"));
        answers.forEach(answer -> answer.await());
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(batches).containsExactly(List.of("a", "b", "c"));
        assertThat(waitedMillis).isGreaterThanOrEqualTo(290);
    }

    @Test
    void aFullBatchGoesWithoutWaitingForTheTimer() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(3, 1, Duration.ofMinutes(5)));

        List<Future<String>> answers = List.of(commit.submit("a"), commit.submit("b"), commit.submit("c"));

        assertThat(answers).extracting(answer -> answer.toCompletionStage().toCompletableFuture()
                .orTimeout(30, TimeUnit.SECONDS).join()).containsExactly("a recorded", "b recorded", "c recorded");
        assertThat(batches).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void aBatchPostgresRefusesAnswersEachOfItsItemsWithTheFailureAndCommitsAndLandsNothingOfIt() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(10, 1));

        Future<String> alone = commit.submit("slow-alone");
        List<Future<String>> failing = List.of(commit.submit("before"), commit.submit("poison"),
                commit.submit("after"));
        gate.complete(null);
        assertThat(alone.await()).isEqualTo("slow-alone recorded");
        for (Future<String> answer : failing) {
            Throwable failure = answer.transform(Future::succeededFuture).await().cause();
            assertThat(failure).isNotNull();
            assertThat(failure.getMessage()).contains("items_id_check");
        }
        String next = commit.submit("next").await();

        assertThat(next).isEqualTo("next recorded");
        assertThat(storedItems()).containsExactlyInAnyOrder("slow-alone", "next");
        assertThat(landed).containsExactly("slow-alone", "next");
    }

    @Test
    void aBatchThatCannotLandAnswersEachOfItsItemsWithTheFailureAndCommitsNothing() {
        GroupCommit<String, String> commit = new GroupCommit<>("items", vertx, pool, lines -> {
            throw new IllegalStateException("disk full");
        }, new Items(), new GroupCommitSettings(10, 1));

        List<Future<String>> answers = List.of(commit.submit("a"), commit.submit("b"));

        for (Future<String> answer : answers) {
            assertThat(answer.transform(Future::succeededFuture).await().cause()).hasMessage("disk full");
        }
        assertThat(storedItems()).isEmpty();
    }

    @Test
    void anItemSubmittedAloneGoesAtOnceBesideTheBatchesInFlight() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(10, 1));

        Future<String> held = commit.submit("slow-held");
        Future<String> waiting = commit.submit("waiting");
        String alone = commit.submitAlone("alone").await();

        assertThat(alone).isEqualTo("alone recorded");
        assertThat(held.isComplete()).isFalse();
        assertThat(waiting.isComplete()).isFalse();
        gate.complete(null);
        assertThat(held.await()).isEqualTo("slow-held recorded");
        assertThat(waiting.await()).isEqualTo("waiting recorded");
        // The lone item may even reach PostgreSQL before the held batch; the waiting one only goes after it.
        assertThat(batches).containsExactlyInAnyOrder(List.of("slow-held"), List.of("alone"), List.of("waiting"));
        assertThat(batches.indexOf(List.of("waiting"))).isGreaterThan(batches.indexOf(List.of("slow-held")));
    }

    @Test
    void closeRecordsTheItemsStillWaitingWithoutWaitingForCompanyAndRefusesNewOnes() {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(2, 1, Duration.ofMinutes(5)));
        List<Future<String>> answers = new ArrayList<>();
        answers.add(commit.submit("slow-first"));
        for (int i = 1; i <= 4; i++) {
            answers.add(commit.submit("pending-" + i));
        }

        Future<Void> closed = commit.close();
        Throwable refused = commit.submit("too-late").transform(Future::succeededFuture).await().cause();
        boolean closedWhileHeld = closed.isComplete();
        gate.complete(null);
        closed.toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();

        assertThat(closedWhileHeld).isFalse();
        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot record item too-late: the items intake is closing");
        assertThat(answers).extracting(answer -> answer.await()).containsExactly("slow-first recorded",
                "pending-1 recorded", "pending-2 recorded", "pending-3 recorded", "pending-4 recorded");
        // Full batches went as soon as a slot was free; the last, short one went at close, not five minutes later.
        assertThat(batches).containsExactly(List.of("slow-first", "pending-1"), List.of("pending-2", "pending-3"),
                List.of("pending-4"));
        assertThat(storedItems()).doesNotContain("too-late").hasSize(5);
    }

    @Test
    void manySubmittersAtOnceEachGetTheirOwnResultOnceAndNoBoundIsExceeded() throws Exception {
        GroupCommit<String, String> commit = groupCommit(new GroupCommitSettings(16, 2));
        int threads = 8;
        int perThread = 250;
        ExecutorService submitters = Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<List<Future<String>>>> submitted = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            submitted.add(submitters.submit(() -> {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    answers.add(commit.submit("t" + thread + "-" + i));
                }
                return answers;
            }));
        }
        List<String> expected = new ArrayList<>();
        List<String> answered = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Future<String>> answers = submitted.get(t).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < perThread; i++) {
                expected.add("t" + t + "-" + i + " recorded");
                answered.add(answers.get(i).await());
            }
        }
        submitters.shutdown();

        assertThat(answered).containsExactlyElementsOf(expected);
        assertThat(storedItems()).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(landed).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 16));
        assertThat(mostRecordingAtOnce.get()).isBetween(1, 2);
        // Batches are cut in arrival order: inside each, a submitter's items keep the order it submitted them in (two
        // batches in flight may reach PostgreSQL in either order).
        synchronized (batches) {
            for (List<String> batch : batches) {
                for (int t = 0; t < threads; t++) {
                    String prefix = "t" + t + "-";
                    assertThat(batch.stream().filter(item -> item.startsWith(prefix)).toList())
                            .isSortedAccordingTo((x, y) -> Integer.compare(number(x), number(y)));
                }
            }
        }
    }

    private static int number(String item) {
        return Integer.parseInt(item.substring(item.indexOf('-') + 1));
    }

    private GroupCommit<String, String> groupCommit(GroupCommitSettings settings) {
        return new GroupCommit<>("items", vertx, pool, lines -> {
            if (lines.stream().anyMatch(line -> line.deliveryId().startsWith("slow"))) {
                gate.join();
            }
            lines.forEach(line -> landed.add(line.deliveryId()));
        }, new Items(), settings);
    }

    /** Inserts a batch's items in one statement; each is answered "&lt;item&gt; recorded". */
    private final class Items implements BatchWork<String, String> {
        @Override
        public Future<Recorded<String>> record(SqlConnection transaction, List<String> items) {
            int now = recording.incrementAndGet();
            mostRecordingAtOnce.accumulateAndGet(now, Math::max);
            batches.add(List.copyOf(items));
            return transaction.preparedQuery("INSERT INTO items (id) SELECT unnest($1::text[])")
                    .execute(Tuple.of(items.toArray(new String[0])))
                    .map(inserted -> new Recorded<>(items.stream().map(item -> item + " recorded").toList(),
                            items.stream().map(item -> LandingEnvelope.tracking(SHOP, "email/open", item,
                                    Instant.now(), "{}")).toList()))
                    .onFailure(failure -> recording.decrementAndGet());
        }

        @Override
        public Future<Void> afterCommit(List<String> items, List<String> results) {
            recording.decrementAndGet();
            return Future.succeededFuture();
        }

        @Override
        public String describe(String item) {
            return "item " + item;
        }
    }

    private List<String> storedItems() {
        List<String> ids = new ArrayList<>();
        for (Row row : pool.query("SELECT id FROM items").execute().await()) {
            ids.add(row.getString("id"));
        }
        return ids;
    }
}
