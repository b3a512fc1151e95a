package com.ecomcrm.bench.jmh;

import com.ecomcrm.api.webhooks.WebhookSignature;
import com.ecomcrm.domain.ShopId;
import com.ecomcrm.testing.shopify.SimulatedCustomer;
import com.ecomcrm.testing.shopify.SimulatedOrder;
import com.ecomcrm.testing.shopify.SimulatedStore;
import com.ecomcrm.testing.shopify.StoreGenerator;
import com.ecomcrm.testing.shopify.WebhookPayloads;
import com.ecomcrm.testing.shopify.WebhookSigner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The webhook intake's first step: {@link WebhookSignature#verifies} on an {@code orders/create} payload of about
 * 3 KB (a simulated order with several lines, as Shopify sends it), with a valid signature and with a forged one
 * (which must cost the same: the compare is constant-time). Two configured secrets, as during a secret rotation,
 * would double the cost; one is the normal case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WebhookSignatureBench {
    static final String SECRET = "bench-client-secret";
    static final int TARGET_BYTES = 3_000;

    private WebhookSignature signature;
    private byte[] payload;
    private String validHeader;
    private String forgedHeader;

    @Setup
    public void setUp() {
        payload = orderPayloadOfAbout(TARGET_BYTES);
        signature = new WebhookSignature(List.of(SECRET));
        validHeader = new WebhookSigner(SECRET).sign(payload);
        forgedHeader = new WebhookSigner("not-the-secret").sign(payload);
        if (!signature.verifies(payload, validHeader) || signature.verifies(payload, forgedHeader)) {
            throw new IllegalStateException("WebhookSignature does not tell the valid signature from the forged one");
        }
    }

    @Benchmark
    public boolean verifyValidSignature() {
        return signature.verifies(payload, validHeader);
    }

    @Benchmark
    public boolean rejectForgedSignature() {
        return signature.verifies(payload, forgedHeader);
    }

    /** The first simulated order whose orders/create payload is at least {@code bytes} long (else the largest). */
    static byte[] orderPayloadOfAbout(int bytes) {
        SimulatedStore store = StoreGenerator.generate(20261010L, ShopId.of("bench-jmh.myshopify.com"), 300);
        Map<Long, SimulatedCustomer> customers = store.customers().stream()
                .collect(Collectors.toMap(SimulatedCustomer::id, Function.identity()));
        WebhookPayloads payloads = new WebhookPayloads();
        byte[] largest = new byte[0];
        for (SimulatedOrder order : store.orders()) {
            byte[] body = payloads.orderCreate(order, customers.get(order.customerId()));
            if (body.length >= bytes) {
                return body;
            }
            largest = body.length > largest.length ? body : largest;
        }
        return largest;
    }
}
