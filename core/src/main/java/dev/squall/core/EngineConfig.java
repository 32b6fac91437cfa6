package dev.squall.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings, validated when built.
 *
 * <pre>{@code
 * EngineConfig cfg = new EngineConfig(20, Duration.ofSeconds(2), 3, "sleep", Duration.ofSeconds(30), 1000);
 * }</pre>
 *
 * @param workers       how many attempts run at once (the dispatcher never hands out more)
 * @param collectEvery  how often the collector gathers finished attempts
 * @param maxAttempts   attempts a job gets before it is dead
 * @param defaultKind   the job kind of the seed route's jobs
 * @param shutdownGrace how long running attempts may take to finish at shutdown
 * @param jobLogLimit   per-job log lines per second and kind of line (0: none); see {@link JobLog}
 */
public record EngineConfig(int workers, Duration collectEvery, int maxAttempts, String defaultKind, Duration shutdownGrace,
                           int jobLogLimit) {
    public EngineConfig {
        Objects.requireNonNull(collectEvery, "collectEvery");
        Objects.requireNonNull(defaultKind, "defaultKind");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (collectEvery.isZero() || collectEvery.isNegative()) {
            throw new IllegalArgumentException("collect-every must be longer than 0");
        }
        if (jobLogLimit < 0) {
            throw new IllegalArgumentException("job log limit must not be negative, got " + jobLogLimit);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
    }
}
