package dev.squall.core.store;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The article's in-memory buffer, with the job lifecycle: fast, and lost when the process stops.
 * Due jobs wait in a lock-free queue (the event loop's submit is a map insert and a queue offer,
 * never a lock); jobs due later (delayed, or in a retry backoff) wait in a time-ordered heap.
 * Finished jobs are kept for {@code retain}, and never more than {@link #MAX_FINISHED} (10,000) of
 * them nor more than {@code maxWaitingChars} characters of their payloads and results (the oldest
 * go first). Waiting jobs are bounded twice: by count ({@code capacity}) and by the characters of
 * their payloads ({@code maxWaitingChars}); past either, submit answers FULL.
 */
public final class MemoryJobStore implements JobStore {
    public static final int MAX_FINISHED = 10_000;

    private final ConcurrentHashMap<String, Entry> jobs = new ConcurrentHashMap<>(1 << 18);
    private final DueJobs due = new DueJobs();
    private final PriorityQueue<Entry> later = new PriorityQueue<>(Comparator.comparingLong(e -> e.record.runAt()));
    /**
     * Finished jobs, oldest first, under its own monitor: added to by the collector (one thread, in
     * batches) and trimmed by it, so the lock is uncontended; a ConcurrentLinkedQueue here was a
     * third of the collector's CPU under load (bench/scripts/profile-intake.sh).
     */
    private final java.util.ArrayDeque<Entry> finishedOrder = new java.util.ArrayDeque<>();
    /**
     * The waiting jobs, counted and weighed in one word, so that admission is one compare-and-set
     * (a second counter shared by the event loop and the workers cost measurable intake): the
     * count in the high 31 bits (any int capacity), the characters of their payloads in the low
     * {@value #COUNT_SHIFT} bits (a bound below 2 Gi characters plus one job of at most 2 Gi fits).
     */
    private final AtomicLong waiting = new AtomicLong();
    private static final int COUNT_SHIFT = 32;
    private static final long CHARS_MASK = (1L << COUNT_SHIFT) - 1;
    private final long maxWaitingChars;
    private final AtomicLong finishedCount = new AtomicLong();
    /** Characters of payloads and results of the finished jobs kept (each entry's {@code finishedChars}). */
    private final AtomicLong finishedChars = new AtomicLong();
    private final int capacity;
    private final Duration retain;

    /** A job and its lock: every change of one job happens under its entry's monitor. */
    private static final class Entry {
        volatile JobRecord record;
        /** What it weighed when it was put on the finished list (its record may change later: a retry). */
        volatile long finishedChars;
        /** Its earlier attempts ({@link JobStore#attempts}); null while it has none (most jobs). Guarded by the entry. */
        List<Attempt> earlier;

        void remember(Attempt a) {
            if (earlier == null) {
                earlier = new ArrayList<>(2);
            }
            if (earlier.size() < MAX_ATTEMPTS_KEPT) {
                earlier.add(a);
            }
        }

        Entry(JobRecord record) {
            this.record = record;
        }
    }

    public MemoryJobStore(int capacity, Duration retain) {
        this(capacity, retain, JobStore.DEFAULT_MAX_WAITING_CHARS);
    }

    public MemoryJobStore(int capacity, Duration retain, long maxWaitingChars) {
        if (capacity < 1 || maxWaitingChars < 1 || maxWaitingChars > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capacity must be at least 1 and maxWaitingChars 1 to " + Integer.MAX_VALUE);
        }
        this.capacity = capacity;
        this.retain = retain;
        this.maxWaitingChars = maxWaitingChars;
    }

    private void waits(JobRecord r, int delta) {
        waiting.addAndGet(delta * ((1L << COUNT_SHIFT) + r.payloadJson().length()));
    }

    /** Takes a place for a job of {@code chars} characters, or none when the count or the characters are at their bound. */
    private boolean reserve(long chars) {
        long w;
        long next;
        do {
            w = waiting.get();
            long count = w >>> COUNT_SHIFT;
            long weight = w & CHARS_MASK;
            // At least one job always fits, however large; past the bound, none until some leave.
            if (count >= capacity || (weight > 0 && weight + chars > maxWaitingChars)) {
                return false;
            }
            next = w + (1L << COUNT_SHIFT) + chars;
        } while (!waiting.compareAndSet(w, next));
        return true;
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        if (!reserve(job.payloadJson().length())) {
            Entry existing = jobs.get(job.id()); // a repeat is answered as such even when full
            return CompletableFuture.completedFuture(existing != null ? same(existing.record, job)
                    : new Submission(Submission.Kind.FULL, null));
        }
        Entry e = new Entry(job);
        Entry existing = jobs.putIfAbsent(job.id(), e);
        if (existing != null) {
            waits(job, -1);
            return CompletableFuture.completedFuture(same(existing.record, job));
        }
        // Due at once unless it asked for later: no clock read on the intake path.
        enqueue(e, job.createdAt());
        return CompletableFuture.completedFuture(new Submission(Submission.Kind.CREATED, job));
    }

    private static Submission same(JobRecord existing, JobRecord asked) {
        return new Submission(existing.sameRequest(asked) ? Submission.Kind.DUPLICATE : Submission.Kind.CONFLICT, existing);
    }

    private void enqueue(Entry e, long now) {
        if (e.record.runAt() <= now) {
            due.offer(e);
        } else {
            synchronized (later) {
                later.add(e);
            }
        }
    }

    @Override
    public List<Job> claim(int max, long nowMillis) {
        promoteDue(nowMillis);
        List<Job> runs = new ArrayList<>(Math.min(max, 256));
        Entry e;
        while (runs.size() < max && (e = due.poll()) != null) {
            synchronized (e) {
                JobRecord r = e.record;
                if (!r.state().waiting() || jobs.get(r.id()) != e) {
                    continue; // cancelled or pruned meanwhile
                }
                if (r.runAt() > nowMillis) { // put back to later (a retry scheduled after it was queued)
                    synchronized (later) {
                        later.add(e);
                    }
                    continue;
                }
                e.record = r.with(JobState.RUNNING, r.attempt() + 1, r.runAt(), nowMillis, 0, null, r.lastError());
                waits(r, -1);
                runs.add(e.record.nextRunOfRunning());
            }
        }
        return runs;
    }

    private void promoteDue(long now) {
        synchronized (later) {
            Entry head;
            while ((head = later.peek()) != null && head.record.runAt() <= now) {
                due.offer(later.poll());
            }
        }
    }

    @Override
    public CompletableFuture<Integer> finish(List<Finish> finishes) {
        int applied = 0;
        long now = System.currentTimeMillis();
        for (Finish f : finishes) {
            Entry e = jobs.get(f.id());
            if (e == null) {
                continue;
            }
            synchronized (e) {
                JobRecord r = e.record;
                if (r.state() != JobState.RUNNING || r.attempt() != f.attempt()) {
                    continue; // fenced: a stale attempt's answer
                }
                long started = f.startedAt() > 0 ? f.startedAt() : r.startedAt();
                switch (f.state()) {
                    case SUCCEEDED -> e.record = r.with(JobState.SUCCEEDED, r.attempt(), r.runAt(), started, f.atMillis(), f.resultJson(), null);
                    case DEAD -> e.record = r.with(JobState.DEAD, r.attempt(), r.runAt(), started, f.atMillis(), null, f.error());
                    case FAILED -> {
                        e.record = r.with(JobState.FAILED, r.attempt(), f.runAt(), started, 0, null, f.error());
                        e.remember(new Attempt(r.attempt(), "failed", started, f.atMillis(), null, f.error()));
                    }
                    default -> throw new IllegalArgumentException("an attempt cannot end as " + f.state());
                }
            }
            applied++;
            if (f.state() == JobState.FAILED) {
                waits(e.record, +1);
                enqueue(e, now);
            } else {
                finished(e);
            }
        }
        trimFinished(now);
        return CompletableFuture.completedFuture(applied);
    }

    /**
     * Bounded memory: past MAX_FINISHED finished jobs the oldest finished go first (keeping a million
     * made the GC copy hundreds of MB at every young collection and cut intake by a fifth; the
     * memory store is for speed and demos, the SQLite store keeps history for --retain).
     */
    private void trimFinished(long now) {
        while (finishedCount.get() > MAX_FINISHED || finishedChars.get() > maxWaitingChars) {
            Entry e;
            synchronized (finishedOrder) {
                e = finishedOrder.pollFirst();
            }
            if (e == null) {
                return;
            }
            finishedCount.decrementAndGet();
            finishedChars.addAndGet(-e.finishedChars);
            if (e.record.state().terminal()) { // a dead job retried since is not finished any more
                jobs.remove(e.record.id(), e);
            }
        }
    }

    @Override
    public String whenHeldJobsRunAgain(boolean givenBack) {
        return "never: the memory store keeps no job past the process";
    }

    @Override
    public int release(List<Job> unstarted) {
        int n = 0;
        for (Job run : unstarted) {
            Entry e = jobs.get(run.id());
            if (e == null) {
                continue;
            }
            synchronized (e) {
                JobRecord r = e.record;
                if (r.state() != JobState.RUNNING || r.attempt() != run.attempt()) {
                    continue;
                }
                e.record = r.with(JobState.QUEUED, r.attempt() - 1, r.runAt(), 0, 0, null, r.lastError());
                waits(r, +1);
            }
            due.offer(e);
            n++;
        }
        return n;
    }

    @Override
    public Optional<JobRecord> get(String id) {
        Entry e = jobs.get(id);
        return e == null ? Optional.empty() : Optional.of(e.record);
    }

    /** At most this many earlier attempts are kept per job in memory (a job retried by hand forever stays bounded). */
    static final int MAX_ATTEMPTS_KEPT = 100;

    @Override
    public List<Attempt> attempts(String id) {
        Entry e = jobs.get(id);
        if (e == null) {
            return List.of();
        }
        synchronized (e) {
            return Attempt.all(e.earlier == null ? List.of() : List.copyOf(e.earlier), e.record, null);
        }
    }

    /** It keeps at most {@link #MAX_FINISHED} finished jobs, dropping the oldest as new ones finish. */
    @Override
    public boolean boundsFinished() {
        return true;
    }

    @Override
    public Census census() {
        record Key(JobState state, String queue) {
        }
        java.util.Map<Key, long[]> counts = new java.util.HashMap<>();
        for (Entry e : jobs.values()) {
            JobRecord r = e.record;
            long[] c = counts.computeIfAbsent(new Key(r.state(), r.queue()), k -> new long[] {0, Long.MAX_VALUE});
            c[0]++;
            if (r.state() == JobState.QUEUED || r.state() == JobState.FAILED) {
                c[1] = Math.min(c[1], r.runAt());
            }
        }
        List<Census.Row> rows = new ArrayList<>();
        counts.forEach((k, c) -> rows.add(new Census.Row(k.state(), k.queue(), c[0], c[1] == Long.MAX_VALUE ? 0 : c[1])));
        return new Census(rows);
    }

    @Override
    public Page list(JobQuery q) {
        List<JobRecord> matching = new ArrayList<>();
        for (Entry e : jobs.values()) {
            JobRecord r = e.record;
            if (q.matches(r) && (q.after() == null || r.id().compareTo(q.after()) > 0)) {
                matching.add(r);
            }
        }
        matching.sort(Comparator.comparing(JobRecord::id));
        return Page.of(matching, q);
    }

    @Override
    public CompletableFuture<Change> cancel(String id, long nowMillis) {
        Entry e = jobs.get(id);
        if (e == null) {
            return CompletableFuture.completedFuture(new Change(Change.Kind.NOT_FOUND, null));
        }
        synchronized (e) {
            JobRecord r = e.record;
            if (!r.state().waiting()) {
                return CompletableFuture.completedFuture(new Change(Change.Kind.CONFLICT, r));
            }
            e.record = r.with(JobState.CANCELLED, r.attempt(), r.runAt(), r.startedAt(), nowMillis, null, r.lastError());
            waits(r, -1);
        }
        finished(e);
        trimFinished(nowMillis);
        return CompletableFuture.completedFuture(new Change(Change.Kind.DONE, e.record));
    }

    @Override
    public CompletableFuture<Change> retry(String id, long nowMillis) {
        Entry e = jobs.get(id);
        if (e == null) {
            return CompletableFuture.completedFuture(new Change(Change.Kind.NOT_FOUND, null));
        }
        synchronized (e) {
            JobRecord r = e.record;
            if (r.state() != JobState.DEAD) {
                return CompletableFuture.completedFuture(new Change(Change.Kind.CONFLICT, r));
            }
            // A fresh set of attempts: the attempt counter restarts, the last error stays for reference,
            // and the dead attempt joins the history.
            e.remember(new Attempt(r.attempt(), "dead", r.startedAt(), r.finishedAt(), null, r.lastError()));
            e.record = new JobRecord(r.id(), r.kind(), r.payloadJson(), JobState.QUEUED, 0, r.maxAttempts(), r.createdAt(),
                    nowMillis, 0, 0, null, r.lastError(), r.queue(), r.priority());
            waits(r, +1);
        }
        due.offer(e);
        return CompletableFuture.completedFuture(new Change(Change.Kind.DONE, e.record));
    }

    @Override
    public int recover(long nowMillis) {
        return 0; // nothing survives a stop in memory
    }

    private void finished(Entry e) {
        long chars = e.record.chars();
        e.finishedChars = chars;
        synchronized (finishedOrder) {
            finishedOrder.addLast(e);
        }
        finishedCount.incrementAndGet();
        finishedChars.addAndGet(chars);
    }

    @Override
    public int prune(long finishedBeforeMillis, int max) {
        int removed = 0;
        Entry e;
        while (removed < max && (e = oldestFinished()) != null
                && (!e.record.state().terminal() || e.record.finishedAt() < finishedBeforeMillis)) {
            if (removeOldestFinished(e)) {
                finishedCount.decrementAndGet();
                finishedChars.addAndGet(-e.finishedChars);
                // A dead job retried since is not finished any more: it only leaves this list.
                if (e.record.state().terminal() && jobs.remove(e.record.id(), e)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    private Entry oldestFinished() {
        synchronized (finishedOrder) {
            return finishedOrder.peekFirst();
        }
    }

    /** Takes {@code e} off the finished list if it is still the oldest (the collector may have trimmed it). */
    private boolean removeOldestFinished(Entry e) {
        synchronized (finishedOrder) {
            if (finishedOrder.peekFirst() != e) {
                return false;
            }
            finishedOrder.pollFirst();
            return true;
        }
    }

    @Override
    public long waiting() {
        return Math.max(0, waiting.get() >> COUNT_SHIFT);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String describe() {
        return "memory (not durable; finished jobs kept " + retain.toHours() + " h, at most " + MAX_FINISHED + ")";
    }

    @Override
    public void close() {
        // nothing to release
    }

    /**
     * Due jobs by priority, each priority first in, first out. Priority 0 (the default, and nearly
     * every job) has a queue of its own, so the intake path pays one lock-free offer as before;
     * other priorities live in a sorted map consulted only when it is not empty.
     */
    private static final class DueJobs {
        private final ConcurrentLinkedQueue<Entry> normal = new ConcurrentLinkedQueue<>();
        private final java.util.concurrent.ConcurrentSkipListMap<Integer, ConcurrentLinkedQueue<Entry>> others =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        void offer(Entry e) {
            int p = e.record.priority();
            if (p == 0) {
                normal.offer(e);
            } else {
                others.computeIfAbsent(p, k -> new ConcurrentLinkedQueue<>()).offer(e);
            }
        }

        Entry poll() {
            if (others.isEmpty()) {
                return normal.poll();
            }
            boolean normalTried = false;
            for (java.util.Map.Entry<Integer, ConcurrentLinkedQueue<Entry>> q : others.entrySet()) {
                if (q.getKey() > 0 && !normalTried) {
                    normalTried = true;
                    Entry e = normal.poll();
                    if (e != null) {
                        return e;
                    }
                }
                Entry e = q.getValue().poll();
                if (e != null) {
                    return e;
                }
            }
            return normalTried ? null : normal.poll();
        }
    }
}
