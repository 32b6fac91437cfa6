package dev.squall.core.store;

import java.util.concurrent.atomic.AtomicLong;

/** Admission control shared by the stores: a bounded count of waiting jobs. */
public final class Capacity {
    private Capacity() {
    }

    /**
     * Takes one place among {@code capacity}, or none when all are taken. A compare-and-set loop, not
     * increment-then-undo, so the count never shows more waiting jobs than the capacity allows.
     */
    public static boolean reserve(AtomicLong waiting, long capacity) {
        long w;
        do {
            w = waiting.get();
            if (w >= capacity) {
                return false;
            }
        } while (!waiting.compareAndSet(w, w + 1));
        return true;
    }
}
