package dev.squall.bench;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles in milliseconds, read off an HdrHistogram of microseconds.
 *
 * @param count how many values
 */
public record Latency(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {

    public static Latency of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new Latency(0, 0, 0, 0, 0, 0, 0);
        }
        return new Latency(micros.getTotalCount(), micros.getMean() / 1000.0,
                micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0, micros.getValueAtPercentile(99.9) / 1000.0,
                micros.getMaxValue() / 1000.0);
    }
}
