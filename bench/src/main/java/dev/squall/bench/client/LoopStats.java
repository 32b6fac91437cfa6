package dev.squall.bench.client;

import dev.squall.bench.Outcome;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one client event loop. Written only by that loop's thread (no locks, no atomics on
 * the hot path); read by others only through the volatile progress fields, or after the run.
 * Memory does not grow with the number of requests: histograms and counters, plus one small summary
 * per second of the run.
 */
final class LoopStats {
    static final long HIGHEST_MICROS = 3_600_000_000L;

    final Histogram ok = new Histogram(HIGHEST_MICROS, 3);
    final Histogram all = new Histogram(HIGHEST_MICROS, 3);
    final EnumMap<Outcome, long[]> outcomes = new EnumMap<>(Outcome.class);
    final Map<Integer, long[]> statuses = new TreeMap<>();
    final List<Second> seconds = new ArrayList<>();
    long sent;
    long late;

    private final Histogram secondHistogram = new Histogram(HIGHEST_MICROS, 2);
    private final long startNanos;
    private long secondIndex;
    private long secondSent;
    private long secondOk;
    private long secondFailed;

    volatile long progressDone;
    volatile long progressOk;
    volatile long progressInFlight;
    volatile double lastSecondP99Ms;

    /** One second of the run. */
    record Second(long index, long sent, long ok, long failed, double p50Ms, double p99Ms, double maxMs) {
    }

    LoopStats(long startNanos) {
        this.startNanos = startNanos;
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new long[1]);
        }
    }

    void sent(long nowNanos, boolean wasLate) {
        roll(nowNanos);
        sent++;
        secondSent++;
        if (wasLate) {
            late++;
        }
    }

    void record(Outcome outcome, int status, long latencyNanos, long nowNanos) {
        roll(nowNanos);
        long micros = Math.max(1, Math.min(HIGHEST_MICROS, latencyNanos / 1000));
        all.recordValue(micros);
        secondHistogram.recordValue(micros);
        outcomes.get(outcome)[0]++;
        if (outcome == Outcome.OK) {
            ok.recordValue(micros);
            secondOk++;
            progressOk++;
        } else {
            secondFailed++;
        }
        if (outcome == Outcome.OK || outcome == Outcome.STATUS) {
            statuses.computeIfAbsent(status, k -> new long[1])[0]++;
        }
        progressDone++;
    }

    private void roll(long nowNanos) {
        long index = (nowNanos - startNanos) / 1_000_000_000L;
        while (index > secondIndex) {
            closeSecond();
        }
    }

    /** Ends the current second (also at the end of the run, for the last partial second). */
    void closeSecond() {
        boolean empty = secondHistogram.getTotalCount() == 0;
        double p99 = empty ? 0 : secondHistogram.getValueAtPercentile(99) / 1000.0;
        seconds.add(new Second(secondIndex, secondSent, secondOk, secondFailed,
                empty ? 0 : secondHistogram.getValueAtPercentile(50) / 1000.0, p99,
                empty ? 0 : secondHistogram.getMaxValue() / 1000.0));
        if (!empty) {
            lastSecondP99Ms = p99;
        }
        secondHistogram.reset();
        secondSent = 0;
        secondOk = 0;
        secondFailed = 0;
        secondIndex++;
    }

    long count(Outcome o) {
        return outcomes.get(o)[0];
    }
}
