package dev.squall.core;

import dev.squall.core.store.MemoryJobStore;

/**
 * Where accepted jobs wait for a worker. The engine's only door to storage, so that a durable store
 * can replace the in-memory one without the engine changing.
 *
 * <pre>{@code
 * JobStore store = JobStore.memory(100_000);
 * if (!store.offer(job)) { ...answer 503... }
 * Job next = store.poll();   // null when nothing waits
 * }</pre>
 *
 * Thread-safety: {@link #offer} is called from many threads (the event loops), {@link #poll} from the
 * dispatcher, {@link #requeue} from the collector; implementations must allow all at once.
 */
public interface JobStore {

    /** An in-process store bounded at {@code capacity} waiting jobs; fast, lost on exit. */
    static JobStore memory(int capacity) {
        return new MemoryJobStore(capacity);
    }

    /** Accepts a new job, or returns {@code false} without keeping it when the store is full. */
    boolean offer(Job job);

    /**
     * Puts back a job that was already accepted (a retry). Never refused: what was acknowledged is
     * never dropped, even past the capacity meant for new work.
     */
    void requeue(Job job);

    /** Takes the next job to run, or {@code null} when none waits. */
    Job poll();

    /** How many jobs wait. */
    int size();

    /** How many waiting jobs {@link #offer} accepts before it refuses. */
    int capacity();
}
