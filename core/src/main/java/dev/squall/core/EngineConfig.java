package dev.squall.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings, validated when built.
 *
 * <pre>{@code
 * EngineConfig cfg = new EngineConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), 1000);
 * }</pre>
 *
 * How many jobs run at once is the {@link Workers}' count; how many attempts a job gets is the job's
 * own {@link Job#maxAttempts()}.
 *
 * @param collectEvery  how often the collector gathers finished attempts
 * @param shutdownGrace how long running attempts may take to finish at shutdown
 * @param jobLogLimit   per-job log lines per second and kind of line (0: none); see {@link JobLog}
 */
public record EngineConfig(Duration collectEvery, Duration shutdownGrace, int jobLogLimit) {
    public EngineConfig {
        Objects.requireNonNull(collectEvery, "collectEvery");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (collectEvery.isZero() || collectEvery.isNegative()) {
            throw new IllegalArgumentException("collect-every must be longer than 0");
        }
        if (jobLogLimit < 0) {
            throw new IllegalArgumentException("job log limit must not be negative, got " + jobLogLimit);
        }
    }
}
