package dev.squall.core.engine;

import dev.squall.core.testing.ForwardingStore;
import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that fails on command: results ({@link #finish}), claims, single reads, submits, releases. Counts
 * the calls of each and the results it really recorded, and outlives the engine that closes it
 * (so a test can start a second engine on the same jobs, as a restart would).
 */
class FaultyStore extends ForwardingStore {
    volatile boolean failFinish;
    volatile boolean failClaim;
    volatile boolean failGet;
    volatile boolean failSubmit;
    volatile boolean failRelease;
    final AtomicInteger finishCalls = new AtomicInteger();
    final AtomicInteger recorded = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    FaultyStore(JobStore to) {
        super(to);
    }

    @Override
    public CompletableFuture<Integer> finish(List<Finish> finishes) {
        finishCalls.incrementAndGet();
        if (failFinish) {
            return CompletableFuture.failedFuture(new IllegalStateException("injected: disk full"));
        }
        return super.finish(finishes).thenApply(n -> {
            recorded.addAndGet(n);
            return n;
        });
    }

    @Override
    public List<Job> claim(int max, long nowMillis) {
        if (failClaim) {
            throw new IllegalStateException("injected: claim failed");
        }
        return super.claim(max, nowMillis);
    }

    @Override
    public Optional<JobRecord> get(String id) {
        gets.incrementAndGet();
        if (failGet) {
            throw new IllegalStateException("injected: read failed");
        }
        return super.get(id);
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        if (failSubmit) {
            return CompletableFuture.failedFuture(new IllegalStateException("injected: write failed"));
        }
        return super.submit(job);
    }

    @Override
    public int release(List<Job> unstarted) {
        if (failRelease) {
            throw new IllegalStateException("injected: release failed");
        }
        return super.release(unstarted);
    }

    @Override
    public void close() {
        closes.incrementAndGet(); // kept open: the jobs outlive the engine, like a file would
    }
}
