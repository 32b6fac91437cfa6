package dev.squall.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a failed job waits before its next attempt: exponential ({@code base x 2^(attempt-1)},
 * capped), with "equal jitter" (half fixed, half random) so that jobs that failed together do not
 * all come back together.
 *
 * <pre>{@code
 * Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));
 * long waitMillis = b.delayMillis(2);   // 1000..2000 ms before the 3rd attempt
 * }</pre>
 */
public record Backoff(Duration base, Duration cap) {

    public Backoff {
        if (base.isNegative() || cap.isNegative() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff: base and cap must not be negative, and cap >= base");
        }
    }

    /** The wait after failed attempt number {@code attempt} (1 = the first). */
    public long delayMillis(int attempt) {
        long baseMs = base.toMillis();
        if (baseMs == 0) {
            return 0;
        }
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long full = Math.min(cap.toMillis(), baseMs << shift);
        long half = full / 2;
        return half + ThreadLocalRandom.current().nextLong(full - half + 1);
    }
}
