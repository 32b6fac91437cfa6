package dev.squall.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import dev.squall.core.StoreHealth;
import dev.squall.store.batch.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster store: any number of Squall nodes on one PostgreSQL database, each taking jobs in and
 * running them. Writes go through one group-commit writer per node (many submits, claims and
 * finishes in one transaction) on connections of their own that never scan a table, reads through a
 * small pool; a worker never holds a connection while a job runs.
 *
 * <ul>
 *   <li>A claimed job records its node and a lease on the database's clock; {@link PgLeases} renews
 *       all of this node's leases in one statement and queues again the jobs of nodes whose leases
 *       expired. Every finish, failure and release matches (id, attempt, owner), so a node that lost
 *       its lease changes nothing with its late result (counted in {@link StoreHealth#staleResults}).</li>
 *   <li>New work reaches other nodes through one {@code NOTIFY} per committed batch ({@link PgListener}),
 *       with a poll at least every second behind it, so a lost notification delays a job, never
 *       strands it. A job this node accepts may be stored claimed by it at once, when its engine
 *       asks ({@link #submit(JobRecord, boolean)}), and then needs no claim round trip.</li>
 *   <li>While the database is away nothing here exits: writes fail fast (the pool's connection
 *       timeout) so submits get 503, claims find nothing, results wait in the engine's collector.</li>
 * </ul>
 *
 * <pre>{@code
 * JobStore store = PostgresJobStore.open(new PostgresJobStore.Options(
 *         PostgresUrl.parse("postgresql://squall@db/jobs", System.getenv("PGPASSWORD")),
 *         100_000, "node-a", Duration.ofSeconds(30), true, JobStore.DEFAULT_MAX_WAITING_CHARS));
 * }</pre>
 */
public final class PostgresJobStore implements JobStore {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    static final int MAX_BATCH = 512;
    /** How often an idle node asks the database for due jobs when nothing told it of any. */
    static final long POLL_MILLIS = 1000;

    /**
     * How to open the store.
     *
     * @param url             the database
     * @param capacity        jobs that may wait in the whole cluster before a submit is refused (429)
     * @param nodeId          this node's id: unique in the cluster, stable across its restarts if its
     *                        jobs are to be queued again at once when it comes back
     * @param lease           how long a claim holds without renewal; renewed every third of it
     * @param notifications   whether to send (and listen for) NOTIFY on new work; polling stays either way
     * @param maxPendingChars characters of payloads that may wait on their way to the database
     */
    public record Options(PostgresUrl url, int capacity, String nodeId, Duration lease, boolean notifications,
                          long maxPendingChars) {
        public Options {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1");
            }
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("a node id is needed");
            }
            if (lease.toMillis() < 300) {
                throw new IllegalArgumentException("the lease must be at least 300ms");
            }
        }
    }

    private final Options options;
    private final String node;
    private final long leaseMillis;
    private final HikariDataSource pool;
    /** The writer's and the completer's connections: {@link #writeSessionOptions} (no sequential scans). */
    private final HikariDataSource writes;
    private final GroupCommit<PgWrite> writer;
    /**
     * Finishes ride a second writer on a second connection: a collector's batch of thousands of
     * results then never holds up the submits behind it, and PostgreSQL commits the two at once.
     */
    private final GroupCommit<PgWrite> completer;
    private final PgLeases leases;
    private final PgListener listener;

    /** Waiting jobs in the cluster as last counted, plus what this node changed since; admission bounds it. */
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong pendingChars = new AtomicLong();
    /** Submits admitted and not yet answered: not in a count of the ready table until they commit. */
    private final AtomicLong pendingInserts = new AtomicLong();
    /** The runs this node holds (id to attempt, and since when its lease runs), to tell which leases need renewing and which a renewal lost. */
    final Map<String, PgLeases.Lease> held = new ConcurrentHashMap<>();
    /**
     * The batches of results on their way to the database (by batch), from when the collector hands
     * them over until their commit has been told to {@link #held}: a renewal that finds one of those
     * jobs no longer running under this node must not count its lease as lost.
     */
    final Map<Object, List<Finish>> recording = new ConcurrentHashMap<>();
    final AtomicLong staleResults = new AtomicLong();
    final AtomicLong leasesLost = new AtomicLong();
    final AtomicLong rescued = new AtomicLong();
    private volatile boolean reachable = true;
    /** How long a borrower waits for a pooled connection (HikariCP's {@code connectionTimeout}). */
    static final long CONNECTION_TIMEOUT_MILLIS = 2000;
    /**
     * How long the writers wait for a connection while the database is known to be away (HikariCP's
     * least), not {@link #CONNECTION_TIMEOUT_MILLIS}: a submit then gets its 503 in two such waits (its
     * batch, then the write alone), 0.5 s instead of 4 s ({@code ClusterTest}). Their pool holds one
     * connection for each writer, so only a database that cannot be reached makes them wait.
     */
    static final long CONNECTION_TIMEOUT_AWAY_MILLIS = 250;
    private volatile long lastTroubleLog;


    private PostgresJobStore(Options options, HikariDataSource pool, HikariDataSource writes) {
        this.options = options;
        this.node = options.nodeId();
        this.leaseMillis = options.lease().toMillis();
        this.pool = pool;
        this.writes = writes;
        this.writer = GroupCommit.start("squall-pg-writer", MAX_BATCH, this::commit, PgErrors::unavailable);
        this.completer = GroupCommit.start("squall-pg-completer", MAX_BATCH, this::commit, PgErrors::unavailable);
        this.leases = new PgLeases(this);
        this.listener = options.notifications() ? new PgListener(options.url(), node, this::workAnnounced) : null;
    }

    /** Connects, migrates the schema (one node at a time), counts the waiting jobs and starts the node's threads. */
    public static PostgresJobStore open(Options options) {
        HikariDataSource pool;
        HikariDataSource writes = null;
        String fromUrl = options.url().parameters().get("options");
        try {
            // The lease keeper and reads; the writer and the completer get two connections of their own below.
            pool = pool(options, "squall-pg", 4, sessionOptions(fromUrl));
        } catch (RuntimeException e) { // HikariCP's PoolInitializationException: the first connection failed
            throw new IllegalStateException("cannot open the PostgreSQL store at " + options.url().describe() + ": "
                    + PgErrors.describe(e), e);
        }
        try {
            writes = pool(options, "squall-pg-write", 2, writeSessionOptions(fromUrl));
            try (Connection c = pool.getConnection()) {
                int was = PgSchema.migrate(c);
                if (was < PgSchema.VERSION) {
                    LOG.info("PostgreSQL schema at {}: version {} -> {}", options.url().describe(), was, PgSchema.VERSION);
                }
                List<String> unvacuumed = PgSchema.notAutovacuumed(c);
                if (!unvacuumed.isEmpty()) {
                    LOG.warn("autovacuum is off for {} at {}: every finished job leaves a dead row there that nothing cleans up, "
                            + "so these tables and their indexes only grow and every write to them slows down; turn autovacuum "
                            + "on or VACUUM them regularly (docs/scale-out.md, \"Tuning\")", String.join(" and ", unvacuumed),
                            options.url().describe());
                }
            }
            PostgresJobStore store = new PostgresJobStore(options, pool, writes);
            try (Connection c = pool.getConnection()) {
                store.waiting.set(PgJobsTable.waiting(c));
                store.leases.beat(c);
            }
            store.leases.start();
            if (store.listener != null) {
                store.listener.start();
            }
            return store;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (writes != null) {
                writes.close();
            }
            if (e instanceof IllegalStateException | e instanceof IllegalArgumentException) {
                throw (RuntimeException) e;
            }
            // a failed statement, or the second pool's first connection (HikariCP's PoolInitializationException)
            throw new IllegalStateException("cannot open the PostgreSQL store at " + options.url().describe() + ": "
                    + PgErrors.describe(e), e);
        }
    }

    /** A pool of at most {@code size} connections whose sessions start with {@code sessionOptions}. */
    private static HikariDataSource pool(Options o, String name, int size, String sessionOptions) {
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(o.url().jdbcUrl());
        h.setDataSourceProperties(o.url().properties());
        h.setUsername(o.url().user());
        if (o.url().password() != null) {
            h.setPassword(o.url().password());
        }
        // Small on purpose: a pool larger than a few per core only queues work inside PostgreSQL.
        h.setMaximumPoolSize(size);
        h.setMinimumIdle(Math.min(2, size));
        h.setPoolName(name);
        // Fail fast while the database is away: the submit becomes a 503, never a hang. Once it is
        // known away, the writers wait less (writerConnection()).
        h.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        h.setValidationTimeout(1000);
        h.setKeepaliveTime(60_000);
        h.setMaxLifetime(1_800_000);
        h.setInitializationFailTimeout(5000);
        h.addDataSourceProperty("tcpKeepAlive", "true");
        h.addDataSourceProperty("connectTimeout", "5");
        h.addDataSourceProperty("socketTimeout", "30");
        h.addDataSourceProperty("ApplicationName", applicationName(o.nodeId()));
        h.addDataSourceProperty("options", sessionOptions);
        return new HikariDataSource(h);
    }

    /**
     * The writer's and the completer's sessions: {@link #sessionOptions}, and no sequential scans.
     * Every statement they run reaches its rows by an index or by their place, but the planner judges
     * by statistics taken while the job tables were young or small: then it read the whole job table
     * to record a collector's batch (a hash join) and the whole ready table for a claim
     * ({@code PgJobsTableTest} shows both). With sequential scans off it takes the indexes even then,
     * but it can read an index whole as well, so: the writes to running jobs test their fence between
     * the batch and the table ({@code PgJobsTable.FENCE}), where no statistics can shrink the table's
     * side, and hash and merge joins are off here, so that it cannot read the whole table to hash it against
     * the batch instead of looking each row up (each statement of these sessions joins a batch to a
     * table by key or by place). JIT compilation is off: it never pays for statements of a few
     * milliseconds, and a plan that had to keep a disabled step would be costed high enough to
     * start it.
     */
    static String writeSessionOptions(String fromUrl) {
        return sessionOptions(fromUrl) + " " + PgJobsTable.BY_KEY_OPTIONS;
    }

    /**
     * Settings for every session of the pool, given at connection start (the driver's {@code options}),
     * after any the URL gives. A statement that cannot finish in time is the database's trouble, not a
     * reason to hang a node.
     */
    static String sessionOptions(String fromUrl) {
        String ours = "-c statement_timeout=15s -c idle_in_transaction_session_timeout=60s";
        return fromUrl == null || fromUrl.isBlank() ? ours : fromUrl + " " + ours;
    }

    static String applicationName(String node) {
        String n = "squall-" + node;
        return n.length() > 63 ? n.substring(0, 63) : n;
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    String node() {
        return node;
    }

    long leaseMillis() {
        return leaseMillis;
    }

    /** The keeper of this node's leases (tests run a renewal of their own). */
    PgLeases leaseKeeper() {
        return leases;
    }

    private volatile Runnable onNewWork = () -> { };

    /** Another node announced work (or the listener reconnected): the engine is told, and looks at its next claim. */
    private void workAnnounced() {
        onNewWork.run();
    }

    @Override
    public void onNewWork(Runnable wake) {
        this.onNewWork = wake == null ? () -> { } : wake;
    }

    // ---- writes: each rides in the writer's next batch ----

    /** A write: runs inside the batch's transaction, answers its caller once the batch is committed. */
    abstract class PgWrite implements GroupCommit.Write {
        /**
         * When the write was made (System.nanoTime): before its transaction began, so before the
         * database's now() that any lease it sets counts from.
         */
        final long madeNanos = System.nanoTime();

        abstract void run(Connection c) throws SQLException;

        /** The caller's answer, failed with the cause when the write is. */
        abstract CompletableFuture<?> answer();

        @Override
        public void failed(Throwable cause) {
            trouble(cause);
            answer().completeExceptionally(cause);
        }
    }

    /** Whether a result of that attempt of that job is on its way to the database, sent by this node. */
    boolean recordingResultOf(String id, int attempt) {
        for (List<Finish> batch : recording.values()) {
            for (Finish f : batch) {
                if (f.attempt() == attempt && f.id().equals(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** This node no longer holds that attempt of that job (a later attempt it may hold stays); whether it did. */
    private boolean forget(String id, int attempt) {
        boolean[] was = new boolean[1];
        held.computeIfPresent(id, (k, lease) -> {
            was[0] = lease.attempt() == attempt;
            return was[0] ? null : lease;
        });
        return was[0];
    }

    private final class Insert extends PgWrite {
        final JobRecord job;
        /** The engine asked for it to be stored as claimed by this node (if it is due). */
        final boolean claim;
        final CompletableFuture<Submission> answer = new CompletableFuture<>();
        Submission outcome;
        /** Created as claimed by this node (set by insertAll). */
        boolean claimed;

        Insert(JobRecord job, boolean claim) {
            this.job = job;
            this.claim = claim;
        }

        @Override
        void run(Connection c) {
            throw new UnsupportedOperationException("inserts run together, in insertAll");
        }

        @Override
        public void committed() {
            release();
            if (claimed) {
                held.put(job.id(), new PgLeases.Lease(1, madeNanos));
            }
            if (outcome.kind() != Submission.Kind.CREATED || claimed) {
                waiting.decrementAndGet(); // the place admission took is not a waiting job
            }
            answer.complete(outcome);
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }

        @Override
        public void failed(Throwable cause) {
            release();
            waiting.decrementAndGet();
            super.failed(cause);
        }

        private void release() {
            pendingInserts.decrementAndGet();
            if (job.payloadJson().length() >= 4096) {
                pendingChars.addAndGet(-job.payloadJson().length());
            }
        }
    }

    private final class Claim extends PgWrite {
        final int max;
        final long now;
        final String[] queues;
        final java.util.Set<String> asked;
        final CompletableFuture<JobStore.Claim> answer = new CompletableFuture<>();
        List<Job> got;
        long due;

        Claim(int max, long now, java.util.Set<String> queues) {
            this.max = max;
            this.now = now;
            this.asked = queues;
            this.queues = queues == null ? null : queues.stream().sorted().toArray(String[]::new);
        }

        @Override
        void run(Connection c) throws SQLException {
            JobStore.Claim claim = PgJobsTable.claim(c, max, now, node, leaseMillis, queues);
            got = claim.jobs();
            due = claim.nextDueMillis();
        }

        @Override
        public void committed() {
            for (Job j : got) {
                held.put(j.id(), new PgLeases.Lease(j.attempt(), madeNanos));
            }
            waiting.addAndGet(-got.size());
            answer.complete(new JobStore.Claim(got, due));
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }
    }

    private final class Finishes extends PgWrite {
        final List<Finish> finishes;
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        PgJobsTable.Finished done;

        Finishes(List<Finish> finishes) {
            this.finishes = finishes;
            recording.put(this, finishes);
        }

        @Override
        public void failed(Throwable cause) {
            recording.remove(this);
            super.failed(cause);
        }

        @Override
        void run(Connection c) throws SQLException {
            done = PgJobsTable.finish(c, finishes, node);
        }

        @Override
        public void committed() {
            int stale = finishes.size() - done.applied();
            java.util.Set<String> applied = stale > 0 ? new java.util.HashSet<>(done.appliedIds()) : java.util.Set.of();
            int lost = 0;
            for (Finish f : finishes) {
                boolean wasHeld = forget(f.id(), f.attempt());
                if (wasHeld && stale > 0 && !applied.contains(f.id())) {
                    lost++; // refused while this node still held it: a lease lost that no renewal counted
                }
            }
            recording.remove(this); // after held is told: a renewal sees the one or the other
            waiting.addAndGet(done.requeued());
            if (stale > 0) {
                staleResults.addAndGet(stale);
                leasesLost.addAndGet(lost);
                LOG.warn("{} results were refused: their attempts no longer belong to node {} (its lease expired and "
                        + "another node took them over{})", stale, node, lost > 0 ? "; " + lost + " of those leases lost while their results were on their way" : "");
            }
            answer.complete(done.applied());
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }
    }

    /** A write with a count for an answer. */
    private final class Counted extends PgWrite {
        interface Body {
            int run(Connection c) throws SQLException;
        }

        final Body body;
        final Runnable after;
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        int n;

        Counted(Body body, Runnable after) {
            this.body = body;
            this.after = after;
        }

        @Override
        void run(Connection c) throws SQLException {
            n = body.run(c);
        }

        @Override
        public void committed() {
            after.run();
            answer.complete(n);
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }
    }

    private final class Changed extends PgWrite {
        interface Body {
            JobRecord run(Connection c) throws SQLException;
        }

        final String id;
        final Body body;
        final int waitingDelta;
        final CompletableFuture<Change> answer = new CompletableFuture<>();
        Change outcome;

        Changed(String id, Body body, int waitingDelta) {
            this.id = id;
            this.body = body;
            this.waitingDelta = waitingDelta;
        }

        @Override
        void run(Connection c) throws SQLException {
            JobRecord changed = body.run(c);
            if (changed != null) {
                outcome = new Change(Change.Kind.DONE, changed);
            } else {
                JobRecord now = PgJobsTable.get(c, id);
                outcome = new Change(now == null ? Change.Kind.NOT_FOUND : Change.Kind.CONFLICT, now);
            }
        }

        @Override
        public void committed() {
            if (outcome.kind() == Change.Kind.DONE) {
                waiting.addAndGet(waitingDelta);
            }
            answer.complete(outcome);
        }

        @Override
        CompletableFuture<?> answer() {
            return answer;
        }
    }

    /**
     * Runs one batch in one transaction: the inserts together first, then the rest in order. A batch
     * of new jobs only is one statement (its notification included) in a transaction of its own: one
     * round trip instead of three (the insert, the NOTIFY, the COMMIT). Under a steady 2,500 submits
     * a second a node's batches carry three or four jobs, and those round trips were most of the
     * writer's CPU (async-profiler: the socket's reads and writes).
     */
    private void commit(List<PgWrite> batch) throws SQLException {
        List<Insert> inserts = new ArrayList<>();
        for (PgWrite w : batch) {
            if (w instanceof Insert i) {
                inserts.add(i);
            }
        }
        try (Connection c = writerConnection()) {
            if (inserts.size() == batch.size()) {
                c.setAutoCommit(true); // the answer comes once PostgreSQL has committed it
                insertAll(c, inserts);
                reached();
                return;
            }
            c.setAutoCommit(false);
            try {
                if (!inserts.isEmpty()) {
                    insertAll(c, inserts);
                }
                for (PgWrite w : batch) {
                    if (!(w instanceof Insert)) {
                        w.run(c);
                    }
                }
                c.commit();
                reached();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the pool drops it
                }
                throw e;
            }
        }
    }

    /**
     * Inserts the batch's new jobs in one statement, the due ones the engine asked to claim as
     * claimed by this node; sets every insert's outcome. When due jobs were left waiting, which other
     * nodes may take, the statement notifies them.
     */
    private void insertAll(Connection c, List<Insert> inserts) throws SQLException {
        long now = System.currentTimeMillis();
        Map<String, Insert> first = new HashMap<>();
        List<Insert> repeats = new ArrayList<>();
        List<PgJobsTable.NewRow> rows = new ArrayList<>(inserts.size());
        for (Insert i : inserts) {
            i.outcome = null;
            i.claimed = false;
            if (first.putIfAbsent(i.job.id(), i) != null) {
                repeats.add(i);
                continue;
            }
            boolean claim = i.claim && i.job.runAt() <= now;
            i.claimed = claim;
            rows.add(new PgJobsTable.NewRow(i.job, i.job.queue(), i.job.priority(), claim ? node : null, now));
        }
        List<String> inserted = PgJobsTable.insert(c, rows, leaseMillis, listener == null ? null : node, now);
        java.util.Set<String> fresh = new java.util.HashSet<>(inserted);
        List<String> existing = new ArrayList<>();
        for (Insert i : first.values()) {
            if (!fresh.contains(i.job.id())) {
                existing.add(i.job.id());
            }
        }
        Map<String, JobRecord> found = PgJobsTable.byIds(c, existing);
        for (Insert i : first.values()) {
            if (fresh.contains(i.job.id())) {
                // The caller is told the job as stored: one handed to this node is already running, attempt 1.
                i.outcome = new Submission(Submission.Kind.CREATED, i.claimed
                        ? i.job.with(dev.squall.core.JobState.RUNNING, 1, i.job.runAt(), now, 0, null, null) : i.job);
            } else {
                i.claimed = false;
                JobRecord there = found.get(i.job.id());
                if (there == null) { // deleted in between (pruned): a conflict to be safe, nothing created
                    i.outcome = new Submission(Submission.Kind.CONFLICT, i.job);
                } else {
                    i.outcome = new Submission(there.sameRequest(i.job) ? Submission.Kind.DUPLICATE : Submission.Kind.CONFLICT, there);
                }
            }
        }
        for (Insert r : repeats) {
            Insert f = first.get(r.job.id());
            JobRecord there = f.outcome.job();
            r.outcome = new Submission(there.sameRequest(r.job) ? Submission.Kind.DUPLICATE : Submission.Kind.CONFLICT, there);
        }
    }

    // ---- the JobStore ----

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        return submit(job, false);
    }

    /** A due job asked to be claimed is stored claimed by this node: no claim round trip, no NOTIFY for it. */
    @Override
    public boolean claimsOnSubmit() {
        return true;
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job, boolean claim) {
        long w;
        do {
            w = waiting.get();
            if (w >= options.capacity()) {
                return CompletableFuture.completedFuture(new Submission(Submission.Kind.FULL, job));
            }
        } while (!waiting.compareAndSet(w, w + 1));
        int chars = job.payloadJson().length();
        if (chars >= 4096 && pendingChars.addAndGet(chars) > options.maxPendingChars()) {
            pendingChars.addAndGet(-chars);
            waiting.decrementAndGet();
            return CompletableFuture.completedFuture(new Submission(Submission.Kind.FULL, job));
        }
        Insert i = new Insert(job, claim);
        pendingInserts.incrementAndGet();
        writer.submit(i);
        return i.answer;
    }

    @Override
    public List<Job> claim(int max, long nowMillis) {
        return claim(max, nowMillis, null);
    }

    @Override
    public boolean servesSomeQueues() {
        return true;
    }

    @Override
    public List<Job> claim(int max, long nowMillis, java.util.Set<String> queues) {
        return claimDue(max, nowMillis, queues).jobs();
    }

    @Override
    public JobStore.Claim claimDue(int max, long nowMillis, java.util.Set<String> queues) {
        Claim w = new Claim(max, nowMillis, queues);
        writer.submit(w);
        try {
            return w.answer.join();
        } catch (CompletionException e) {
            // Logged by trouble(). The engine asks again at the next poll, or sooner on news (the
            // listener's reconnect announces work): not at every tick while the database is away.
            return new JobStore.Claim(List.of(), nowMillis + POLL_MILLIS);
        }
    }

    /** Other nodes' delayed jobs and expired leases are found by looking at least this often; NOTIFY brings the rest sooner. */
    @Override
    public long pollMillis() {
        return POLL_MILLIS;
    }

    @Override
    public CompletableFuture<Integer> finish(List<Finish> finishes) {
        if (finishes.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Finishes w = new Finishes(List.copyOf(finishes));
        completer.submit(w);
        return w.answer;
    }

    @Override
    public String whenHeldJobsRunAgain(boolean givenBack) {
        return givenBack ? "as soon as a node that serves their queue claims them, with the same attempt"
                : "once their lease (" + leaseMillis + " ms) runs out, on any node that serves their queue";
    }

    @Override
    public int release(List<Job> unstarted) {
        if (unstarted.isEmpty()) {
            return 0;
        }
        List<Job> runs = List.copyOf(unstarted);
        AtomicLong n = new AtomicLong();
        Counted w = new Counted(c -> {
            int r = PgJobsTable.release(c, runs, node);
            n.set(r);
            return r;
        }, () -> {
            runs.forEach(j -> forget(j.id(), j.attempt()));
            waiting.addAndGet(n.get());
        });
        writer.submit(w);
        return w.answer.join();
    }

    @Override
    public List<Attempt> attempts(String id) {
        return read("read", c -> PgJobsTable.attempts(c, id));
    }

    @Override
    public Census census() {
        return read("counted", PgJobsTable::census);
    }

    /** The cluster's whole census, counted by one node for all while it is younger than {@code shareFor} (PgJobsTable.sharedCensus). */
    @Override
    public Census census(java.time.Duration shareFor) {
        return read("counted", c -> PgJobsTable.sharedCensus(c, shareFor.toMillis()));
    }

    @Override
    public Census censusOfUnfinished() {
        return read("counted", PgJobsTable::censusOfUnfinished);
    }

    @Override
    public void onCommit(CommitListener listener) {
        writer.onCommit(CommitListener.JOBS, listener);
        completer.onCommit(CommitListener.RESULTS, listener);
    }

    @Override
    public Optional<JobRecord> get(String id) {
        return Optional.ofNullable(read("read", c -> PgJobsTable.get(c, id)));
    }

    @Override
    public Page list(JobQuery query) {
        return read("read", c -> PgJobsTable.list(c, query));
    }

    /** One read on a pooled connection, outside the writers: a failure marks the database unreachable and says so. */
    @FunctionalInterface
    private interface Read<T> {
        T on(Connection c) throws SQLException;
    }

    private <T> T read(String verb, Read<T> read) {
        try (Connection c = pool.getConnection()) {
            T t = read.on(c);
            reached();
            return t;
        } catch (SQLException e) {
            trouble(e);
            throw new IllegalStateException("the PostgreSQL store could not be " + verb + ": " + PgErrors.describe(e), e);
        }
    }

    @Override
    public CompletableFuture<Change> cancel(String id, long nowMillis) {
        Changed w = new Changed(id, c -> PgJobsTable.cancel(c, id, nowMillis), -1);
        writer.submit(w);
        return w.answer;
    }

    @Override
    public CompletableFuture<Change> retry(String id, long nowMillis) {
        Changed w = new Changed(id, c -> PgJobsTable.retry(c, id, nowMillis), +1);
        writer.submit(w);
        return w.answer;
    }

    /**
     * At start: queues again the jobs this node's previous life left running (same node id) and any
     * whose lease expired. Other nodes' live jobs are left alone.
     */
    @Override
    public int recover(long nowMillis) {
        int total = 0;
        int n;
        do {
            n = rescue(nowMillis, node);
            total += n;
        } while (n >= PgLeases.RESCUE_SLICE);
        return total;
    }

    /**
     * Queues again up to a slice of jobs whose leases expired (and {@code owner}'s, when not null),
     * on a connection of its own: the lease keeper must never wait behind the writer's queue.
     */
    int rescue(long nowMillis, String owner) {
        try (Connection c = pool.getConnection()) {
            return rescue(c, nowMillis, owner);
        } catch (SQLException e) {
            trouble(e);
            throw new IllegalStateException("the PostgreSQL store could not queue expired jobs again: " + PgErrors.describe(e), e);
        }
    }

    int rescue(Connection c, long nowMillis, String owner) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            int n = PgJobsTable.rescue(c, nowMillis, owner, PgLeases.RESCUE_SLICE);
            if (n > 0 && listener != null) {
                PgJobsTable.notifyWork(c, node);
            }
            c.commit();
            if (n > 0) {
                waiting.addAndGet(n);
                onNewWork.run(); // jobs of a lost lease wait again: news for this node's engine too
            }
            return n;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @Override
    public int prune(long finishedBeforeMillis, int max) {
        Counted w = new Counted(c -> PgJobsTable.prune(c, finishedBeforeMillis, max), () -> { });
        writer.submit(w);
        return w.answer.join();
    }

    /** The writes of this node told their outcome so far, and whether none is in flight. */
    long settledWrites() {
        return writer.settled() + completer.settled();
    }

    boolean writesIdle() {
        return writer.idle() && completer.idle();
    }

    /**
     * Sets the waiting count from the database (the whole cluster's). Exact when none of this node's
     * writes was in flight while it was counted ({@code quiet}); otherwise a write that committed
     * after the count but was accounted before this call would be counted twice or lost, so the
     * count is only taken then when the last one is older than 5 s, with the submits on their way.
     */
    void recount(long counted, boolean quiet) {
        long now = System.nanoTime();
        if (quiet) {
            waiting.set(counted);
            lastRecountNanos = now;
        } else if (now - lastRecountNanos > 5_000_000_000L) {
            waiting.set(counted + Math.max(0, pendingInserts.get()));
            lastRecountNanos = now;
        }
    }

    private volatile long lastRecountNanos = System.nanoTime();

    @Override
    public long waiting() {
        return Math.max(0, waiting.get());
    }

    @Override
    public int capacity() {
        return options.capacity();
    }

    /** Large claims: one transaction for many jobs, as on SQLite. */
    @Override
    public int claimBatch() {
        return MAX_BATCH;
    }

    @Override
    public void shareFigures(java.util.function.Supplier<String> mine) {
        leases.shareFigures(mine);
    }

    @Override
    public java.util.Map<String, String> peerFigures() {
        return leases.peerFigures();
    }

    @Override
    public StoreHealth health() {
        return new StoreHealth(reachable, node, leases.nodes(), staleResults.get(), leasesLost.get(), rescued.get());
    }

    @Override
    public String describe() {
        return options.url().describe() + " (node " + node + ", lease " + leaseMillis + " ms, notify "
                + (options.notifications() ? "on" : "off") + ")";
    }

    /** Remembers that the database failed us, and says so at most every 5 s. */
    void trouble(Throwable cause) {
        if (!PgErrors.unavailable(cause)) {
            return;
        }
        reachable = false;
        long now = System.nanoTime();
        if (now - lastTroubleLog > 5_000_000_000L) {
            lastTroubleLog = now;
            LOG.warn("PostgreSQL cannot be reached ({}); submits get 503 and results wait in memory until it is back",
                    PgErrors.describe(cause));
        }
    }

    void reached() {
        reachable = true;
    }

    /**
     * A connection for a writer's batch: while the database is known to be away, waited for
     * {@link #CONNECTION_TIMEOUT_AWAY_MILLIS} at most. HikariCP takes a timeout per borrow on its pool;
     * a timeout changed in its configuration reaches the pool only at its next housekeeping (30 s).
     */
    private Connection writerConnection() throws SQLException {
        if (!reachable && writes.getHikariPoolMXBean() instanceof com.zaxxer.hikari.pool.HikariPool p) {
            return p.getConnection(CONNECTION_TIMEOUT_AWAY_MILLIS);
        }
        return writes.getConnection();
    }

    @Override
    public void close() {
        leases.stop();
        if (listener != null) {
            listener.stop();
        }
        writer.close();
        completer.close();
        writes.close();
        try (Connection c = pool.getConnection()) {
            PgJobsTable.leave(c, node);
        } catch (SQLException e) {
            LOG.debug("could not remove node {} from the node table: {}", node, e.toString());
        }
        pool.close();
    }
}
