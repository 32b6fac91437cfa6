package dev.squall.core;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One kind of per-job log line ({@code job add:N}, {@code scheduling N}, {@code Collected job: N}),
 * written like the article writes it, up to a number of lines per second. Past that, lines are
 * counted instead of written, and one summary line says how many were left out. At the article's
 * rates every line appears; at 70,000 jobs a second the log stays readable and costs next to nothing.
 *
 * <pre>{@code
 * JobLog added = JobLog.of(LoggerFactory.getLogger("squall.jobs"), "job add", 1000);
 * added.log("job add:{}", id);
 * }</pre>
 */
public final class JobLog {
    private static final long SECOND = 1_000_000_000L;

    private final Logger logger;
    private final String label;
    private final long perSecond;
    private final AtomicLong inWindow = new AtomicLong();
    private volatile long window;

    private JobLog(Logger logger, String label, long perSecond) {
        this.logger = logger;
        this.label = label;
        this.perSecond = perSecond;
        this.window = System.nanoTime() / SECOND;
    }

    /**
     * @param perSecond lines written per second at most; 0 writes none
     */
    public static JobLog of(Logger logger, String label, long perSecond) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("lines per second must not be negative");
        }
        return new JobLog(logger, label, perSecond);
    }

    /** Writes the line at INFO, unless this second's budget is spent. */
    public void log(String pattern, Object arg) {
        if (perSecond == 0 || !logger.isInfoEnabled()) {
            return;
        }
        long now = System.nanoTime() / SECOND;
        if (now != window) {
            roll(now);
        }
        if (inWindow.incrementAndGet() <= perSecond) {
            logger.info(pattern, arg);
        }
    }

    private synchronized void roll(long now) {
        if (now == window) {
            return;
        }
        long left = inWindow.getAndSet(0) - perSecond;
        window = now;
        if (left > 0) {
            logger.info("... and {} more '{}' lines in that second, not written (over {} a second)", left, label, perSecond);
        }
    }

    /** Writes the summary of the current second now (at shutdown). */
    public void flush() {
        roll(Long.MIN_VALUE);
        window = System.nanoTime() / SECOND;
    }
}
