package com.ecomcrm.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Counts customers per distinct (x, t_x, T) triple in primitive arrays: an open-addressing hash table keyed on x and
 * the bit patterns of t_x and T (the same equality as {@link Double#equals}), then the distinct triples sorted by x,
 * t_x, T. A million histories are one pass over the input and a sort of the groups; the boxed map this replaces cost
 * three boxed doubles and a list per customer.
 */
final class TripleCounts {
    private static final long MIX_X = 0x9E3779B97F4A7C15L;
    private static final long MIX_RECENCY = 0xC2B2AE3D27D4EB4FL;
    private static final long MIX_AGE = 0x165667B19E3779F9L;

    private int[] x;
    private double[] recency;
    private double[] age;
    private long[] count;
    /** Slot to group index + 1; 0 marks an empty slot. */
    private int[] slots;
    private int size;

    /** Starts small and doubles: the group count, not the customer count, sets the size (and keeps it in cache). */
    TripleCounts() {
        slots = new int[1 << 12];
        x = new int[1 << 10];
        recency = new double[1 << 10];
        age = new double[1 << 10];
        count = new long[1 << 10];
    }

    void add(int frequency, double tx, double t) {
        long recencyBits = Double.doubleToLongBits(tx);
        long ageBits = Double.doubleToLongBits(t);
        int mask = slots.length - 1;
        int slot = hash(frequency, recencyBits, ageBits) & mask;
        while (true) {
            int entry = slots[slot];
            if (entry == 0) {
                break;
            }
            int g = entry - 1;
            if (x[g] == frequency && Double.doubleToLongBits(recency[g]) == recencyBits
                    && Double.doubleToLongBits(age[g]) == ageBits) {
                count[g]++;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size == x.length) {
            int grown = x.length * 2;
            x = Arrays.copyOf(x, grown);
            recency = Arrays.copyOf(recency, grown);
            age = Arrays.copyOf(age, grown);
            count = Arrays.copyOf(count, grown);
        }
        x[size] = frequency;
        recency[size] = tx;
        age[size] = t;
        count[size] = 1;
        slots[slot] = ++size;
        // Kept at most half full, so probes stay short.
        if (2 * size > slots.length) {
            rehash();
        }
    }

    /** The groups ordered by x, then t_x, then T. */
    List<HistoryGroup> sortedGroups() {
        int[] order = sortedOrder();
        List<HistoryGroup> groups = new ArrayList<>(size);
        for (int g : order) {
            groups.add(new HistoryGroup(x[g], recency[g], age[g], count[g]));
        }
        return groups;
    }

    /**
     * Group indices in (x, t_x, T) order. The times are ranked among the distinct time values, and (x, rank of t_x,
     * rank of T) packed into one long whose natural order is the wanted order, so the sort is over primitives. Only
     * when the packing would not fit 63 bits (millions of distinct times) does it fall back to a comparator.
     */
    private int[] sortedOrder() {
        double[] times = new double[2 * size];
        System.arraycopy(recency, 0, times, 0, size);
        System.arraycopy(age, 0, times, size, size);
        Arrays.sort(times);
        int distinct = 0;
        for (int i = 0; i < times.length; i++) {
            if (i == 0 || Double.compare(times[i], times[distinct - 1]) != 0) {
                times[distinct++] = times[i];
            }
        }
        int maxX = 0;
        for (int i = 0; i < size; i++) {
            maxX = Math.max(maxX, x[i]);
        }
        int timeBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, distinct));
        int groupBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, size));
        int xBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, maxX));
        if (xBits + 2 * timeBits + groupBits > 63) {
            return IntStream.range(0, size).boxed()
                    .sorted(Comparator.<Integer>comparingInt(g -> x[g]).thenComparingDouble(g -> recency[g])
                            .thenComparingDouble(g -> age[g]))
                    .mapToInt(Integer::intValue).toArray();
        }
        // Arrays.sort on doubles orders them as Double.compare does, so binary search finds each exact value.
        long[] keys = new long[size];
        for (int g = 0; g < size; g++) {
            long recencyRank = Arrays.binarySearch(times, 0, distinct, recency[g]);
            long ageRank = Arrays.binarySearch(times, 0, distinct, age[g]);
            keys[g] = ((((long) x[g] << timeBits | recencyRank) << timeBits | ageRank) << groupBits) | g;
        }
        Arrays.sort(keys);
        long groupMask = (1L << groupBits) - 1;
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = (int) (keys[i] & groupMask);
        }
        return order;
    }

    private void rehash() {
        int[] grown = new int[slots.length * 2];
        int mask = grown.length - 1;
        for (int g = 0; g < size; g++) {
            int slot = hash(x[g], Double.doubleToLongBits(recency[g]), Double.doubleToLongBits(age[g])) & mask;
            while (grown[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            grown[slot] = g + 1;
        }
        slots = grown;
    }

    private static int hash(int frequency, long recencyBits, long ageBits) {
        long h = frequency * MIX_X ^ recencyBits * MIX_RECENCY ^ ageBits * MIX_AGE;
        h ^= h >>> 29;
        h *= MIX_X;
        return (int) (h ^ h >>> 32);
    }
}
