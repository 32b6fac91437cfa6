package dev.squall.server.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Label values that cannot grow without bound: the first {@code max} distinct values are kept as
 * they are, every later one is counted as {@code other}. Job kinds and queue names come from
 * callers, so a client inventing a kind per request must not create a series per request.
 */
final class BoundedLabels {
    static final String OTHER = "other";
    private final ConcurrentHashMap<String, String> kept = new ConcurrentHashMap<>();
    private final int max;

    BoundedLabels(int max) {
        this.max = max;
    }

    /** {@code value} itself while it is among the first {@code max} seen, else {@code other}. */
    String of(String value) {
        String v = kept.get(value);
        if (v != null) {
            return v;
        }
        if (kept.size() >= max) {
            return OTHER;
        }
        // Racing threads may keep a few more than max: bounded all the same.
        String was = kept.putIfAbsent(value, value);
        return was != null ? was : value;
    }
}
