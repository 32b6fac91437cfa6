package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Change;
import dev.squall.core.JobStore.Finish;
import dev.squall.core.JobStore.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that writes to the SQLite file. It takes every write waiting (up to
 * {@link #MAX_BATCH}), runs them in one transaction, commits once (one fsync for all of them), and
 * only then completes their futures: a caller told "done" is told after its write is on disk.
 * Batches grow by themselves under load; at low load a batch is one write and commits at once.
 *
 * <p>If a batch fails, it is rolled back and each write runs again alone, so one bad write fails
 * only itself. In-memory bookkeeping (the count of waiting jobs) changes only after a commit.
 */
final class GroupCommitWriter {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    static final int MAX_BATCH = 1024;
    static final int QUEUE = 65_536;

    private final Connection c;
    private final AtomicLong waiting;
    /** New jobs: many, bounded, refused when full. */
    private final ArrayBlockingQueue<Write> queue = new ArrayBlockingQueue<>(QUEUE);
    /**
     * Everything else (claims, results, cancels): few, and first in every batch, so that the workers
     * are never starved behind thousands of queued inserts.
     */
    private final java.util.concurrent.LinkedBlockingQueue<Write> control = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread thread = new Thread(this::loop, "squall-sqlite-writer");
    private volatile boolean running = true;
    /** Set once the writer has stopped and failed what was left: a write queued after that fails at once. */
    private volatile boolean closed;
    /** Test hook: may throw to fail a batch before its commit (fault injection); never set in production. */
    private volatile Faults faults = Faults.NONE;
    private final PreparedStatement byId;
    private final PreparedStatement claim;
    private final PreparedStatement fail;
    private final PreparedStatement bury;
    private final PreparedStatement cancel;
    private final PreparedStatement retry;
    private final PreparedStatement earliestWaiting;
    private final PreparedStatement rememberFailed;
    private final PreparedStatement archiveDead;

    /** Fails chosen batches on command, so that tests can run the rollback paths. */
    interface Faults {
        Faults NONE = batchSize -> { };

        /** Called before each commit (of a batch, or of one write run alone after a batch failed). */
        void beforeCommit(int batchSize) throws SQLException;
    }

    /** Told of every commit (time, writes); never null. */
    private volatile JobStore.CommitListener commits = JobStore.CommitListener.NONE;

    void onCommit(JobStore.CommitListener l) {
        commits = l == null ? JobStore.CommitListener.NONE : l;
    }

    void faults(Faults f) {
        faults = f == null ? Faults.NONE : f;
    }

    /** One write: runs inside the batch's transaction; is told the outcome after the commit. */
    private abstract static class Write {
        abstract void run() throws SQLException;

        abstract void committed();

        abstract void failed(Throwable t);
    }

    /**
     * Characters of the large payloads (4 Ki or more) of the inserts queued and not yet committed,
     * bounded like their count. Smaller ones are bounded by the queue's count ({@link #QUEUE} of
     * them are at most 256 Mi characters): weighing only large ones keeps a counter shared by the
     * event loop and this thread off the path of every job (it cost a few percent of intake).
     */
    private final AtomicLong pendingChars = new AtomicLong();
    private final long maxPendingChars;

    GroupCommitWriter(Connection c, AtomicLong waiting, long maxPendingChars) throws SQLException {
        this.c = c;
        this.waiting = waiting;
        this.maxPendingChars = maxPendingChars;
        this.byId = c.prepareStatement("SELECT " + SqliteJobStore.COLUMNS + " FROM jobs WHERE id = ?");
        this.claim = c.prepareStatement("UPDATE jobs SET state = 'running', attempt = attempt + 1, started_at = ? "
                + "WHERE rowid IN (SELECT rowid FROM jobs WHERE state IN ('queued', 'failed') AND run_at <= ? "
                + "ORDER BY priority, run_at, rowid LIMIT ?) "
                + "RETURNING id, kind, payload, attempt, max_attempts, created_at, run_at, rowid, priority, queue");
        // started_at: when a worker really started the attempt (0 keeps what the claim wrote).
        this.fail = c.prepareStatement("UPDATE jobs SET state = 'failed', run_at = ?, last_error = ?, "
                + "started_at = coalesce(nullif(?, 0), started_at), ended_at = ? WHERE id = ? AND state = 'running' AND attempt = ?");
        this.bury = c.prepareStatement("UPDATE jobs SET state = 'dead', finished_at = ?, last_error = ?, "
                + "started_at = coalesce(nullif(?, 0), started_at), ended_at = ? WHERE id = ? AND state = 'running' AND attempt = ?");
        this.cancel = c.prepareStatement("UPDATE jobs SET state = 'cancelled', finished_at = ? "
                + "WHERE id = ? AND state IN ('queued', 'failed')");
        this.retry = c.prepareStatement("UPDATE jobs SET state = 'queued', attempt = 0, run_at = ?, started_at = 0, "
                + "finished_at = 0, result = NULL WHERE id = ? AND state = 'dead'");
        this.rememberFailed = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                + "SELECT id, attempt, 'failed', started_at, ended_at, last_error FROM jobs WHERE id = ? AND state = 'failed'");
        this.archiveDead = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                + "SELECT id, attempt, 'dead', started_at, finished_at, last_error FROM jobs WHERE id = ? AND state = 'dead'");
        this.earliestWaiting = c.prepareStatement("SELECT min(run_at) FROM jobs WHERE state IN ('queued', 'failed')");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Completes once every write queued before it has committed and told its caller. */
    CompletableFuture<Integer> barrier() {
        return counted(false, () -> 0);
    }

    // ---- the writes ----

    /**
     * Queues an insert, to be stored as claimed when {@code claim} and the job is due; null when the
     * writer's queue is full, in count or in characters (the caller answers "full").
     */
    CompletableFuture<Submission> submit(JobRecord job, boolean claim) {
        int chars = weight(job);
        if (chars > 0) {
            long pending = pendingChars.addAndGet(chars);
            if (pending > maxPendingChars && pending != chars) {
                pendingChars.addAndGet(-chars); // at least one insert always fits, however large
                return null;
            }
        }
        Insert w = new Insert(job, claim);
        if (!running || !queue.offer(w)) {
            unweigh(chars);
            return null;
        }
        if (closed && queue.remove(w)) {
            unweigh(chars);
            return null; // the caller gives back the place it reserved
        }
        return w.future;
    }

    private static int weight(JobRecord job) {
        int chars = job.payloadJson().length();
        return chars >= 4096 ? chars : 0;
    }

    private void unweigh(int chars) {
        if (chars > 0) {
            pendingChars.addAndGet(-chars);
        }
    }

    /** A new job, inserted with the others of its batch by {@link #insertAll} (alone when its batch failed). */
    private final class Insert extends Write {
        final JobRecord job;
        /** The engine asked for it to be stored as claimed (if it is due). */
        final boolean claim;
        final CompletableFuture<Submission> future = new CompletableFuture<>();
        Submission result;
        /** Created as claimed: running, attempt 1 (set by {@link #insertAll}). */
        boolean claimed;

        Insert(JobRecord job, boolean claim) {
            this.job = job;
            this.claim = claim;
        }

        @Override
        void run() throws SQLException {
            insertAll(List.of(this));
        }

        Submission existing() throws SQLException {
            JobRecord existing = read(job.id());
            return new Submission(existing != null && existing.sameRequest(job)
                    ? Submission.Kind.DUPLICATE : Submission.Kind.CONFLICT, existing);
        }

        @Override
        void committed() {
            unweigh(weight(job));
            if (result.kind() != Submission.Kind.CREATED || claimed) {
                waiting.decrementAndGet(); // the place reserved at submit was not used, or the job is running already
            }
            future.complete(result);
        }

        @Override
        void failed(Throwable t) {
            unweigh(weight(job));
            waiting.decrementAndGet();
            future.completeExceptionally(t);
        }
    }

    /**
     * Inserts many jobs with a few multi-row statements (one JNI call per {@link #ROWS} rows instead
     * of one per job); RETURNING tells which rows were new, the others are repeats of existing ids.
     * A due job the engine asked to claim is stored running, attempt 1: one write per job, not two.
     */
    private void insertAll(List<Insert> inserts) throws SQLException {
        long now = System.currentTimeMillis();
        java.util.Set<String> created = new java.util.HashSet<>();
        for (int from = 0; from < inserts.size(); from += ROWS) {
            List<Insert> chunk = inserts.subList(from, Math.min(inserts.size(), from + ROWS));
            PreparedStatement ps = multiInsert(chunk.size());
            int p = 1;
            for (Insert w : chunk) {
                boolean claim = w.claim && w.job.runAt() <= now;
                ps.setString(p++, w.job.id());
                ps.setString(p++, w.job.kind());
                ps.setString(p++, w.job.payloadJson());
                ps.setString(p++, claim ? "running" : "queued");
                ps.setInt(p++, claim ? 1 : 0);
                ps.setInt(p++, w.job.maxAttempts());
                ps.setLong(p++, w.job.createdAt());
                ps.setLong(p++, w.job.runAt());
                ps.setLong(p++, claim ? now : 0);
                ps.setString(p++, w.job.queue());
                ps.setInt(p++, w.job.priority());
                w.claimed = claim;
            }
            java.util.Set<String> inserted = new java.util.HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
            for (Insert w : chunk) {
                // The first write of a new id created it; a later one in the same batch is a repeat.
                boolean isNew = inserted.contains(w.job.id()) && created.add(w.job.id());
                // The caller is told the job as stored: a job handed off is already running, attempt 1.
                w.claimed &= isNew;
                w.result = !isNew ? w.existing() : new Submission(Submission.Kind.CREATED,
                        w.claimed ? w.job.with(JobState.RUNNING, 1, w.job.runAt(), now, 0, null, null) : w.job);
            }
        }
    }

    private static final int ROWS = 64;
    private final java.util.Map<Integer, PreparedStatement> multiInserts = new java.util.HashMap<>();
    private final java.util.Map<Integer, PreparedStatement> multiSucceeds = new java.util.HashMap<>();

    private PreparedStatement multiInsert(int rows) throws SQLException {
        return multiRow(multiInserts, rows, "INSERT INTO jobs (id, kind, payload, state, attempt, max_attempts, created_at, run_at, "
                + "started_at, queue, priority) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " ON CONFLICT(id) DO NOTHING RETURNING id");
    }

    private final java.util.Map<Integer, PreparedStatement> multiSucceedsKeepingStart = new java.util.HashMap<>();

    /**
     * Successes that know when their attempt started (all of the collector's) set {@code started_at}
     * plainly; the others keep the claim's. Two statements, not one with a {@code coalesce}: the
     * expression in the hot UPDATE cost a few percent of SQLite intake (bench/scripts/ab-jars.sh).
     */
    private PreparedStatement multiSucceed(int rows, boolean withStart) throws SQLException {
        if (!withStart) {
            return multiRow(multiSucceedsKeepingStart, rows, "UPDATE jobs SET state = 'succeeded', finished_at = v.column3, "
                    + "result = v.column4, last_error = NULL FROM (VALUES ", "(?, ?, ?, ?)",
                    ") AS v WHERE jobs.id = v.column1 AND jobs.state = 'running' AND jobs.attempt = v.column2");
        }
        return multiRow(multiSucceeds, rows, "UPDATE jobs SET state = 'succeeded', finished_at = v.column3, result = v.column4, "
                + "last_error = NULL, started_at = v.column5 FROM (VALUES ", "(?, ?, ?, ?, ?)",
                ") AS v WHERE jobs.id = v.column1 AND jobs.state = 'running' AND jobs.attempt = v.column2");
    }

    /** A statement with {@code rows} copies of {@code row} between {@code head} and {@code tail}, prepared once per row count. */
    private PreparedStatement multiRow(java.util.Map<Integer, PreparedStatement> cache, int rows, String head, String row, String tail)
            throws SQLException {
        PreparedStatement ps = cache.get(rows);
        if (ps == null) {
            StringBuilder sql = new StringBuilder(head);
            for (int i = 0; i < rows; i++) {
                sql.append(i == 0 ? "" : ", ").append(row);
            }
            ps = c.prepareStatement(sql.append(tail).toString());
            cache.put(rows, ps);
        }
        return ps;
    }

    CompletableFuture<JobStore.Claim> claim(int max, long now) {
        CompletableFuture<JobStore.Claim> f = new CompletableFuture<>();
        enqueue(f, new Write() {
            final List<long[]> order = new ArrayList<>();
            final List<Job> jobs = new ArrayList<>();
            long nextDue;

            @Override
            void run() throws SQLException {
                // A failed batch runs each write again alone: start from nothing, or the rows of the
                // rolled-back run would be handed out as well (one attempt to two workers).
                jobs.clear();
                order.clear();
                claim.setLong(1, now);
                claim.setLong(2, now);
                claim.setInt(3, max);
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        jobs.add(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getLong(6),
                                rs.getString(10), rs.getLong(7)));
                        order.add(new long[] {rs.getLong(7), rs.getLong(8), jobs.size() - 1, rs.getLong(9)});
                    }
                }
                nextDue = now; // full: more may be due at once
                if (jobs.size() < max) { // every due job is claimed: when is the next one due?
                    try (ResultSet rs = earliestWaiting.executeQuery()) {
                        long earliest = rs.next() ? rs.getLong(1) : 0;
                        nextDue = rs.wasNull() ? Long.MAX_VALUE : earliest;
                    }
                }
            }

            @Override
            void committed() {
                waiting.addAndGet(-jobs.size());
                // RETURNING does not keep the ORDER BY: smaller priority, then oldest due first, as the contract says.
                order.sort(Comparator.<long[]>comparingLong(o -> o[3]).thenComparingLong(o -> o[0]).thenComparingLong(o -> o[1]));
                List<Job> sorted = new ArrayList<>(jobs.size());
                order.forEach(o -> sorted.add(jobs.get((int) o[2])));
                f.complete(new JobStore.Claim(sorted, nextDue));
            }

            @Override
            void failed(Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    CompletableFuture<Integer> finish(List<Finish> finishes) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        enqueue(f, new Write() {
            int applied;
            int failedAgain;

            @Override
            void run() throws SQLException {
                applied = 0;
                failedAgain = 0;
                List<Finish> successes = new ArrayList<>(finishes.size());
                List<Finish> others = new ArrayList<>();
                for (Finish x : finishes) {
                    (x.state() == JobState.SUCCEEDED ? successes : others).add(x);
                }
                applied += succeedAll(successes);
                for (Finish x : others) {
                    PreparedStatement ps;
                    switch (x.state()) {
                        case FAILED -> {
                            ps = fail;
                            ps.setLong(1, x.runAt());
                            ps.setString(2, x.error());
                        }
                        case DEAD -> {
                            ps = bury;
                            ps.setLong(1, x.atMillis());
                            ps.setString(2, x.error());
                        }
                        default -> throw new IllegalArgumentException("an attempt cannot end as " + x.state());
                    }
                    ps.setLong(3, x.startedAt());
                    ps.setLong(4, x.atMillis());
                    ps.setString(5, x.id());
                    ps.setInt(6, x.attempt());
                    int n = ps.executeUpdate();
                    applied += n;
                    if (x.state() == JobState.FAILED) {
                        failedAgain += n;
                        if (n > 0) { // the attempt that failed is history now: copied from the row as just written
                            rememberFailed.setString(1, x.id());
                            rememberFailed.executeUpdate();
                        }
                    }
                }
            }

            @Override
            void committed() {
                waiting.addAndGet(failedAgain);
                f.complete(applied);
            }

            @Override
            void failed(Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    CompletableFuture<Integer> release(List<Job> runs) {
        return counted(true, () -> {
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = 'queued', attempt = attempt - 1, "
                    + "started_at = 0 WHERE id = ? AND state = 'running' AND attempt = ?")) {
                for (Job j : runs) {
                    ps.setString(1, j.id());
                    ps.setInt(2, j.attempt());
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    /** A statement that counts rows; runs in a batch, answers after the commit. */
    @FunctionalInterface
    private interface Count {
        int run() throws SQLException;
    }

    /** A write whose answer is a row count; when {@code waitingRows}, those rows became waiting jobs. */
    private CompletableFuture<Integer> counted(boolean waitingRows, Count body) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        enqueue(f, new Write() {
            int n;

            @Override
            void run() throws SQLException {
                n = body.run();
            }

            @Override
            void committed() {
                if (waitingRows) {
                    waiting.addAndGet(n);
                }
                f.complete(n);
            }

            @Override
            void failed(Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Records many successes with a few multi-row UPDATE ... FROM (VALUES ...) statements, each fenced by attempt. */
    private int succeedAll(List<Finish> successes) throws SQLException {
        List<Finish> withStart = new ArrayList<>(successes.size());
        List<Finish> without = new ArrayList<>();
        for (Finish x : successes) {
            (x.startedAt() > 0 ? withStart : without).add(x);
        }
        return succeedAll(withStart, true) + succeedAll(without, false);
    }

    private int succeedAll(List<Finish> successes, boolean withStart) throws SQLException {
        int applied = 0;
        for (int from = 0; from < successes.size(); from += ROWS) {
            List<Finish> chunk = successes.subList(from, Math.min(successes.size(), from + ROWS));
            PreparedStatement ps = multiSucceed(chunk.size(), withStart);
            int p = 1;
            for (Finish x : chunk) {
                ps.setString(p++, x.id());
                ps.setInt(p++, x.attempt());
                ps.setLong(p++, x.atMillis());
                ps.setString(p++, x.resultJson());
                if (withStart) {
                    ps.setLong(p++, x.startedAt());
                }
            }
            applied += ps.executeUpdate();
        }
        return applied;
    }

    CompletableFuture<Change> cancel(String id, long now) {
        return change(id, cancel, now, -1);
    }

    CompletableFuture<Change> retry(String id, long now) {
        return change(id, retry, now, +1);
    }


    private CompletableFuture<Change> change(String id, PreparedStatement update, long now, int waitingDelta) {
        CompletableFuture<Change> f = new CompletableFuture<>();
        enqueue(f, new Write() {
            Change result;

            @Override
            void run() throws SQLException {
                if (update == retry) {
                    // The dead attempt joins the history before the retry clears it from the row.
                    archiveDead.setString(1, id);
                    archiveDead.executeUpdate();
                }
                update.setLong(1, now);
                update.setString(2, id);
                int n = update.executeUpdate();
                JobRecord r = read(id);
                result = r == null ? new Change(Change.Kind.NOT_FOUND, null)
                        : new Change(n == 1 ? Change.Kind.DONE : Change.Kind.CONFLICT, r);
            }

            @Override
            void committed() {
                if (result.kind() == Change.Kind.DONE) {
                    waiting.addAndGet(waitingDelta);
                }
                f.complete(result);
            }

            @Override
            void failed(Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    CompletableFuture<Integer> recover(long now) {
        return counted(true, () -> {
            // The attempts the stop cut short are history (a release at a clean stop gave back, with
            // started_at 0, the ones that never started).
            try (PreparedStatement h = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                    + "SELECT id, attempt, 'interrupted', started_at, 0, 'the process stopped before the attempt ended' FROM jobs "
                    + "WHERE state = 'running' AND started_at > 0")) {
                h.executeUpdate();
            }
            // A job whose last attempt was cut short still gets that attempt.
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = 'queued', run_at = ?, "
                    + "attempt = min(attempt, max_attempts - 1) WHERE state = 'running'")) {
                ps.setLong(1, now);
                return ps.executeUpdate();
            }
        });
    }

    CompletableFuture<Integer> prune(long finishedBefore, int max) {
        return counted(false, () -> {
            String slice = "SELECT rowid FROM jobs WHERE finished_at > 0 AND finished_at < ? "
                    + "AND state IN ('succeeded', 'dead', 'cancelled') LIMIT ?";
            // The same slice twice in one transaction (nothing else writes between): its history, then its jobs.
            try (PreparedStatement h = c.prepareStatement("DELETE FROM attempts WHERE job_id IN (SELECT id FROM jobs WHERE rowid IN ("
                    + slice + "))")) {
                h.setLong(1, finishedBefore);
                h.setInt(2, max);
                h.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE rowid IN (" + slice + ")")) {
                ps.setLong(1, finishedBefore);
                ps.setInt(2, max);
                return ps.executeUpdate();
            }
        });
    }

    private JobRecord read(String id) throws SQLException {
        byId.setString(1, id);
        try (ResultSet rs = byId.executeQuery()) {
            return rs.next() ? SqliteJobStore.row(rs) : null;
        }
    }

    /** Queues a write from a worker or the collector: waits for room rather than failing. */
    private void enqueue(CompletableFuture<?> f, Write w) {
        if (!running) {
            f.completeExceptionally(new IllegalStateException("the store is closed"));
            return;
        }
        control.add(w);
        if (closed && control.remove(w)) {
            w.failed(new IllegalStateException("the store is closed"));
            return;
        }
        if (queue.isEmpty()) {
            wakeUp();
        }
    }

    /** A write that does nothing: put on the insert queue, where the writer waits, to wake it. */
    private static final Write NOOP = new Write() {
        @Override
        void run() {
        }

        @Override
        void committed() {
        }

        @Override
        void failed(Throwable t) {
        }
    };

    private void wakeUp() {
        queue.offer(NOOP);
    }

    // ---- the thread ----

    private void loop() {
        List<Write> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty() || !control.isEmpty()) {
            try {
                control.drainTo(batch, MAX_BATCH);
                queue.drainTo(batch, MAX_BATCH - batch.size());
                if (batch.isEmpty()) {
                    // Sleeps until a write arrives: every control write also puts a no-op write on this
                    // queue (wakeUp), so an idle writer costs no CPU. The timeout only bounds a stop.
                    Write first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    control.drainTo(batch, MAX_BATCH - 1);
                    queue.drainTo(batch, MAX_BATCH - batch.size());
                }
                commit(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (Throwable t) {
                LOG.error("the SQLite writer failed a batch of {}; continuing", batch.size(), t);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        try {
            List<Insert> inserts = new ArrayList<>(batch.size());
            for (Write w : batch) {
                if (w instanceof Insert i) {
                    inserts.add(i);
                }
            }
            insertAll(inserts); // first, so that claims in the same batch can take them
            for (Write w : batch) {
                if (!(w instanceof Insert)) {
                    w.run();
                }
            }
            int real = 0;
            for (Write w : batch) {
                real += w == NOOP ? 0 : 1;
            }
            if (real > 0) {
                faults.beforeCommit(real);
            }
            long t0 = System.nanoTime();
            c.commit();
            if (real > 0) {
                commits.committed(System.nanoTime() - t0, real);
            }
            batch.forEach(Write::committed);
        } catch (Throwable batchError) {
            rollback();
            if (batch.size() == 1) {
                batch.getFirst().failed(batchError);
                LOG.warn("a write to the store failed: {}", batchError.toString());
                return;
            }
            // One bad write must not fail the others: run each alone.
            for (Write w : batch) {
                if (w == NOOP) {
                    continue;
                }
                try {
                    w.run();
                    faults.beforeCommit(1);
                    c.commit();
                    w.committed();
                } catch (Throwable t) {
                    rollback();
                    w.failed(t);
                    LOG.warn("a write to the store failed: {}", t.toString());
                }
            }
        }
    }

    private void rollback() {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.error("rollback failed", e);
        }
    }

    /** Finishes every queued write, then closes the connection. */
    void stop() {
        running = false;
        wakeUp();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true; // before the drain: a write queued from now on is failed by whoever queued it
        Write w;
        while ((w = queue.poll()) != null || (w = control.poll()) != null) {
            w.failed(new IllegalStateException("the store is closed"));
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.warn("closing the writer connection failed: {}", e.toString());
        }
    }
}
