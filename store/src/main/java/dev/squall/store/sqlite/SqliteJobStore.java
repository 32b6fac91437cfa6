package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import dev.squall.core.store.Capacity;
import dev.squall.store.batch.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded durable store: one SQLite file in WAL mode. Every write goes through one writer
 * thread that commits in groups ({@link GroupCommit}), so one fsync covers many jobs; a submit
 * completes only after its group is committed (with {@code fsync} on: synced to disk). The SQL is
 * {@link SqliteJobsTable}'s; this class holds admission (the count of waiting jobs, the characters
 * on their way to the file) and the writes. Reads use their own connections and never wait for
 * the writer.
 *
 * <pre>{@code
 * JobStore store = SqliteJobStore.open(Path.of("squall-data/squall.db"), 100_000, true);
 * }</pre>
 *
 * {@code fsync = false} ({@code --durability none}) keeps WAL with {@code synchronous=NORMAL}: an
 * acknowledged job survives a crash of the process, but not a power loss or a crash of the machine.
 */
public final class SqliteJobStore implements JobStore {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    /** Writes per transaction at most. */
    static final int MAX_BATCH = 1024;
    /** New jobs queued for the writer at most (then FULL). */
    static final int QUEUE = 65_536;

    /** Fails chosen batches on command, so that tests can run the rollback paths. */
    interface Faults {
        Faults NONE = batchSize -> { };

        /** Called before each commit (of a batch, or of one write run alone after a batch failed). */
        void beforeCommit(int batchSize) throws SQLException;
    }

    private final Path file;
    private final int capacity;
    private final boolean fsync;
    private final SqliteJobsTable table;
    private final GroupCommit<Write> writer;
    /** Reads of one job (quick, often on an event loop). */
    private final Connection reader;
    /**
     * Listings, on their own connection: a listing by a rare state may walk the whole table, and
     * must not make the reads of single jobs wait for it.
     */
    private final Connection lister;
    private final Object listing = new Object();
    private final OwnerLock owner;
    /** Waiting jobs (queued or failed), with the places admission reserved for inserts not yet committed. */
    private final AtomicLong waiting = new AtomicLong();
    /**
     * Characters of the large payloads (4 Ki or more) of the inserts queued and not yet committed,
     * bounded like their count. Smaller ones are bounded by the queue's count ({@link #QUEUE} of
     * them are at most 256 Mi characters): weighing only large ones keeps a counter shared by the
     * event loop and the writer off the path of every job (it cost a few percent of intake).
     */
    private final AtomicLong pendingChars = new AtomicLong();
    private final long maxPendingChars;
    /** Test hook (fault injection); never set in production. */
    private volatile Faults faults = Faults.NONE;

    private SqliteJobStore(Path file, int capacity, boolean fsync, Connection writerConnection, Connection reader, Connection lister,
                           OwnerLock owner, long maxPendingChars) throws SQLException {
        this.owner = owner;
        this.file = file;
        this.capacity = capacity;
        this.fsync = fsync;
        this.reader = reader;
        this.lister = lister;
        this.maxPendingChars = maxPendingChars;
        this.table = new SqliteJobsTable(writerConnection);
        waiting.set(SqliteJobsTable.countWaiting(reader));
        this.writer = GroupCommit.start("squall-sqlite-writer", MAX_BATCH, QUEUE, this::commit, e -> false);
    }

    /** Opens (creating or migrating) the store at {@code file}. */
    public static SqliteJobStore open(Path file, int capacity, boolean fsync) {
        return open(file, capacity, fsync, JobStore.DEFAULT_MAX_WAITING_CHARS);
    }

    /**
     * Opens the store, with a bound on the characters of payloads on their way to the file (queued
     * for the writer, not committed yet): past it, submit answers FULL, as past {@code capacity}.
     */
    public static SqliteJobStore open(Path file, int capacity, boolean fsync, long maxPendingChars) {
        OwnerLock owner = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            owner = OwnerLock.take(file.toAbsolutePath());
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(fsync ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(10_000);
            config.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
            String url = "jdbc:sqlite:" + file.toAbsolutePath();
            Connection w = DriverManager.getConnection(url, config.toProperties());
            w.setAutoCommit(false);
            int from = Schema.migrate(w);
            if (from < Schema.VERSION) {
                LOG.info("store {}: schema version {} -> {}", file, from, Schema.VERSION);
            }
            Connection r = DriverManager.getConnection(url, config.toProperties());
            Connection l = DriverManager.getConnection(url, config.toProperties());
            return new SqliteJobStore(file, capacity, fsync, w, r, l, owner, maxPendingChars);
        } catch (Exception e) {
            if (owner != null) {
                owner.release();
            }
            throw new IllegalStateException("cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
        }
    }

    // ---- the batch: what the writer thread runs in one transaction ----

    /** Runs a batch: the inserts together first (so that claims in the same batch can take them), then the rest in order. */
    private void commit(List<Write> batch) throws SQLException {
        try {
            List<Insert> inserts = new ArrayList<>();
            for (Write w : batch) {
                if (w instanceof Insert i) {
                    inserts.add(i);
                }
            }
            if (!inserts.isEmpty()) {
                List<Submission> outcomes = table.insert(inserts.stream().map(i -> new SqliteJobsTable.NewJob(i.job, i.claim)).toList());
                for (int k = 0; k < inserts.size(); k++) {
                    inserts.get(k).outcome = outcomes.get(k);
                }
            }
            for (Write w : batch) {
                if (!(w instanceof Insert)) {
                    w.run();
                }
            }
            faults.beforeCommit(batch.size());
            table.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                table.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /**
     * One write: runs inside its batch's transaction, is told the outcome after the commit. In-memory
     * bookkeeping (the count of waiting jobs) changes only in {@link #committed}, so that a batch
     * run again write by write after a failure counts nothing twice.
     */
    private abstract static class Write implements GroupCommit.Write {
        abstract void run() throws SQLException;

        abstract CompletableFuture<?> answer();

        @Override
        public void failed(Throwable cause) {
            answer().completeExceptionally(cause);
        }
    }

    /** A new job; run with the others of its batch ({@link SqliteJobsTable#insert}). */
    private final class Insert extends Write {
        final JobRecord job;
        final boolean claim;
        final CompletableFuture<Submission> answer = new CompletableFuture<>();
        Submission outcome;

        Insert(JobRecord job, boolean claim) {
            this.job = job;
            this.claim = claim;
        }

        @Override
        void run() {
            throw new UnsupportedOperationException("inserts run together");
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }

        @Override
        public void committed() {
            unweigh(job);
            boolean claimed = outcome.kind() == Submission.Kind.CREATED && outcome.job().state() == dev.squall.core.JobState.RUNNING;
            if (outcome.kind() != Submission.Kind.CREATED || claimed) {
                waiting.decrementAndGet(); // the place reserved at submit was not used, or the job runs already
            }
            answer.complete(outcome);
        }

        @Override
        public void failed(Throwable cause) {
            unweigh(job);
            waiting.decrementAndGet();
            super.failed(cause);
        }
    }

    /**
     * Every other write: a statement of the table, and by how much what it did changes the count of
     * waiting jobs (a claim lowers it, a release or a failed attempt raises it), applied on commit.
     */
    private final class Step<T> extends Write {
        interface Body<T> {
            T run() throws SQLException;
        }

        final Body<T> body;
        final java.util.function.ToLongFunction<T> waits;
        final CompletableFuture<T> answer = new CompletableFuture<>();
        T result;

        Step(Body<T> body, java.util.function.ToLongFunction<T> waits) {
            this.body = body;
            this.waits = waits;
        }

        @Override
        void run() throws SQLException {
            result = body.run();
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }

        @Override
        public void committed() {
            waiting.addAndGet(waits.applyAsLong(result));
            answer.complete(result);
        }
    }

    /** Queues a write that is never refused (claims, results, changes); answered once committed. */
    private <T> CompletableFuture<T> write(Step.Body<T> body, java.util.function.ToLongFunction<T> waits) {
        Step<T> w = new Step<>(body, waits);
        writer.submit(w);
        return w.answer;
    }

    // ---- the JobStore ----

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        return submit(job, false);
    }

    /** A due job asked to be claimed is stored running, attempt 1: it saves the claim's write, half of a job's writes. */
    @Override
    public boolean claimsOnSubmit() {
        return true;
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job, boolean claim) {
        // Reserve a place first: a full store answers at once, without a trip through the writer.
        if (!Capacity.reserve(waiting, capacity)) {
            return full();
        }
        int chars = weight(job);
        if (chars > 0) {
            long pending = pendingChars.addAndGet(chars);
            if (pending > maxPendingChars && pending != chars) { // at least one insert always fits, however large
                pendingChars.addAndGet(-chars);
                waiting.decrementAndGet();
                return full();
            }
        }
        Insert w = new Insert(job, claim);
        if (!writer.offer(w)) { // the writer's queue is full (or it stops)
            unweigh(job);
            waiting.decrementAndGet();
            return full();
        }
        return w.answer;
    }

    private static CompletableFuture<Submission> full() {
        return CompletableFuture.completedFuture(new Submission(Submission.Kind.FULL, null));
    }

    private static int weight(JobRecord job) {
        int chars = job.payloadJson().length();
        return chars >= 4096 ? chars : 0;
    }

    private void unweigh(JobRecord job) {
        int chars = weight(job);
        if (chars > 0) {
            pendingChars.addAndGet(-chars);
        }
    }

    @Override
    public List<Job> claim(int max, long nowMillis) {
        return claimDue(max, nowMillis, null).jobs();
    }

    @Override
    public JobStore.Claim claimDue(int max, long nowMillis, java.util.Set<String> queues) {
        if (queues != null) {
            return JobStore.super.claimDue(max, nowMillis, queues); // refused: one process serves every queue
        }
        return write(() -> table.claim(max, nowMillis), c -> -c.jobs().size()).join();
    }

    @Override
    public CompletableFuture<Integer> finish(List<Finish> finishes) {
        if (finishes.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        List<Finish> all = List.copyOf(finishes);
        return write(() -> table.finish(all), SqliteJobsTable.Finished::failedAgain).thenApply(SqliteJobsTable.Finished::applied);
    }

    @Override
    public int release(List<Job> unstarted) {
        if (unstarted.isEmpty()) {
            return 0;
        }
        List<Job> runs = List.copyOf(unstarted);
        return write(() -> table.release(runs), n -> n).join();
    }

    @Override
    public CompletableFuture<Change> cancel(String id, long nowMillis) {
        return write(() -> table.cancel(id, nowMillis), c -> c.kind() == Change.Kind.DONE ? -1 : 0);
    }

    @Override
    public CompletableFuture<Change> retry(String id, long nowMillis) {
        return write(() -> table.retry(id, nowMillis), c -> c.kind() == Change.Kind.DONE ? 1 : 0);
    }

    @Override
    public int recover(long nowMillis) {
        return write(() -> table.recover(nowMillis), n -> n).join();
    }

    @Override
    public int prune(long finishedBeforeMillis, int max) {
        return write(() -> table.prune(finishedBeforeMillis, max), n -> 0).join();
    }

    @Override
    public synchronized Optional<JobRecord> get(String id) {
        try {
            return Optional.ofNullable(SqliteJobsTable.get(reader, id));
        } catch (SQLException e) {
            throw new IllegalStateException("reading job " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<Attempt> attempts(String id) {
        try {
            return Attempt.all(SqliteJobsTable.history(reader, id), SqliteJobsTable.get(reader, id), null);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the attempts of job " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Census census() {
        synchronized (listing) {
            try {
                return SqliteJobsTable.census(lister);
            } catch (SQLException e) {
                throw new IllegalStateException("could not count the jobs in " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Page list(JobQuery q) {
        synchronized (listing) {
            try {
                return SqliteJobsTable.list(lister, q);
            } catch (SQLException e) {
                throw new IllegalStateException("listing jobs failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void onCommit(CommitListener listener) {
        writer.onCommit(CommitListener.ALL, listener);
    }

    /** Test hook: fail chosen batches of the writer before they commit. */
    void faults(Faults f) {
        faults = f == null ? Faults.NONE : f;
    }

    /**
     * Claims ride in the writer's batches, so a claim waits about one batch (~30 ms with 1024 inserts
     * in it): a claim of 128 jobs gave ~3,500 jobs/s end to end, one of 1024 ~30,000-35,000 jobs/s
     * (dev.squall.bench.EngineThroughput). The engine bounds what it claims ahead by what its
     * workers take in about 20 ms, so after a crash few claimed jobs that had not started run again.
     */
    @Override
    public int claimBatch() {
        return MAX_BATCH;
    }

    @Override
    public long waiting() {
        return Math.max(0, waiting.get());
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String describe() {
        return "sqlite:" + file + (fsync ? " (fsync)" : " (no fsync)");
    }

    /** Finishes every queued write, then closes the connections and gives up the file. */
    @Override
    public synchronized void close() {
        writer.close();
        try {
            table.close();
        } catch (SQLException e) {
            LOG.warn("closing the writer connection failed: {}", e.toString());
        }
        for (Connection c : List.of(reader, lister)) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing a reader of {} failed: {}", file, e.toString());
            }
        }
        owner.release();
    }
}
