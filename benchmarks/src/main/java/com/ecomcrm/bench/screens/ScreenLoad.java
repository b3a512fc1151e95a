package com.ecomcrm.bench.screens;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What one screen asks for when it opens, in waves: the requests of a wave go out together (the screen's components
 * mount together and each starts its fetch), and a wave waits for the one before it when the screen needs that
 * answer first (the movement card renders, and fetches, only once the segments have arrived). The screen's data has
 * arrived when the last wave's last answer has.
 */
public record ScreenLoad(String screen, List<List<ScreenRequest>> waves) {
    public ScreenLoad {
        requireNonNull(screen, "screen is null");
        waves = waves.stream().map(List::copyOf).toList();
        if (waves.isEmpty() || waves.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("Cannot plan screen " + screen + ": every wave needs a request");
        }
    }

    public static ScreenLoad of(String screen, List<ScreenRequest> firstWave) {
        return new ScreenLoad(screen, List.of(firstWave));
    }

    public ScreenLoad then(List<ScreenRequest> nextWave) {
        List<List<ScreenRequest>> all = new java.util.ArrayList<>(waves);
        all.add(nextWave);
        return new ScreenLoad(screen, all);
    }

    public int requestCount() {
        return waves.stream().mapToInt(List::size).sum();
    }
}
