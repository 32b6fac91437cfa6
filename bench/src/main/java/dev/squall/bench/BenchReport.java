package dev.squall.bench;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one {@code squall bench} run measured (the warm-up left out).
 *
 * @param config        what was asked
 * @param started       when the measured phase began
 * @param elapsed       how long the measured phase took
 * @param sent          requests sent
 * @param late          open loop: requests sent more than the pacing tick + 1 ms after they were due
 * @param outcomes      requests by how they ended
 * @param statuses      answers by status code (2xx included)
 * @param ok            latency of the successes
 * @param all           latency of every request (a timeout counts at its deadline)
 * @param timeline      one entry per second of the run
 * @param warnings      reasons to distrust the figures (the client was the bottleneck, ...)
 * @param okHistogram   the successes' histogram (microseconds), for the percentile spectrum
 * @param allHistogram  every request's histogram (microseconds)
 * @param clientBusy    the busiest client event loop's CPU time over the wall time (0..1)
 */
public record BenchReport(BenchConfig config, Instant started, Duration elapsed, long sent, long late,
                          Map<Outcome, Long> outcomes, Map<Integer, Long> statuses, Latency ok, Latency all,
                          List<Second> timeline, List<String> warnings, Histogram okHistogram, Histogram allHistogram,
                          double clientBusy) {

    /** One second of the run: requests sent, answers, and that second's latency. */
    public record Second(long second, long sent, long ok, long failed, double p50Ms, double p99Ms, double maxMs) {
    }

    public long completed() {
        return outcomes.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(Outcome o) {
        return outcomes.getOrDefault(o, 0L);
    }

    /** The share of requests that got a 2xx within the deadline, in percent. */
    public double successPercent() {
        long done = completed();
        return done == 0 ? 0 : count(Outcome.OK) / (double) done * 100;
    }

    /** The article's own summary line, printed the way Python prints the float: {@code 100.0% request success!}. */
    public String successLine() {
        return Double.toString(successPercent()) + "% request success!";
    }

    /** Completed requests per second of the measured phase. */
    public double throughput() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : completed() / s;
    }

    public boolean meetsMinSuccess() {
        return config.minSuccess() == null || successPercent() >= config.minSuccess();
    }
}
