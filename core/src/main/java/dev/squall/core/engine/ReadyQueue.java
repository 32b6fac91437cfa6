package dev.squall.core.engine;

import dev.squall.core.Job;
import dev.squall.core.JobStore;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Jobs claimed from the store and not yet taken by a worker: a small in-memory prefetch, so that
 * the store is asked for jobs in batches (one transaction for many jobs in a durable store) instead
 * of once per job. Whoever finds it empty refills it, one refill at a time, unless its
 * {@link DueGate} knows that nothing is due. The engine also puts here, within the same bound, new
 * jobs it had the store keep as claimed ({@link #reserve}, {@link #accept}).
 *
 * <p>The bound follows the workers ({@link LaneBound}): about what they take in
 * {@link LaneBound#AHEAD_MILLIS} ms, at least {@code floor} (two per worker), at most
 * {@code prefetch}.
 */
final class ReadyQueue {
    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Places promised to new jobs being stored as claimed, not yet filled. */
    private final AtomicInteger reserved = new AtomicInteger();
    private final ReentrantLock refilling = new ReentrantLock();
    private final JobStore store;
    private final DueGate gate;
    private final dev.squall.core.JobEvents events;
    private final LaneBound bound;

    /** The queues whose jobs it takes; null for all. */
    private final java.util.Set<String> queues;

    ReadyQueue(JobStore store, int floor, int prefetch) {
        this(store, floor, prefetch, null, new DueGate(store.pollMillis()));
    }

    ReadyQueue(JobStore store, int floor, int prefetch, java.util.Set<String> queues, DueGate gate) {
        this(store, floor, prefetch, queues, gate, dev.squall.core.JobEvents.NONE);
    }

    ReadyQueue(JobStore store, int floor, int prefetch, java.util.Set<String> queues, DueGate gate, dev.squall.core.JobEvents events) {
        this.events = events;
        this.store = store;
        this.gate = gate;
        this.queues = queues;
        this.bound = new LaneBound(floor, prefetch, System.nanoTime());
    }

    /** The next claimed job, refilling from the store when empty; null when the store has none due. */
    Job next() {
        Job j = poll();
        if (j != null) {
            return j;
        }
        refill();
        return poll();
    }

    private Job poll() {
        Job j = jobs.poll();
        if (j != null) {
            size.decrementAndGet();
            bound.taken();
        }
        return j;
    }

    /** Claims from the store up to the prefetch; returns how many it claimed (0 when another thread refills). */
    int refill() {
        if (!refilling.tryLock()) {
            return 0;
        }
        try {
            int room = bound.bound(System.nanoTime()) - size.get() - reserved.get();
            if (room <= 0) {
                return 0;
            }
            long now = System.currentTimeMillis();
            if (!gate.shouldClaim(now, System.nanoTime())) {
                return 0; // nothing due as far as the engine knows: the store is not asked
            }
            JobStore.Claim c;
            try {
                c = store.claimDue(room, now, queues);
            } catch (RuntimeException e) {
                gate.claimFailed();
                throw e;
            }
            List<Job> claimed = c.jobs();
            jobs.addAll(claimed);
            size.addAndGet(claimed.size());
            // Only now may the gate say "nothing due": a new job it lets be stored claimed joins
            // this queue behind the ones just claimed, never ahead of them.
            gate.claimed(claimed.size() >= room, c.nextDueMillis());
            if (!claimed.isEmpty()) {
                events.claimed(claimed);
            }
            return claimed.size();
        } finally {
            refilling.unlock();
        }
    }

    /** Reserves room for up to {@code n} new jobs the store is to keep as claimed; returns how many places it got. */
    int reserve(int n) {
        while (true) {
            int r = reserved.get();
            int got = Math.min(n, bound.bound() - size.get() - r);
            if (got <= 0) {
                return 0;
            }
            if (reserved.compareAndSet(r, r + got)) {
                return got;
            }
        }
    }

    /** Whether it takes jobs of {@code queue}. */
    boolean takes(String queue) {
        return queues == null || queues.contains(queue);
    }

    /** A job stored as claimed fills a place reserved for it. */
    void accept(Job claimed) {
        jobs.add(claimed);
        size.incrementAndGet();
        reserved.decrementAndGet();
    }

    /** A reserved place stays unused (the id was repeated, the write failed, the job was not stored claimed). */
    void unreserve() {
        reserved.decrementAndGet();
    }

    /** Waits (bounded) until no place is reserved: every new job being stored as claimed has landed here. */
    boolean awaitNoReservations(long deadlineNanos) {
        while (reserved.get() > 0) {
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(this, 1_000_000L);
        }
        return true;
    }

    /** Takes job {@code id} out if it waits here (claimed, not started); null when it is not here. */
    Job take(String id) {
        for (Job j : jobs) {
            if (j.id().equals(id) && jobs.remove(j)) {
                size.decrementAndGet();
                return j;
            }
        }
        return null;
    }

    int size() {
        return Math.max(0, size.get());
    }

    /** Jobs claimed but never started (at shutdown): the store's recovery puts them back next start. */
    List<Job> drain() {
        List<Job> left = new java.util.ArrayList<>();
        Job j;
        while ((j = poll()) != null) {
            left.add(j);
        }
        return left;
    }
}
