package dev.squall.bench.client;

import java.util.concurrent.atomic.AtomicLong;

/** One stretch of traffic (the warm-up, or the measured run): its budget of requests and of time. */
final class Phase {
    final long total;
    final long startNanos;
    final long endNanos;
    private final AtomicLong tickets = new AtomicLong();
    volatile boolean cancelled;

    Phase(long total, long startNanos, long endNanos) {
        this.total = total;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    /** Closed loop: may one more request be sent now? */
    boolean takeTicket(long nowNanos) {
        return !cancelled && nowNanos < endNanos && tickets.getAndIncrement() < total;
    }

    boolean open(long nowNanos) {
        return !cancelled && nowNanos < endNanos;
    }
}
