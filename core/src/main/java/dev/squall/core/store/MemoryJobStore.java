package dev.squall.core.store;

import dev.squall.core.Job;
import dev.squall.core.JobStore;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The article's in-memory buffer, bounded. A lock-free queue plus a counter: the event loop's
 * {@code offer} is a CAS or two and never wakes anybody (waking the consumer on every offer is what
 * costs, see docs/architecture.md), and never blocks.
 */
public final class MemoryJobStore implements JobStore {
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    public MemoryJobStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    @Override
    public boolean offer(Job job) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.offer(job);
        return true;
    }

    @Override
    public void requeue(Job job) {
        size.incrementAndGet();
        queue.offer(job);
    }

    @Override
    public Job poll() {
        Job job = queue.poll();
        if (job != null) {
            size.decrementAndGet();
        }
        return job;
    }

    @Override
    public int size() {
        return Math.max(0, size.get());
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
