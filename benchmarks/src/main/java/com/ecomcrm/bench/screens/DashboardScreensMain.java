package com.ecomcrm.bench.screens;

import com.ecomcrm.api.ApiMain;
import com.ecomcrm.api.config.ApiConfig;
import com.ecomcrm.bench.StageResult;
import com.ecomcrm.clickhouse.ClickHouseGateway;
import com.ecomcrm.clickhouse.ClickHouseSettings;
import com.ecomcrm.schema.PostgresTarget;
import com.ecomcrm.testing.session.SessionTokens;
import com.ecomcrm.testing.shopify.SimulatedShops;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard screens stage on its own, for working on the API's speed without re-running the whole benchmark:
 * {@code bin/run benchmarks com.ecomcrm.bench.screens.DashboardScreensMain --clone-from ecomcrm_bench --shops 2}.
 * It copies a finished benchmark's databases (PostgreSQL by template, ClickHouse table by table) into its own,
 * {@code ecomcrm_screens} (never the benchmark's, which the next {@code bin/bench} drops), starts the API in process
 * on them and runs {@link DashboardScreens}. Without {@code --clone-from} it reuses the copy made before.
 */
public final class DashboardScreensMain {
    private static final String DEFAULT_DATABASE = "ecomcrm_screens";
    private static final String CLIENT_ID = "screens-client-id";
    private static final String SECRET = "screens-client-secret";

    private DashboardScreensMain() {
    }

    public static void main(String[] args) throws Exception {
        String cloneFrom = null;
        String database = DEFAULT_DATABASE;
        List<String> screens = ScreenPlans.SCREENS;
        int shops = 2;
        int clients = 20;
        int loads = 50;
        int oneMerchantRounds = -1; // default: as many loads as one of the clients makes
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clone-from" -> cloneFrom = args[++i];
                case "--shops" -> shops = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--loads" -> loads = Integer.parseInt(args[++i]);
                case "--database" -> database = args[++i];
                case "--screens" -> screens = List.of(args[++i].split(","));
                case "--one-merchant-rounds" -> oneMerchantRounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: DashboardScreensMain [--clone-from DB] [--database OWN_DB] [--shops N]"
                            + " [--clients N] [--loads PER_CLIENT] [--screens 'Home,Customer,...'] [--one-merchant-rounds N (0: none)]");
                    System.exit(2);
                }
            }
        }
        if (!database.matches("[a-z_][a-z0-9_]*") || database.startsWith("ecomcrm_bench")) {
            throw new IllegalArgumentException("Cannot use database '" + database + "': not a name of this runner's own");
        }
        PostgresTarget main = PostgresTarget.fromEnv();
        String pgUrl = main.url().replaceFirst("/[^/?]+(\\?.*)?$", "/" + database + "$1");
        ClickHouseSettings clickHouseSettings = ClickHouseSettings.fromEnvironment().withDatabase(database);
        if (cloneFrom != null) {
            clone(main, cloneFrom, database);
        }
        onEveryFeature(pgUrl, main, SimulatedShops.domains(shops));
        Path work = Files.createDirectories(Path.of("var/screens", database));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ECOMCRM_PG_URL", pgUrl);
        env.put("ECOMCRM_CH_DATABASE", database);
        env.put("ECOMCRM_LANDING_DIR", Files.createDirectories(work.resolve("landing")).toAbsolutePath().toString());
        env.put("ECOMCRM_WAREHOUSE_DIR", Files.createDirectories(work.resolve("warehouse")).toAbsolutePath().toString());
        env.put("ECOMCRM_API_PORT", "0");
        env.put("ECOMCRM_INITIAL_SYNC", "manual");
        env.put("SHOPIFY_API_KEY", CLIENT_ID);
        env.put("SHOPIFY_API_SECRET", SECRET);

        Vertx vertx = Vertx.vertx();
        ApiMain.Application api = ApiMain.Application.start(vertx, ApiConfig.from(env), clickHouseSettings,
                Clock.systemUTC()).await();
        try {
            URI apiUrl = URI.create("http://127.0.0.1:" + api.server().actualPort());
            String measured = database;
            ScreensCpu[] before = new ScreensCpu[1];
            String[] loadBefore = new String[1];
            DashboardScreens dashboard = new DashboardScreens(SimulatedShops.domains(shops), clients, loads,
                    ScreenBudget.DASHBOARD, LocalDate.now(Clock.systemUTC()), screens);
            DashboardScreens.Results results = dashboard
                    .run(apiUrl, new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC()), () -> {
                        before[0] = ScreensCpu.now(main.url(), main.user(), main.password(), measured);
                        loadBefore[0] = loadAverage();
                    });
            ScreensCpu after = ScreensCpu.now(main.url(), main.user(), main.password(), measured);
            System.out.println("load average at start " + loadBefore[0] + ", at end " + loadAverage());
            System.out.println(after.perLoad(before[0], results.stages().get(0).rows())
                    + " (clickhouse: the whole server, other users' queries included)");
            System.out.println("| row | loads | p50 ms | p95 ms | p99 ms | details |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | --- |");
            for (StageResult s : results.stages()) {
                System.out.println(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %s |", s.name(),
                        s.rows(), s.latency().p50Ms(), s.latency().p95Ms(), s.latency().p99Ms(), s.details()));
            }
            results.notes().forEach(n -> System.out.println("- " + n));
            int rounds = oneMerchantRounds >= 0 ? oneMerchantRounds : Math.max(3, loads / screens.size());
            if (rounds > 0) {
                ScreensCpu alone = ScreensCpu.now(main.url(), main.user(), main.password(), measured);
                DashboardScreens.Results oneMerchant = dashboard.runOneMerchant(apiUrl,
                        new SessionTokens(CLIENT_ID, SECRET, Clock.systemUTC()), rounds);
                System.out.println("one merchant: " + ScreensCpu.now(main.url(), main.user(), main.password(), measured)
                        .perLoad(alone, oneMerchant.stages().get(0).rows()) + " (warm-up round and sampling included;"
                        + " load average " + loadAverage() + ")");
                for (StageResult s : oneMerchant.stages()) {
                    System.out.println(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %s |", s.name(),
                            s.rows(), s.latency().p50Ms(), s.latency().p95Ms(), s.latency().p99Ms(), s.details()));
                }
                oneMerchant.notes().forEach(n -> System.out.println("- " + n));
            }
        }
        finally {
            api.close().await();
            vertx.close().await();
        }
        System.exit(0);
    }

    /** A fresh copy of a finished benchmark's PostgreSQL and ClickHouse databases under this runner's own name. */
    /**
     * Every screen is measured, so every measured shop is on the plan that includes every feature (the API's
     * PlanGate refuses the others with 403); a bulk-imported bench shop may have no {@code shops} row at all.
     */
    private static void onEveryFeature(String pgUrl, PostgresTarget main, List<com.ecomcrm.domain.ShopId> shops)
            throws java.sql.SQLException {
        try (Connection connection = DriverManager.getConnection(pgUrl, main.user(), main.password());
             java.sql.PreparedStatement upsert = connection.prepareStatement("INSERT INTO shops (shop_domain, plan)"
                     + " VALUES (?, 'pro') ON CONFLICT (shop_domain) DO UPDATE SET plan = 'pro'")) {
            for (com.ecomcrm.domain.ShopId shop : shops) {
                upsert.setString(1, shop.domain());
                upsert.executeUpdate();
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void clone(PostgresTarget main, String source, String database) throws Exception {
        if (!source.matches("[a-z_][a-z0-9_]*") || source.equals(database)) {
            throw new IllegalArgumentException("Cannot clone from '" + source + "': not a database name");
        }
        try (Connection connection = DriverManager.getConnection(main.url(), main.user(), main.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + database + " TEMPLATE " + source);
        }

        try (ClickHouseGateway admin = ClickHouseGateway.connect(ClickHouseSettings.fromEnvironment())) {
            admin.admin().execute("DROP DATABASE IF EXISTS " + database);
            admin.admin().execute("CREATE DATABASE " + database);
            List<String> tables = admin.admin().query("SELECT name FROM system.tables WHERE database = '" + source
                    + "' AND engine NOT LIKE '%View'").stream().map(row -> row.get("name").asText()).toList();
            for (String table : tables) {
                admin.admin().execute("CREATE TABLE " + database + "." + table + " AS " + source + "." + table);
                admin.admin().execute("INSERT INTO " + database + "." + table + " SELECT * FROM " + source + "."
                        + table);
            }
            // Views last, once their tables hold the copied rows (a materialized view created before would feed its
            // target a second time). `CREATE TABLE x AS <a materialized view>` crashes ClickHouse 18.16 (segfault),
            // so each view is created again from its own definition, renamed into the copy.
            List<String> views = admin.admin().query("SELECT create_table_query FROM system.tables WHERE database = '"
                    + source + "' AND engine LIKE '%View'").stream()
                    .map(row -> row.get("create_table_query").asText()).toList();
            for (String view : views) {
                admin.admin().execute(view.replace(" " + source + ".", " " + database + "."));
            }
        }
    }
}
