package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.store.batch.ListingQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded durable store: one SQLite file in WAL mode. Every write goes through one writer
 * thread that commits in groups ({@link GroupCommitWriter}), so one fsync covers many jobs; a submit
 * completes only after its group is committed (with {@code fsync} on: synced to disk). Reads use
 * their own connection and never wait for the writer.
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
    static final String COLUMNS = "id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, finished_at, result, last_error, queue, priority";

    private final Path file;
    private final int capacity;
    private final boolean fsync;
    private final GroupCommitWriter writer;
    /** Reads of one job (quick, often on an event loop). */
    private final Connection reader;
    /**
     * Listings, on their own connection: a listing by a rare state may walk the whole table, and
     * must not make the reads of single jobs wait for it.
     */
    private final Connection lister;
    private final Object listing = new Object();
    private final OwnerLock owner;
    private final AtomicLong waiting = new AtomicLong();

    private SqliteJobStore(Path file, int capacity, boolean fsync, Connection writerConnection, Connection reader, Connection lister,
                           OwnerLock owner, long maxPendingChars) throws SQLException {
        this.owner = owner;
        this.file = file;
        this.capacity = capacity;
        this.fsync = fsync;
        this.reader = reader;
        this.lister = lister;
        this.writer = new GroupCommitWriter(writerConnection, waiting, maxPendingChars);
        try (PreparedStatement ps = reader.prepareStatement("SELECT count(*) FROM jobs WHERE state IN ('queued', 'failed')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            waiting.set(rs.getLong(1));
        }
        writer.start();
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
        if (!dev.squall.core.store.Capacity.reserve(waiting, capacity)) {
            return CompletableFuture.completedFuture(new Submission(Submission.Kind.FULL, null));
        }
        CompletableFuture<Submission> f = writer.submit(job, claim);
        if (f == null) {
            waiting.decrementAndGet();
            return CompletableFuture.completedFuture(new Submission(Submission.Kind.FULL, null));
        }
        return f;
    }

    @Override
    public List<Job> claim(int max, long nowMillis) {
        return writer.claim(max, nowMillis).join().jobs();
    }

    @Override
    public Claim claimDue(int max, long nowMillis, java.util.Set<String> queues) {
        if (queues != null) {
            return JobStore.super.claimDue(max, nowMillis, queues); // refused: one process serves every queue
        }
        return writer.claim(max, nowMillis).join();
    }

    @Override
    public CompletableFuture<Integer> finish(List<Finish> finishes) {
        return finishes.isEmpty() ? CompletableFuture.completedFuture(0) : writer.finish(finishes);
    }

    @Override
    public int release(List<Job> unstarted) {
        return unstarted.isEmpty() ? 0 : writer.release(unstarted).join();
    }

    @Override
    public synchronized Optional<JobRecord> get(String id) {
        try (PreparedStatement ps = reader.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading job " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<Attempt> attempts(String id) {
        try (PreparedStatement ps = reader.prepareStatement("SELECT attempt, outcome, started_at, ended_at, error FROM attempts "
                + "WHERE job_id = ? ORDER BY rowid")) {
            ps.setString(1, id);
            List<Attempt> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attempt(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), null, rs.getString(5)));
                }
            }
            return Attempt.all(out, get(id).orElse(null), null);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the attempts of job " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Census census() {
        synchronized (listing) {
            try (PreparedStatement ps = lister.prepareStatement("SELECT state, queue, count(*), "
                    + "coalesce(min(CASE WHEN state IN ('queued', 'failed') THEN run_at END), 0) FROM jobs GROUP BY state, queue");
                 ResultSet rs = ps.executeQuery()) {
                List<Census.Row> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Census.Row(JobState.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)), rs.getString(2),
                            rs.getLong(3), rs.getLong(4)));
                }
                return new Census(rows);
            } catch (SQLException e) {
                throw new IllegalStateException("could not count the jobs in " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void onCommit(CommitListener listener) {
        writer.onCommit(listener);
    }

    @Override
    public Page list(JobQuery q) {
        synchronized (listing) {
            return listOn(lister, q);
        }
    }

    private static Page listOn(Connection lister, JobQuery q) {
        ListingQuery sql = ListingQuery.of(q, "SELECT " + COLUMNS + " FROM jobs", "instr");
        try (PreparedStatement ps = lister.prepareStatement(sql.sql())) {
            sql.bind(ps);
            List<JobRecord> jobs = new ArrayList<>();
            long chars = 0;
            try (ResultSet rs = ps.executeQuery()) {
                // One row past the page (to know whether more follow), and no more rows than the
                // character bound needs: a page of large results is never read whole into memory.
                while (rs.next()) {
                    JobRecord r = row(rs);
                    jobs.add(r);
                    if (chars >= q.maxChars()) {
                        break;
                    }
                    chars += r.chars();
                }
            }
            return Page.of(jobs, q);
        } catch (SQLException e) {
            throw new IllegalStateException("listing jobs failed: " + e.getMessage(), e);
        }
    }

    /** Test hook: fail chosen batches of the writer before they commit (see {@link GroupCommitWriter.Faults}). */
    void faults(GroupCommitWriter.Faults faults) {
        writer.faults(faults);
    }

    @Override
    public CompletableFuture<Change> cancel(String id, long nowMillis) {
        return writer.cancel(id, nowMillis);
    }

    @Override
    public CompletableFuture<Change> retry(String id, long nowMillis) {
        return writer.retry(id, nowMillis);
    }

    @Override
    public int recover(long nowMillis) {
        return writer.recover(nowMillis).join();
    }

    @Override
    public int prune(long finishedBeforeMillis, int max) {
        return writer.prune(finishedBeforeMillis, max).join();
    }

    /**
     * Claims ride in the writer's batches, so a claim waits about one batch (~30 ms with 1024 inserts
     * in it): a claim of 128 jobs gave ~3,500 jobs/s end to end, one of 1024 ~30,000-35,000 jobs/s
     * (dev.squall.bench.EngineThroughput). The price: after a crash, up to this many claimed jobs
     * that had not started are queued again with their attempt counted.
     */
    @Override
    public int claimBatch() {
        return GroupCommitWriter.MAX_BATCH;
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

    @Override
    public synchronized void close() {
        writer.stop();
        for (Connection c : List.of(reader, lister)) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing a reader of {} failed: {}", file, e.toString());
            }
        }
        owner.release();
    }

    static JobRecord row(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), JobState.fromWire(rs.getString(4)),
                rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                rs.getString(11), rs.getString(12), rs.getString(13), rs.getInt(14));
    }
}
