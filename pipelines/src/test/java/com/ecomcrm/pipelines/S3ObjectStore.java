package com.ecomcrm.pipelines;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A real S3-compatible object store for tests: moto's server, started by the project's own {@code bin/object-store
 * serve} (pinned from PyPI in a venv under {@code var/}, created on first use) on a free loopback port, with one
 * fresh bucket. Iceberg reaches it through {@code S3FileIO} path-style, exactly as it reaches a cloud bucket with an
 * endpoint override; the test reads the bucket back through the AWS SDK (iceberg-aws-bundle), never through Iceberg,
 * so "the file is gone" means gone from the store.
 *
 * <p>The store keeps objects in memory: stopping it ({@link #close()}) leaves nothing behind.
 */
public final class S3ObjectStore implements AutoCloseable {
    /** moto accepts any key pair; the client still signs every request with it (SigV4), as against AWS. */
    static final String ACCESS_KEY = "ecomcrm-test";
    static final String SECRET_KEY = "ecomcrm-test-secret";
    static final String REGION = "us-east-1";

    private final Process process;
    private final int port;
    private final String bucket;
    private final Path log;
    private final S3Client client;

    private S3ObjectStore(Process process, int port, String bucket, Path log) {
        this.process = process;
        this.port = port;
        this.bucket = bucket;
        this.log = log;
        this.client = S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Starts a store (its log under {@code folder}) and creates an empty bucket in it. */
    public static S3ObjectStore start(Path folder) throws IOException, InterruptedException {
        requireNonNull(folder, "folder is null");
        Path script = repositoryRoot().resolve("bin").resolve("object-store");
        Files.createDirectories(folder);
        Path log = folder.resolve("object-store.log").toAbsolutePath();
        // The venv first, on its own: its one-time install from PyPI may take a minute or two, the server's start not.
        Process env = new ProcessBuilder(script.toString(), "env").redirectErrorStream(true)
                .redirectOutput(folder.resolve("object-store-env.log").toFile()).start();
        if (!env.waitFor(10, TimeUnit.MINUTES) || env.exitValue() != 0) {
            env.destroyForcibly();
            throw new IllegalStateException("Cannot prepare the object store's venv: "
                    + Files.readString(folder.resolve("object-store-env.log")));
        }
        int port = freePort();
        Process process = new ProcessBuilder(script.toString(), "serve", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String bucket = "lakehouse-" + UUID.randomUUID().toString().substring(0, 8);
        S3ObjectStore store = new S3ObjectStore(process, port, bucket, log);
        try {
            Awaitility.await("the object store on port " + port).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("The object store exited: " + Files.readString(log));
                        }
                        return store.answers();
                    });
            store.client.createBucket(request -> request.bucket(bucket));
        }
        catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The S3 endpoint, for {@code s3.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String bucket() {
        return bucket;
    }

    /** {@code s3://bucket/prefix}: a warehouse location in this store. */
    public String location(String prefix) {
        return "s3://" + bucket + "/" + prefix;
    }

    /**
     * The FileIO settings of an Iceberg catalog whose files are in this store: S3FileIO, the endpoint, path-style
     * addressing (no bucket sub-domains on loopback), the key pair and the region. Keys without a prefix, as in a
     * catalog's properties.
     */
    public Map<String, String> fileIoProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        properties.put("s3.endpoint", endpoint());
        properties.put("s3.path-style-access", "true");
        properties.put("s3.access-key-id", ACCESS_KEY);
        properties.put("s3.secret-access-key", SECRET_KEY);
        properties.put("client.region", REGION);
        return properties;
    }

    /** Every object key under {@code prefix}, as {@code s3://bucket/key} locations. */
    public List<String> locations(String prefix) {
        return client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
                .contents().stream().map(S3Object::key).map(key -> "s3://" + bucket + "/" + key).sorted().toList();
    }

    /** Every object key of the bucket, as locations. */
    public List<String> locations() {
        return locations("");
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean answers() {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoint() + "/moto-api/")).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The checkout holding {@code bin/object-store}: the tests run in the module's folder, one below it. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin").resolve("object-store"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find bin/object-store above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + endpoint() + ", bucket=" + bucket + ", log=" + log + "]";
    }
}
