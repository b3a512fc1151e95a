package com.ecomcrm.pipelines.compliance;

import com.ecomcrm.domain.ShopId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Processes every PENDING compliance request, the nearest deadline first: {@code customers/data_request} writes one
 * JSON file of everything held about the customer in every store and records it for the merchant to download;
 * {@code customers/redact} erases the customer from every store; {@code shop/redact} erases the shop. A request
 * either completes (DONE, its subject forgotten, an audit row with per-store counts and seconds) or stays PENDING
 * with one more attempt and the reason. Rerunning is safe: DONE requests are not touched again, and an erasure that
 * ran half-way finds less to erase the second time.
 */
public final class ComplianceJob {
    private static final Logger LOG = LoggerFactory.getLogger(ComplianceJob.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How one request ended. */
    public record Outcome(long requestId, String topic, ShopId shop, boolean done, Map<String, Map<String, Long>> counts,
                          double seconds, Optional<String> failure) {
        public String line() {
            return "COMPLIANCE request=" + requestId + " topic=" + topic + " shop=" + shop.domain() + " status="
                    + (done ? "DONE" : "RETRY") + " seconds=" + String.format(java.util.Locale.ROOT, "%.2f", seconds)
                    + " counts=" + counts + failure.map(f -> " reason=" + f).orElse("");
        }
    }

    private final ComplianceLedger ledger;
    private final List<CustomerDataStore> stores;
    private final LandingStore landing;
    private final Path exportRoot;
    private final Clock clock;

    ComplianceJob(ComplianceLedger ledger, PostgresStore postgres, LandingStore landing, IcebergStore iceberg,
                  ClickHouseStore clickHouse, Path exportRoot, Clock clock) {
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.landing = requireNonNull(landing, "landing is null");
        this.stores = List.of(requireNonNull(postgres, "postgres is null"), landing,
                requireNonNull(iceberg, "iceberg is null"), requireNonNull(clickHouse, "clickHouse is null"));
        this.exportRoot = requireNonNull(exportRoot, "exportRoot is null").toAbsolutePath().normalize();
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Processes the requests received before {@code receivedBefore} (the end of the run's logical date). */
    public List<Outcome> run(Instant receivedBefore) {
        Optional<AutoCloseable> lock = ledger.lock();
        if (lock.isEmpty()) {
            throw new IllegalStateException("Cannot process compliance requests: another compliance run is in progress");
        }
        try (AutoCloseable held = lock.get()) {
            return runLocked(receivedBefore);
        }
        catch (RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot release the compliance job's lock: " + e.getMessage(), e);
        }
    }

    private List<Outcome> runLocked(Instant receivedBefore) {
        List<Outcome> outcomes = new ArrayList<>();
        for (ComplianceRequest request : ledger.pending(receivedBefore)) {
            long started = System.nanoTime();
            try {
                Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
                Optional<ComplianceLedger.ExportFile> export = process(request, counts);
                double seconds = seconds(started);
                ledger.done(request, counts, seconds, clock.instant(), export);
                outcomes.add(new Outcome(request.id(), request.topic(), request.shop(), true, counts, seconds,
                        Optional.empty()));
            }
            catch (RuntimeException e) {
                String reason = withoutPersonalData(request, e.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.error("Compliance {} failed, left pending: {}", request.describe(), reason);
                double seconds = seconds(started);
                ledger.attemptFailed(request, reason, seconds, clock.instant());
                outcomes.add(new Outcome(request.id(), request.topic(), request.shop(), false, Map.of(), seconds,
                        Optional.of(reason)));
            }
        }
        return outcomes;
    }

    private Optional<ComplianceLedger.ExportFile> process(ComplianceRequest request,
                                                          Map<String, Map<String, Long>> counts) {
        if (request.isShopRedact()) {
            for (CustomerDataStore store : stores) {
                counts.put(store.name(), store.eraseShop(request.shop()));
            }
            counts.put("exports", Map.of("files", deleteExports(request.shop(), Optional.empty())));
            return Optional.empty();
        }
        CustomerMatch match = CustomerMatch.of(request);
        for (CustomerDataStore store : stores) {
            store.discoverOrders(match);
        }
        if (request.topic().equals(ComplianceRequest.DATA_REQUEST)) {
            ObjectNode document = JSON.createObjectNode();
            document.put("shop", request.shop().domain());
            request.customerId().ifPresent(id -> document.put("customer_id", id));
            request.shopifyRequestId().ifPresent(id -> document.put("shopify_request_id", id));
            document.put("requested_at", request.receivedAt().toString());
            document.put("exported_at", clock.instant().toString());
            ObjectNode data = document.putObject("stores");
            for (CustomerDataStore store : stores) {
                ObjectNode found = store.export(match);
                data.set(store.name(), found);
                Map<String, Long> storeCounts = new LinkedHashMap<>();
                found.fields().forEachRemaining(e -> storeCounts.put(e.getKey(), (long) e.getValue().size()));
                counts.put(store.name(), storeCounts);
            }
            return Optional.of(writeExport(request, document));
        }
        for (CustomerDataStore store : stores) {
            counts.put(store.name(), store.eraseCustomer(match));
            if (store == landing) {
                ledger.moveWatermarks(request.shop(), landing.lastRewritten());
            }
        }
        if (request.customerId().isPresent()) {
            counts.put("exports", Map.of("files", deleteExports(request.shop(), request.customerId())));
        }
        return Optional.empty();
    }

    private ComplianceLedger.ExportFile writeExport(ComplianceRequest request, ObjectNode document) {
        Path dir = exportRoot.resolve(request.shop().domain());
        String name = "customer-data-request-" + request.id() + ".json";
        Path file = dir.resolve(name);
        Path temporary = dir.resolve(name + ".inprogress");
        try {
            Files.createDirectories(dir);
            byte[] bytes = JSON.writeValueAsBytes(document);
            Files.write(temporary, bytes);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new ComplianceLedger.ExportFile(name, bytes.length);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the export of " + request.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The shop's (or one customer's) export files and their records: an export is personal data too. */
    private long deleteExports(ShopId shop, Optional<Long> customerId) {
        Path dir = exportRoot.resolve(shop.domain());
        long deleted = 0;
        for (String name : ledger.forgetExports(shop, customerId)) {
            try {
                if (Files.deleteIfExists(dir.resolve(name))) {
                    deleted++;
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot delete export file " + name + ": " + e.getMessage(), e);
            }
        }
        if (customerId.isEmpty() && Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path leftover : files.toList()) {
                    Files.delete(leftover);
                    deleted++;
                }
                Files.delete(dir);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the shop's export folder: " + e.getMessage(), e);
            }
        }
        return deleted;
    }

    /** An error message may quote a statement: the email never goes to the ledger or the log. */
    private static String withoutPersonalData(ComplianceRequest request, String message) {
        String out = message == null ? "" : message;
        if (request.email().isPresent()) {
            out = out.replaceAll("(?i)" + java.util.regex.Pattern.quote(request.email().get()), "<email>");
        }
        if (request.phone().isPresent()) {
            out = out.replace(request.phone().get(), "<phone>");
        }
        return out.length() > 1000 ? out.substring(0, 1000) : out;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
