package dev.squall.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings, validated when built. How many jobs run at once is the {@link Workers}'
 * count; how many attempts a job gets is the job's own.
 *
 * <pre>{@code
 * EngineConfig cfg = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(100));
 * }</pre>
 *
 * @param collectEvery  how often the collector gathers finished attempts
 * @param shutdownGrace how long running attempts may take to finish at shutdown
 * @param jobLogLimit   per-job log lines per second and kind of line (0: none); see {@link JobLog}
 * @param backoff       the wait between a failed attempt and the next
 * @param retain        how long finished jobs are kept before housekeeping deletes them
 * @param jobTimeout    how long one attempt may run before it is abandoned as failed (zero: no limit)
 * @param asyncLimit    how many attempts of asynchronous kinds may be in flight at once (they hold no worker)
 * @param queues        the named queues this engine runs jobs of; null for every queue
 * @param laneWorkers   queues (of {@code queues}) that get workers of their own, with how many; the
 *                      other queues share the {@link Workers}' count. Empty: one lane for all
 */
public record EngineConfig(Duration collectEvery, Duration shutdownGrace, int jobLogLimit, Backoff backoff, Duration retain,
                           Duration jobTimeout, int asyncLimit, java.util.Set<String> queues,
                           java.util.Map<String, Integer> laneWorkers) {
    public static final int DEFAULT_ASYNC_LIMIT = 1000;

    /** An engine that runs jobs of every queue. */
    public EngineConfig(Duration collectEvery, Duration shutdownGrace, int jobLogLimit, Backoff backoff, Duration retain,
                        Duration jobTimeout, int asyncLimit) {
        this(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, null, java.util.Map.of());
    }

    /** An engine whose queues share one lane of workers. */
    public EngineConfig(Duration collectEvery, Duration shutdownGrace, int jobLogLimit, Backoff backoff, Duration retain,
                        Duration jobTimeout, int asyncLimit, java.util.Set<String> queues) {
        this(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, queues, java.util.Map.of());
    }

    public EngineConfig {
        laneWorkers = laneWorkers == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(laneWorkers));
        for (var lane : laneWorkers.entrySet()) {
            if (queues == null || !queues.contains(lane.getKey())) {
                throw new IllegalArgumentException("queue '" + lane.getKey() + "' has workers of its own but is not among the queues served");
            }
            if (lane.getValue() < 1) {
                throw new IllegalArgumentException("queue '" + lane.getKey() + "' needs at least 1 worker, got " + lane.getValue());
            }
        }
        if (queues != null) {
            if (queues.isEmpty()) {
                throw new IllegalArgumentException("an engine serves at least one queue (null: all)");
            }
            queues = java.util.Set.copyOf(queues);
        }
        Objects.requireNonNull(collectEvery, "collectEvery");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(retain, "retain");
        if (collectEvery.isZero() || collectEvery.isNegative()) {
            throw new IllegalArgumentException("collect-every must be longer than 0");
        }
        if (jobLogLimit < 0) {
            throw new IllegalArgumentException("job log limit must not be negative, got " + jobLogLimit);
        }
        Objects.requireNonNull(jobTimeout, "jobTimeout");
        if (jobTimeout.isNegative()) {
            throw new IllegalArgumentException("job timeout must not be negative");
        }
        if (retain.isNegative()) {
            throw new IllegalArgumentException("retain must not be negative");
        }
        if (asyncLimit < 1) {
            throw new IllegalArgumentException("async limit must be at least 1, got " + asyncLimit);
        }
    }

    /**
     * Collect every 2 s, 30 s grace, 1000 job lines/s, backoff 1 s..10 min, keep finished jobs 24 h,
     * 30 min job timeout, 1000 asynchronous attempts in flight.
     */
    public static EngineConfig defaults() {
        return new EngineConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), 1000,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofHours(24), Duration.ofMinutes(30),
                DEFAULT_ASYNC_LIMIT);
    }

    public EngineConfig withCollectEvery(Duration d) {
        return new EngineConfig(d, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, queues, laneWorkers);
    }

    public EngineConfig withShutdownGrace(Duration d) {
        return new EngineConfig(collectEvery, d, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, queues, laneWorkers);
    }

    public EngineConfig withBackoff(Backoff b) {
        return new EngineConfig(collectEvery, shutdownGrace, jobLogLimit, b, retain, jobTimeout, asyncLimit, queues, laneWorkers);
    }

    public EngineConfig withAsyncLimit(int n) {
        return new EngineConfig(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, n, queues, laneWorkers);
    }

    public EngineConfig withJobTimeout(Duration d) {
        return new EngineConfig(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, d, asyncLimit, queues, laneWorkers);
    }

    /** Runs only jobs of these queues (null: every queue). */
    public EngineConfig withQueues(java.util.Set<String> q) {
        return new EngineConfig(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, q, java.util.Map.of());
    }

    /**
     * Runs only jobs of these queues, the ones named in {@code lanes} each on workers of its own
     * (that many), the others on the shared {@link Workers}.
     */
    public EngineConfig withQueues(java.util.Set<String> q, java.util.Map<String, Integer> lanes) {
        return new EngineConfig(collectEvery, shutdownGrace, jobLogLimit, backoff, retain, jobTimeout, asyncLimit, q, lanes);
    }
}
