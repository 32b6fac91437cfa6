package dev.squall.core.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Wakes one waiting consumer thread, but only when it actually sleeps. Producers pay one volatile
 * read per item while the consumer is busy; only a producer that finds the consumer parked pays for
 * an unpark. (Signalling a condition on every offer cut intake by a quarter to a half on this
 * machine; see docs/architecture.md.)
 *
 * <p>Race-free by ordering: the consumer publishes {@code sleeping} before it rechecks for work, and
 * a producer publishes work before it reads {@code sleeping}; one of the two always sees the other.
 * The park is also bounded, so even a lost wake-up costs at most the bound.
 */
final class WakeSignal {
    private volatile Thread sleeper;
    /** Unparks done (only a producer that found the consumer asleep pays for one); for tests and diagnostics. */
    private final java.util.concurrent.atomic.AtomicLong wakes = new java.util.concurrent.atomic.AtomicLong();

    /** Called by the single consumer when it found no work: sleeps until woken, work appears, or the bound passes. */
    void awaitWork(BooleanSupplier hasWork, long maxParkNanos) {
        sleeper = Thread.currentThread();
        try {
            if (!hasWork.getAsBoolean()) {
                LockSupport.parkNanos(this, maxParkNanos);
            }
        } finally {
            sleeper = null;
        }
    }

    /** Called by producers after they published work. */
    void wake() {
        Thread t = sleeper;
        if (t != null) {
            wakes.incrementAndGet();
            LockSupport.unpark(t);
        }
    }

    /** How many times {@link #wake} found the consumer asleep and woke it. */
    long wakes() {
        return wakes.get();
    }

    /** Whether the consumer sleeps in {@link #awaitWork} now. */
    boolean asleep() {
        return sleeper != null;
    }
}
