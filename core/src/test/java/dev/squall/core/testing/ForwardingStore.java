package dev.squall.core.testing;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store that passes everything to another one; tests override what they want to break or watch.
 * {@link #claimDue} is left to its default, which calls {@link #claim}: an override of a claim is
 * always seen (the engine then asks at every tick instead of knowing when work is next due).
 *
 * <pre>{@code
 * JobStore slow = new ForwardingStore(new MemoryJobStore(10, Duration.ofHours(1))) {
 *     @Override public Census census() { sleep(300); return super.census(); }
 * };
 * }</pre>
 */
public class ForwardingStore implements JobStore {
    private final JobStore to;

    public ForwardingStore(JobStore to) {
        this.to = to;
    }

    @Override public CompletableFuture<Submission> submit(JobRecord job) { return to.submit(job); }
    @Override public List<Job> claim(int max, long nowMillis) { return to.claim(max, nowMillis); }
    @Override public CompletableFuture<Integer> finish(List<Finish> finishes) { return to.finish(finishes); }
    @Override public int release(List<Job> unstarted) { return to.release(unstarted); }
    @Override public String whenHeldJobsRunAgain(boolean givenBack) { return to.whenHeldJobsRunAgain(givenBack); }
    @Override public Optional<JobRecord> get(String id) { return to.get(id); }
    @Override public Page list(JobQuery query) { return to.list(query); }
    @Override public CompletableFuture<Change> cancel(String id, long nowMillis) { return to.cancel(id, nowMillis); }
    @Override public CompletableFuture<Change> retry(String id, long nowMillis) { return to.retry(id, nowMillis); }
    @Override public int recover(long nowMillis) { return to.recover(nowMillis); }
    @Override public int prune(long finishedBeforeMillis, int max) { return to.prune(finishedBeforeMillis, max); }
    @Override public long waiting() { return to.waiting(); }
    @Override public int capacity() { return to.capacity(); }
    @Override public String describe() { return "forwarding " + to.describe(); }
    @Override public void close() { to.close(); }
    @Override public CompletableFuture<Submission> submit(JobRecord job, boolean claim) { return to.submit(job, claim); }
    @Override public boolean claimsOnSubmit() { return to.claimsOnSubmit(); }
    @Override public long pollMillis() { return to.pollMillis(); }
    @Override public int claimBatch() { return to.claimBatch(); }
    @Override public List<Job> claim(int max, long nowMillis, java.util.Set<String> queues) {
        return queues == null ? claim(max, nowMillis) : to.claim(max, nowMillis, queues);
    }
    @Override public boolean servesSomeQueues() { return to.servesSomeQueues(); }
    @Override public void onNewWork(Runnable wake) { to.onNewWork(wake); }
    @Override public dev.squall.core.StoreHealth health() { return to.health(); }
    @Override public List<Attempt> attempts(String id) { return to.attempts(id); }
    @Override public Census census() { return to.census(); }
    /** Counts now, through {@link #census()}, so that a subclass that overrides it sees every count. */
    @Override public Census census(java.time.Duration shareFor) { return census(); }
    @Override public Census censusOfUnfinished() { return to.censusOfUnfinished(); }
    @Override public boolean boundsFinished() { return to.boundsFinished(); }
    @Override public void shareFigures(java.util.function.Supplier<String> mine) { to.shareFigures(mine); }
    @Override public java.util.Map<String, String> peerFigures() { return to.peerFigures(); }
    @Override public void onCommit(CommitListener listener) { to.onCommit(listener); }
}
