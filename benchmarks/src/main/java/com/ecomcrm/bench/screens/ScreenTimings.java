package com.ecomcrm.bench.screens;

import com.ecomcrm.bench.Latency;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the clients measured, collected from many threads: per screen the time until all its data arrived, per
 * endpoint each answer's time, and the failures of each with their first messages.
 */
final class ScreenTimings {
    private final Map<String, List<Long>> screens = new TreeMap<>();
    private final Map<String, List<Long>> endpoints = new TreeMap<>();
    private final Map<String, Long> screenFailures = new TreeMap<>();
    private final Map<String, Long> endpointFailures = new TreeMap<>();
    private final Map<String, Long> endpointBytes = new TreeMap<>();
    private final Map<String, String> firstErrors = new LinkedHashMap<>();

    synchronized void screen(String screen, long nanos) {
        screens.computeIfAbsent(screen, k -> new ArrayList<>()).add(nanos);
    }

    synchronized void screenFailed(String screen, String message) {
        screenFailures.merge(screen, 1L, Long::sum);
        if (firstErrors.size() < 5) {
            firstErrors.putIfAbsent(screen, message);
        }
    }

    synchronized void endpoint(String endpoint, long nanos, long bytes) {
        endpoints.computeIfAbsent(endpoint, k -> new ArrayList<>()).add(nanos);
        endpointBytes.merge(endpoint, bytes, Long::sum);
    }

    synchronized void endpointFailed(String endpoint) {
        endpointFailures.merge(endpoint, 1L, Long::sum);
    }

    synchronized Map<String, Latency> screens() {
        return latencies(screens);
    }

    synchronized Map<String, Latency> endpoints() {
        return latencies(endpoints);
    }

    synchronized long screenFailures(String screen) {
        return screenFailures.getOrDefault(screen, 0L);
    }

    synchronized long endpointFailures(String endpoint) {
        return endpointFailures.getOrDefault(endpoint, 0L);
    }

    /** Mean answer size of an endpoint, in bytes (JSON size matters on a slow admin connection). */
    synchronized long meanBytes(String endpoint) {
        List<Long> times = endpoints.getOrDefault(endpoint, List.of());
        return times.isEmpty() ? 0 : endpointBytes.getOrDefault(endpoint, 0L) / times.size();
    }

    synchronized Map<String, String> firstErrors() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(firstErrors));
    }

    /** Every screen load, whatever the screen: the dashboard as a whole. */
    synchronized Latency all() {
        return Latency.ofNanos(screens.values().stream().flatMap(List::stream).mapToLong(Long::longValue).toArray());
    }

    private static Map<String, Latency> latencies(Map<String, List<Long>> samples) {
        Map<String, Latency> out = new TreeMap<>();
        samples.forEach((k, v) -> out.put(k, Latency.ofNanos(v.stream().mapToLong(Long::longValue).toArray())));
        return out;
    }
}
