package dev.squall.store.postgres;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.StoreHealth;
import dev.squall.store.batch.ListingQuery;
import dev.squall.store.batch.PriorityWalk;
import dev.squall.core.JobStore.Finish;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All the SQL of the PostgreSQL store, and the mapping of its rows. Every statement takes a
 * connection the caller owns (in or out of a transaction); nothing here holds state.
 *
 * <p>Fencing: every statement that ends, fails or gives back an attempt matches {@code (id,
 * attempt, owner)} on a running job. The attempt number only ever grows (a rescue never lowers it),
 * so a node that lost a lease can never finish the attempt that replaced its own.
 */
final class PgJobsTable {
    static final String COLUMNS = "id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
            + "finished_at, result, last_error, queue, priority";
    /** {@link #COLUMNS} of the alias {@code j}, for an UPDATE ... FROM that returns them. */
    private static final String J_COLUMNS = "j." + COLUMNS.replace(", ", ", j.");
    static final String CHANNEL = "squall_jobs";
    /**
     * The planner settings of the sessions that write jobs ({@code PostgresJobStore.writeSessionOptions}):
     * rows are reached by key or by place, never by reading a table whole. The lease keeper's renewal
     * sets them for its own transaction ({@link #renew}).
     */
    static final String BY_KEY_OPTIONS;
    private static final String BY_KEY_LOCAL;

    static {
        List<String> off = List.of("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "jit");
        BY_KEY_OPTIONS = String.join(" ", off.stream().map(k -> "-c " + k + "=off").toList());
        BY_KEY_LOCAL = String.join("; ", off.stream().map(k -> "SET LOCAL " + k + " = off").toList());
    }

    private PgJobsTable() {
    }

    /** The work of {@link #inTransaction}. */
    @FunctionalInterface
    interface TransactionBody<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code body} in a transaction: its own when {@code c} is in autocommit (committed after,
     * rolled back when it fails), else the caller's, which the caller ends.
     */
    static <T> T inTransaction(Connection c, TransactionBody<T> body) throws SQLException {
        boolean own = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T t = body.run();
            if (own) {
                c.commit();
            }
            return t;
        } catch (SQLException | RuntimeException e) {
            if (own) {
                c.rollback();
            }
            throw e;
        } finally {
            c.setAutoCommit(own);
        }
    }

    /**
     * Gives a pooled session (the lease keeper's, not a writer's) the writers' planner settings
     * ({@link #BY_KEY_OPTIONS}) until its transaction ends; {@code c} must be in one.
     */
    private static void byKeyInThisTransaction(Connection c) throws SQLException {
        if (c.getAutoCommit()) {
            throw new IllegalStateException("SET LOCAL outside a transaction changes nothing");
        }
        try (Statement s = c.createStatement()) {
            s.execute(BY_KEY_LOCAL);
        }
    }

    /**
     * How every write that joins rows of its own ({@code other}: a batch, or rows a statement picked
     * or deleted) to the job table {@code j} finds them: {@code j.id = ANY(ARRAY[other])}, one
     * primary-key lookup per row, whatever the job table's statistics say.
     *
     * <p>Why not {@code j.id = other}: an equality between two columns lets the planner read the job
     * table in key order and merge, so it also considers reading the job table whole, through its
     * primary key, as the outer side of a nested loop. It takes that plan whenever the statistics
     * make the job table look tiny, and they say it holds no rows at all (however much it grew
     * since) after it was analysed once emptied with its pages still there: after a prune, or
     * while a VACUUM holds off the next ANALYZE. The batch was then read once per job: renewing
     * 4,000 leases of 40,000 jobs took 50 s in psql (1,013 ms for 938 leases and 1,424 ms for a
     * batch of results in auto_explain's log of bench/postgres-bench.sh runs with two nodes). A
     * {@code = ANY} is no merge key, so in the writers' sessions (sequential scans off,
     * {@link #BY_KEY_OPTIONS}) the only way left to the job table is the lookup by key, and
     * concurrent changes are re-checked on the row as they were ({@code PgJobsTableTest} counts the
     * rows read with such statistics).
     */
    private static String byKey(String other) {
        return byKey("j.id", other);
    }

    /** {@link #byKey(String)} for a key other than the job table's. */
    private static String byKey(String key, String other) {
        return key + " = ANY(ARRAY[" + other + "])";
    }

    /**
     * A batch given as one array parameter per column, as the rows of {@code alias}: {@code (SELECT
     * unnest(?::text[]) AS id, unnest(?::int[]) AS att, ...) AS alias}, each column {@code "name
     * type"} or an expression with its name ({@code "unnest(...) AS name"}, the arrays the fence
     * builds); the arrays zipped in order, as a multi-argument {@code unnest} would.
     *
     * <p>Why in a select list and not {@code FROM unnest(?, ?, ...) AS d(id, att, ...)}: in
     * {@code FROM}, PostgreSQL materializes each array in a tuplestore of its own, and a dozen
     * of them took the backend's heap past glibc's trim threshold, so that every statement grew
     * the heap and gave it back at its end ({@code brk}). On a virtual machine each give-back
     * flushes the TLBs of the other cores by interrupt: 12-29% of the writers' backends' CPU in
     * {@code perf} at about 11,700 jobs/s on two nodes (docs/benchmarks.md). In a select list the
     * arrays are read in step, one element at a time, with nothing materialized
     * ({@code PgJobsTableTest} watches the backend's data segment). A subquery with set-returning
     * functions in its select list is never pulled up into the statement around it, so its
     * columns stay columns there (the fence needs that, {@link #FENCE_COLUMNS}).
     */
    static String batch(String alias, String... columns) {
        StringBuilder b = new StringBuilder("(SELECT ");
        for (int i = 0; i < columns.length; i++) {
            String c = columns[i];
            if (i > 0) {
                b.append(", ");
            }
            if (c.contains(" AS ")) {
                b.append(c);
            } else {
                int space = c.indexOf(' ');
                b.append("unnest(?::").append(c.substring(space + 1)).append("[]) AS ").append(c, 0, space);
            }
        }
        return b.append(") AS ").append(alias).toString();
    }

    static JobRecord row(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), JobState.fromWire(rs.getString(4)),
                rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                rs.getString(11), rs.getString(12), rs.getString(13), rs.getInt(14));
    }

    /** The new jobs of {@link #insert}, {@code d}, one array parameter per column ({@link #batch}). */
    private static final String NEW_ROWS = batch("d", "id text", "queue text", "priority int", "kind text", "payload text",
            "state text", "attempt int", "max_attempts int", "created_at bigint", "run_at bigint", "started_at bigint", "owner text");

    /** One row to insert; {@code owner} non-null stores it claimed by that node (attempt 1, leased). */
    record NewRow(JobRecord job, String queue, int priority, String owner, long startedAt) {
    }

    /**
     * Inserts the rows that do not exist yet; returns the ids it inserted. Ready rows go to the ready
     * table, and when any of them is due by {@code dueBy} and {@code notifyAs} is not null, the same
     * statement notifies the listening nodes ({@link #notifyWork}'s message, sent at commit): one
     * statement, so that a batch of new jobs alone is one round trip in its own transaction.
     */
    static List<String> insert(Connection c, List<NewRow> unordered, long leaseMillis, String notifyAs, long dueBy)
            throws SQLException {
        List<NewRow> rows = new ArrayList<>(unordered);
        rows.sort(Comparator.comparing(r -> r.job().id())); // every multi-row write locks rows in id order: no deadlocks
        int n = rows.size();
        String[] ids = new String[n], queues = new String[n], kinds = new String[n], payloads = new String[n],
                states = new String[n], owners = new String[n];
        Integer[] priorities = new Integer[n], attempts = new Integer[n], maxAttempts = new Integer[n];
        Long[] created = new Long[n], runAt = new Long[n], started = new Long[n];
        for (int i = 0; i < n; i++) {
            NewRow r = rows.get(i);
            JobRecord j = r.job();
            ids[i] = j.id();
            queues[i] = r.queue();
            priorities[i] = r.priority();
            kinds[i] = j.kind();
            payloads[i] = j.payloadJson();
            boolean claimed = r.owner() != null;
            states[i] = claimed ? JobState.RUNNING.wireName() : JobState.QUEUED.wireName();
            attempts[i] = claimed ? 1 : 0;
            maxAttempts[i] = j.maxAttempts();
            created[i] = j.createdAt();
            runAt[i] = j.runAt();
            started[i] = claimed ? r.startedAt() : 0L;
            owners[i] = r.owner();
        }
        String sql = """
                WITH ins AS (
                  INSERT INTO squall_job (id, queue, priority, kind, payload, state, attempt, max_attempts, created_at,
                                          run_at, started_at, owner, lease_until)
                  SELECT d.id, d.queue, d.priority, d.kind, d.payload, d.state, d.attempt, d.max_attempts, d.created_at,
                         d.run_at, d.started_at, d.owner,
                         CASE WHEN d.owner IS NULL THEN NULL ELSE now() + ? * interval '1 millisecond' END
                  FROM %s
                  ON CONFLICT (id) DO NOTHING
                  RETURNING id, queue, priority, run_at, state),
                ready AS (
                  INSERT INTO squall_ready (id, queue, priority, run_at)
                  SELECT id, queue, priority, run_at FROM ins WHERE state = 'queued'
                  RETURNING run_at)
                """.formatted(NEW_ROWS) + (notifyAs == null ? "SELECT id FROM ins" : """
                , woken AS (
                  SELECT pg_notify('%s', ?) FROM (SELECT 1 FROM ready WHERE run_at <= ? LIMIT 1) due)
                SELECT id, (SELECT count(*) FROM woken) FROM ins""".formatted(CHANNEL));
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setLong(p++, leaseMillis);
            ps.setArray(p++, c.createArrayOf("text", ids));
            ps.setArray(p++, c.createArrayOf("text", queues));
            ps.setArray(p++, c.createArrayOf("int4", priorities));
            ps.setArray(p++, c.createArrayOf("text", kinds));
            ps.setArray(p++, c.createArrayOf("text", payloads));
            ps.setArray(p++, c.createArrayOf("text", states));
            ps.setArray(p++, c.createArrayOf("int4", attempts));
            ps.setArray(p++, c.createArrayOf("int4", maxAttempts));
            ps.setArray(p++, c.createArrayOf("int8", created));
            ps.setArray(p++, c.createArrayOf("int8", runAt));
            ps.setArray(p++, c.createArrayOf("int8", started));
            ps.setArray(p++, c.createArrayOf("text", owners));
            if (notifyAs != null) {
                ps.setString(p++, notifyAs);
                ps.setLong(p, dueBy);
            }
            List<String> inserted = new ArrayList<>(n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
            return inserted;
        }
    }

    /** The jobs with these ids, by id. */
    static Map<String, JobRecord> byIds(Connection c, List<String> ids) throws SQLException {
        Map<String, JobRecord> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM squall_job WHERE id = ANY(?::text[])")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JobRecord r = row(rs);
                    out.put(r.id(), r);
                }
            }
        }
        return out;
    }

    /**
     * Claims up to {@code max} due jobs for {@code owner}: by priority, then due time, then id, skipping
     * rows another node is claiming, and tells when the next waiting job is due ({@code now} when the
     * claim is full: more may be due; {@link Long#MAX_VALUE} when none waits). The jobs come in that
     * order. Only queues in {@code queues} (null: all).
     *
     * <p>The jobs are picked by {@link PriorityWalk}, each step an index seek in {@code squall_ready}
     * (the smallest priority over the queues served, that priority's due jobs {@code FOR UPDATE SKIP
     * LOCKED}, its next due time), then deleted from it and updated. One statement ordered by
     * priority and due time, and {@code min(run_at)}, read every waiting row (the planner chose a
     * sequential scan): with ~200,000 jobs due in an hour, due jobs ran at 2,800 a second instead of
     * 20,000 ({@code bench/scripts/backlog-bench.sh}; {@code PgJobsTableTest} counts the rows read).
     */
    static JobStore.Claim claim(Connection c, int max, long now, String owner, long leaseMillis, String[] queues)
            throws SQLException {
        String[] each = queues == null ? new String[] {null} : queues; // a seek per queue served, or one over all
        PriorityWalk.Picked<String> picked;
        // Each seek is written "ORDER BY ... LIMIT 1", not min(): the planner, taking the table for
        // small (statistics from when it was), ran min(run_at) as an aggregate over every matching
        // row; a limit over the index's order stops at the first.
        try (PreparedStatement nextPriority = c.prepareStatement(queues == null
                     ? "SELECT priority FROM squall_ready WHERE priority > ? ORDER BY priority LIMIT 1"
                     : "SELECT priority FROM squall_ready WHERE priority > ? AND queue = ? ORDER BY priority LIMIT 1");
             PreparedStatement due = c.prepareStatement("SELECT ctid::text FROM squall_ready WHERE priority = ? AND run_at <= ?"
                     + (queues == null ? "" : " AND queue = ANY(?::text[])") + " ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED");
             PreparedStatement nextDueOf = c.prepareStatement(queues == null
                     ? "SELECT run_at FROM squall_ready WHERE priority = ? AND run_at > ? ORDER BY run_at LIMIT 1"
                     : "SELECT run_at FROM squall_ready WHERE priority = ? AND run_at > ? AND queue = ? ORDER BY run_at LIMIT 1")) {
            java.sql.Array queueArray = queues == null ? null : c.createArrayOf("text", queues);
            picked = PriorityWalk.walk(new PriorityWalk.Seeks<>() {
                @Override
                public Long nextPriority(long after) throws SQLException {
                    nextPriority.setLong(1, after);
                    return smallest(nextPriority, 2);
                }

                @Override
                public void takeDue(long priority, int limit, List<String> into) throws SQLException {
                    int p = 1;
                    due.setInt(p++, (int) priority);
                    due.setLong(p++, now);
                    if (queueArray != null) {
                        due.setArray(p++, queueArray);
                    }
                    due.setInt(p, limit);
                    try (ResultSet rs = due.executeQuery()) {
                        while (rs.next()) {
                            into.add(rs.getString(1));
                        }
                    }
                }

                @Override
                public Long nextDue(long priority) throws SQLException {
                    nextDueOf.setInt(1, (int) priority);
                    nextDueOf.setLong(2, now);
                    return smallest(nextDueOf, 3);
                }

                /** The smallest answer of {@code query} over the queues served, each bound at parameter {@code queueAt}. */
                private Long smallest(PreparedStatement query, int queueAt) throws SQLException {
                    Long least = null;
                    for (String q : each) {
                        if (q != null) {
                            query.setString(queueAt, q);
                        }
                        Long v = PriorityWalk.firstLong(query);
                        if (v != null && (least == null || v < least)) {
                            least = v;
                        }
                    }
                    return least;
                }
            }, max, now, PriorityWalk.MAX_PRIORITIES);
        }
        if (picked == null) {
            return claimInOneStatement(c, max, now, owner, leaseMillis, queues);
        }
        if (picked.picks().isEmpty()) {
            return new JobStore.Claim(List.of(), picked.nextDue());
        }
        // The rows picked are locked by this transaction, so their places (ctid) cannot change: the
        // delete goes straight to them. By id it was a sequential scan of squall_ready, dead rows and
        // all, whenever the planner took the table for small (this statement averaged 3.46 ms before
        // and 0.55 ms after, with the ready table's VACUUM: bench/scripts/pg-statements.sh).
        String sql = "WITH gone AS (DELETE FROM squall_ready r WHERE r.ctid = ANY(?::tid[]) RETURNING r.id) "
                + "UPDATE squall_job j SET state = 'running', attempt = j.attempt + 1, started_at = ?, owner = ?, "
                + "lease_until = now() + ? * interval '1 millisecond' FROM gone WHERE " + byKey("gone.id") + " "
                + "RETURNING j.id, j.kind, j.payload, j.attempt, j.max_attempts, j.created_at, j.priority, j.run_at, j.queue";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("tid", picked.picks().toArray(String[]::new)));
            ps.setLong(2, now);
            ps.setString(3, owner);
            ps.setLong(4, leaseMillis);
            return new JobStore.Claim(claimed(ps, max), picked.nextDue());
        }
    }

    /** The claim as one statement, for jobs waiting at many priorities. */
    private static JobStore.Claim claimInOneStatement(Connection c, int max, long now, String owner, long leaseMillis,
                                                      String[] queues) throws SQLException {
        String where = queues == null ? "run_at <= ?" : "run_at <= ? AND queue = ANY(?::text[])";
        String sql = "WITH pick AS MATERIALIZED (SELECT ctid FROM squall_ready WHERE " + where
                + " ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED), "
                + "gone AS (DELETE FROM squall_ready r WHERE r.ctid = ANY(ARRAY(SELECT ctid FROM pick)) RETURNING r.id) "
                + "UPDATE squall_job j SET state = 'running', attempt = j.attempt + 1, started_at = ?, owner = ?, "
                + "lease_until = now() + ? * interval '1 millisecond' FROM gone WHERE " + byKey("gone.id") + " "
                + "RETURNING j.id, j.kind, j.payload, j.attempt, j.max_attempts, j.created_at, j.priority, j.run_at, j.queue";
        List<Job> jobs;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setLong(p++, now);
            if (queues != null) {
                ps.setArray(p++, c.createArrayOf("text", queues));
            }
            ps.setInt(p++, max);
            ps.setLong(p++, now);
            ps.setString(p++, owner);
            ps.setLong(p, leaseMillis);
            jobs = claimed(ps, max);
        }
        return new JobStore.Claim(jobs, jobs.size() < max ? earliestDue(c, queues) : now);
    }

    /** Runs a claiming {@code UPDATE ... RETURNING} and gives its jobs by priority, then due time, then id. */
    private static List<Job> claimed(PreparedStatement update, int max) throws SQLException {
        record Row(Job job, int priority, long runAt) {
        }
        List<Row> rows = new ArrayList<>(max);
        try (ResultSet rs = update.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                        rs.getLong(6), rs.getString(9), rs.getLong(8)), rs.getInt(7), rs.getLong(8)));
            }
        }
        rows.sort(Comparator.comparingInt(Row::priority).thenComparingLong(Row::runAt).thenComparing(r -> r.job().id()));
        List<Job> jobs = new ArrayList<>(rows.size());
        rows.forEach(r -> jobs.add(r.job()));
        return jobs;
    }

    /** When the earliest waiting job is due, or {@code Long.MAX_VALUE} when none waits. */
    static long earliestDue(Connection c, String[] queues) throws SQLException {
        String sql = queues == null ? "SELECT min(run_at) FROM squall_ready"
                : "SELECT min(run_at) FROM squall_ready WHERE queue = ANY(?::text[])";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (queues != null) {
                ps.setArray(1, c.createArrayOf("text", queues));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? Long.MAX_VALUE : v;
            }
        }
    }

    /**
     * The fence of every write to a running job, as the last two columns of the batch {@code d} the
     * write joins to the job table: {@code d.owner} (this node) and {@code d.running} ({@code
     * 'running'}), one per row; the write then matches {@link #FENCE}. Three parameters: the owner
     * and twice the batch's length ({@link #fence}).
     *
     * <p>Why columns and not constants: on the job table's side, a test against constants is judged by
     * the column statistics, taken while few or no jobs were running. The planner then estimated
     * one running row of this node's, read the whole table through its primary key for every
     * batch of results (1,006 ms for 3,966 results at ~120,000 jobs, auto_explain under {@code
     * PART=e2e E2E_WARMUP=20s bench/postgres-bench.sh}; a hash join on a freshly analysed table did the
     * same), and each slower batch left more jobs running for the next. As a test between the two
     * sides it is a join condition, which no column statistics can shrink; the row itself is found
     * by key ({@link #byKey}), which no table statistics can turn into a scan
     * ({@code PgJobsTableTest} counts the rows read). Locking each row by a lookup of its own first
     * did the same at a second write per row, 13% fewer jobs per second with two nodes
     * (docs/benchmarks.md).
     */
    private static final String[] FENCE_COLUMNS = {"unnest(array_fill(?::text, ARRAY[?::int])) AS owner",
            "unnest(array_fill('running'::text, ARRAY[?::int])) AS running"};
    /** The fence's test, between the job table {@code j} and a batch {@code d} ending in {@link #FENCE_COLUMNS}. */
    private static final String FENCE = byKey("d.id") + " AND j.attempt = d.att AND j.state = d.running AND j.owner = d.owner";
    /** A batch of runs and nothing more, fenced: {@code d(id, att, owner, running)}, set by {@link #setRuns}. */
    private static final String FENCED_RUNS = batch("d", "id text", "att int", FENCE_COLUMNS[0], FENCE_COLUMNS[1]);
    /** A batch of results for {@link #finish}, fenced: {@code d(id, att, st, run_at, at, res, err, started, owner, running)}. */
    private static final String RESULTS = batch("d", "id text", "att int", "st text", "run_at bigint", "at bigint",
            "res text", "err text", "started bigint", FENCE_COLUMNS[0], FENCE_COLUMNS[1]);

    /** Sets {@link #FENCED_RUNS}' parameters from {@code p}; returns the next parameter's index. */
    private static int setRuns(PreparedStatement ps, int p, String[] ids, Integer[] attempts, String owner) throws SQLException {
        ps.setArray(p++, ps.getConnection().createArrayOf("text", ids));
        ps.setArray(p++, ps.getConnection().createArrayOf("int4", attempts));
        return fence(ps, p, owner, ids.length);
    }

    /** Sets {@link #FENCE_COLUMNS}' parameters from {@code p}; returns the next parameter's index. */
    private static int fence(PreparedStatement ps, int p, String owner, int rows) throws SQLException {
        ps.setString(p++, owner);
        ps.setInt(p++, rows);
        ps.setInt(p++, rows);
        return p;
    }

    /** What one batch of finishes did. */
    record Finished(int applied, int requeued, List<String> appliedIds) {
    }

    /**
     * Records how attempts ended, fenced by (id, attempt, owner); failed ones wait in the ready table
     * again, in one statement ({@link #FENCE}). Runs in the caller's transaction.
     */
    static Finished finish(Connection c, List<Finish> unordered, String owner) throws SQLException {
        List<Finish> finishes = new ArrayList<>(unordered);
        finishes.sort(Comparator.comparing(Finish::id)); // id order, as every multi-row write: no deadlocks
        if (finishes.isEmpty()) {
            return new Finished(0, 0, List.of());
        }
        int n = finishes.size();
        String[] ids = new String[n], states = new String[n], results = new String[n], errors = new String[n];
        Integer[] attempts = new Integer[n];
        Long[] runAt = new Long[n], at = new Long[n], started = new Long[n];
        for (int i = 0; i < n; i++) {
            Finish f = finishes.get(i);
            ids[i] = f.id();
            attempts[i] = f.attempt();
            states[i] = f.state().wireName();
            runAt[i] = f.runAt();
            at[i] = f.atMillis();
            results[i] = f.resultJson();
            errors[i] = f.error();
            started[i] = f.startedAt();
        }
        String sql = """
                WITH d AS (SELECT * FROM %s),
                u AS (
                  UPDATE squall_job j SET state = d.st,
                         run_at = CASE WHEN d.st = 'failed' THEN d.run_at ELSE j.run_at END,
                         finished_at = CASE WHEN d.st = 'failed' THEN 0 ELSE d.at END,
                         result = CASE WHEN d.st = 'succeeded' THEN d.res ELSE j.result END,
                         last_error = CASE WHEN d.st = 'succeeded' THEN NULL ELSE d.err END,
                         started_at = CASE WHEN d.started > 0 THEN d.started ELSE j.started_at END,
                         owner = CASE WHEN d.st = 'failed' THEN NULL ELSE j.owner END, lease_until = NULL
                  FROM d WHERE %s
                  RETURNING j.id, j.queue, j.priority, j.run_at, j.state, j.started_at, j.last_error, d.att, d.at),
                r AS (
                  INSERT INTO squall_ready (id, queue, priority, run_at, failed)
                  SELECT id, queue, priority, run_at, true FROM u WHERE state = 'failed'),
                h AS (
                  INSERT INTO squall_attempt (job_id, attempt, outcome, started_at, ended_at, node, error)
                  SELECT id, att, 'failed', started_at, at, ?, last_error FROM u WHERE state = 'failed')
                SELECT id, state FROM u""".formatted(RESULTS, FENCE);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("text", ids));
            ps.setArray(p++, c.createArrayOf("int4", attempts));
            ps.setArray(p++, c.createArrayOf("text", states));
            ps.setArray(p++, c.createArrayOf("int8", runAt));
            ps.setArray(p++, c.createArrayOf("int8", at));
            ps.setArray(p++, c.createArrayOf("text", results));
            ps.setArray(p++, c.createArrayOf("text", errors));
            ps.setArray(p++, c.createArrayOf("int8", started));
            p = fence(ps, p, owner, n);
            ps.setString(p, owner);
            int applied = 0, requeued = 0;
            List<String> appliedIds = new ArrayList<>(n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied++;
                    appliedIds.add(rs.getString(1));
                    if ("failed".equals(rs.getString(2))) {
                        requeued++;
                    }
                }
            }
            return new Finished(applied, requeued, appliedIds);
        }
    }

    /** Gives claimed, unstarted runs back (attempt as before the claim), fenced like finish. */
    static int release(Connection c, List<Job> unordered, String owner) throws SQLException {
        List<Job> runs = new ArrayList<>(unordered);
        runs.sort(Comparator.comparing(Job::id));
        String sql = """
                WITH u AS (
                  UPDATE squall_job j SET state = 'queued', attempt = j.attempt - 1, started_at = 0, owner = NULL,
                         lease_until = NULL
                  FROM %s WHERE %s
                  RETURNING j.id, j.queue, j.priority, j.run_at),
                r AS (INSERT INTO squall_ready (id, queue, priority, run_at) SELECT id, queue, priority, run_at FROM u)
                SELECT count(*) FROM u""".formatted(FENCED_RUNS, FENCE);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            setRuns(ps, 1, runs.stream().map(Job::id).toArray(String[]::new),
                    runs.stream().map(Job::attempt).toArray(Integer[]::new), owner);
            return count(ps);
        }
    }

    /**
     * Queues again the running jobs whose lease expired (or, with {@code owner} non-null, that node's
     * own, left by its previous life), at most {@code max}. The expiry is checked again in the
     * statement that changes them, so two nodes rescuing at once, or a renewal that lands between
     * the look and the change, never undo each other. The attempt counts; a job past its last
     * attempt gets one more, and one that lost its lease on that extra attempt is dead. Runs in
     * the caller's transaction, with the writers' planner settings: the look for expired leases
     * must read only those, every second, on every node.
     */
    static int rescue(Connection c, long now, String owner, int max) throws SQLException {
        byKeyInThisTransaction(c);
        String mine = owner == null ? "false" : "j.owner = ?";
        String sql = "WITH pick AS MATERIALIZED (SELECT id, owner AS was, attempt AS att, started_at AS began FROM squall_job j "
                + "WHERE lease_until IS NOT NULL AND state = 'running' AND "
                + "(lease_until < now() OR " + mine + ") LIMIT ? FOR UPDATE SKIP LOCKED), "
                + "u AS (UPDATE squall_job j SET "
                + "state = CASE WHEN j.attempt > j.max_attempts THEN 'dead' ELSE 'queued' END, run_at = ?, "
                + "finished_at = CASE WHEN j.attempt > j.max_attempts THEN ? ELSE 0 END, "
                + "last_error = 'its node stopped renewing its lease (node ' || coalesce(j.owner, '?') || ')', "
                + "owner = NULL, lease_until = NULL FROM pick "
                + "WHERE " + byKey("pick.id") + " AND j.state = 'running' AND (j.lease_until < now() OR " + mine + ") "
                + "RETURNING j.id, j.queue, j.priority, j.run_at, j.state, j.last_error, pick.was, pick.att, pick.began), "
                + "r AS (INSERT INTO squall_ready (id, queue, priority, run_at) SELECT id, queue, priority, run_at FROM u "
                + "WHERE state = 'queued'), "
                // The attempt that lost its lease is history once the job waits again; a job that is dead
                // now shows it as its own last attempt.
                + "h AS (INSERT INTO squall_attempt (job_id, attempt, outcome, started_at, ended_at, node, error) "
                + "SELECT id, att, 'lost', began, 0, was, last_error FROM u WHERE state = 'queued') "
                + "SELECT count(*) FROM u";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (owner != null) {
                ps.setString(p++, owner);
            }
            ps.setInt(p++, max);
            ps.setLong(p++, now);
            ps.setLong(p++, now);
            if (owner != null) {
                ps.setString(p, owner);
            }
            return count(ps);
        }
    }

    /**
     * Extends the leases of the runs this node holds ({@code held}: id to attempt) in one statement;
     * returns (id, attempt) of each renewed. Only runs the node knows it holds are renewed: a claim
     * whose commit reached the database but whose answer was lost (a connection cut at COMMIT) is
     * left to expire, so another node rescues it instead of it being kept alive forever.
     */
    static Map<String, Integer> renew(Connection c, String owner, Map<String, Integer> held, long leaseMillis)
            throws SQLException {
        Map<String, Integer> renewed = new HashMap<>();
        if (held.isEmpty()) {
            return renewed;
        }
        String[] ids = new String[held.size()];
        Integer[] attempts = new Integer[held.size()];
        int i = 0;
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(held).entrySet()) { // id order: no deadlocks
            ids[i] = e.getKey();
            attempts[i++] = e.getValue();
        }
        return inTransaction(c, () -> { // for SET LOCAL
            byKeyInThisTransaction(c);
            try (PreparedStatement ps = c.prepareStatement(("UPDATE squall_job j SET lease_until = now() + ? * interval '1 millisecond' "
                    + "FROM %s WHERE %s RETURNING j.id, j.attempt").formatted(FENCED_RUNS, FENCE))) {
                ps.setLong(1, leaseMillis);
                setRuns(ps, 2, ids, attempts, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return renewed;
        });
    }

    /** Cancels a waiting job: only one that is still in the ready table. Returns the changed row, or null. */
    static JobRecord cancel(Connection c, String id, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("WITH gone AS (DELETE FROM squall_ready WHERE id = ? RETURNING id) "
                + "UPDATE squall_job j SET state = 'cancelled', finished_at = ? FROM gone WHERE " + byKey("gone.id") + " "
                + "RETURNING " + J_COLUMNS)) {
            ps.setString(1, id);
            ps.setLong(2, now);
            return single(ps);
        }
    }

    /** Puts a dead job back to queued with a fresh set of attempts. Returns the changed row, or null. */
    static JobRecord retry(Connection c, String id, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("WITH old AS MATERIALIZED (SELECT id, attempt, started_at, finished_at, owner, "
                + "last_error FROM squall_job WHERE id = ? AND state = 'dead' FOR UPDATE), "
                + "u AS (UPDATE squall_job j SET state = 'queued', attempt = 0, "
                + "run_at = ?, started_at = 0, finished_at = 0, result = NULL, owner = NULL FROM old WHERE " + byKey("old.id") + " "
                + "AND j.state = 'dead' RETURNING j.*), "
                + "r AS (INSERT INTO squall_ready (id, queue, priority, run_at) SELECT id, queue, priority, run_at FROM u), "
                + "h AS (INSERT INTO squall_attempt (job_id, attempt, outcome, started_at, ended_at, node, error) "
                + "SELECT old.id, old.attempt, 'dead', old.started_at, old.finished_at, old.owner, old.last_error FROM old JOIN u ON u.id = old.id) "
                + "SELECT " + COLUMNS + " FROM u")) {
            ps.setString(1, id);
            ps.setLong(2, now);
            return single(ps);
        }
    }

    /** The history rows of job {@code id}, oldest first. */
    static List<dev.squall.core.JobStore.Attempt> attempts(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT attempt, outcome, started_at, ended_at, node, error FROM squall_attempt "
                + "WHERE job_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            List<dev.squall.core.JobStore.Attempt> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new dev.squall.core.JobStore.Attempt(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            String owner = null;
            try (PreparedStatement o = c.prepareStatement("SELECT owner FROM squall_job WHERE id = ?")) {
                o.setString(1, id);
                try (ResultSet rs = o.executeQuery()) {
                    owner = rs.next() ? rs.getString(1) : null;
                }
            }
            return dev.squall.core.JobStore.Attempt.all(out, get(c, id), owner);
        }
    }


    static JobRecord get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM squall_job WHERE id = ?")) {
            ps.setString(1, id);
            return single(ps);
        }
    }

    /**
     * A listing in id order. Rows are read in small fetches and reading stops once the page is full
     * (by count or by characters), so a listing of large jobs never reads more than it shows.
     */
    static JobStore.Page list(Connection c, JobStore.JobQuery q) throws SQLException {
        return list(c, q, LISTING_SCAN);
    }

    /**
     * How many rows of the job table a page of a filtered listing reads at most where no index holds
     * just the jobs it asks for (succeeded jobs, or a kind, queue, id prefix or payload over every
     * state): a page that has not found its jobs by then ends there, shorter, and its {@code next}
     * goes on after the last job read. So no request reads a long history whole on a pooled
     * connection that the lease keeper shares (about 25 ms for 100,000 rows here,
     * {@code bench/scripts/pg-listing.sh}); a filter that matches at once stops at once.
     */
    static final int LISTING_SCAN = 100_000;

    /** {@link #list(Connection, JobStore.JobQuery)}, reading at most {@code scanBound} rows of the job table per filtered page. */
    static JobStore.Page list(Connection c, JobStore.JobQuery q, int scanBound) throws SQLException {
        boolean waiting = q.state() == JobState.QUEUED || q.state() == JobState.FAILED;
        boolean running = q.state() == JobState.RUNNING;
        boolean givenUp = q.state() == JobState.DEAD || q.state() == JobState.CANCELLED; // their own index
        boolean filtered = q.state() != null || q.kind() != null || q.queue() != null || q.idPrefix() != null
                || q.payloadContains() != null;
        if (!waiting && !running && !givenUp && filtered) {
            return listScanning(c, q, scanBound);
        }
        ListingQuery sql = ListingQuery.of(q, "SELECT " + COLUMNS + " FROM "
                + (waiting ? WAITING_JOBS : running ? RUNNING_JOBS : "squall_job"), "strpos");
        return inTransaction(c, () -> { // a cursor (fetch size) needs a transaction
            try (PreparedStatement ps = listing(c, sql.sql(), waiting || running)) {
                sql.bind(ps);
                List<JobRecord> matching = new ArrayList<>();
                onePastThePage(ps, q, matching);
                return JobStore.Page.of(matching, q);
            }
        });
    }

    /**
     * Reads the rows of {@code ps} (a listing in id order) into {@code matching} in small fetches,
     * stopping one past the page (by count or by characters); returns whether it got there, which
     * says that more follow.
     */
    private static boolean onePastThePage(PreparedStatement ps, JobStore.JobQuery q, List<JobRecord> matching) throws SQLException {
        ps.setFetchSize(32);
        long chars = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                JobRecord r = row(rs);
                matching.add(r);
                if (matching.size() > q.limit() || chars >= q.maxChars()) {
                    return true;
                }
                chars += r.chars();
            }
        }
        return false;
    }

    /**
     * A filtered listing over the job table in id order that reads at most {@code scanBound} rows:
     * the filters apply to the first {@code scanBound} rows after the cursor, and a page that does
     * not fill from them asks where they ended (the key {@code scanBound} places on, an index walk
     * with no row bodies); its {@code next} goes on from there. Both statements read one snapshot
     * (REPEATABLE READ, in a transaction of its own), so that no job is listed twice or skipped
     * at that boundary while other nodes write.
     */
    private static JobStore.Page listScanning(Connection c, JobStore.JobQuery q, int scanBound) throws SQLException {
        ListingQuery filters = ListingQuery.filters(q, "strpos");
        String after = q.after() != null ? " WHERE id > ?" : "";
        String sql = "SELECT " + COLUMNS + " FROM (SELECT * FROM squall_job" + after + " ORDER BY id LIMIT ?) AS squall_job WHERE "
                + filters.sql() + " ORDER BY id LIMIT ?";
        boolean own = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        if (own) {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        try {
            return inTransaction(c, () -> boundedPage(c, q, scanBound, sql, filters));
        } finally {
            if (own) {
                c.setTransactionIsolation(isolation);
            }
        }
    }

    /** {@link #listScanning(Connection, JobStore.JobQuery, int)}'s statements, in the transaction it opened. */
    private static JobStore.Page boundedPage(Connection c, JobStore.JobQuery q, int scanBound, String sql, ListingQuery filters)
            throws SQLException {
        try (PreparedStatement ps = listing(c, sql, true)) {
            // The key's order, read as it comes: with a parameter for "after" PostgreSQL guessed
            // a third of the table past it and read all of that by bitmap, then sorted it (30,000
            // rows read for a page of 10,000 among 40,000, PgJobsTableTest).
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off");
            }
            int p = 1;
            if (q.after() != null) {
                ps.setString(p++, q.after());
            }
            ps.setInt(p++, scanBound);
            for (Object arg : filters.args()) {
                ps.setObject(p++, arg);
            }
            ps.setInt(p, q.limit() + 1);
            List<JobRecord> matching = new ArrayList<>();
            boolean full = onePastThePage(ps, q, matching);
            String readTo = full ? null : lastOfTheFirst(c, q.after(), scanBound);
            JobStore.Page page = JobStore.Page.of(matching, q);
            return readTo == null ? page : new JobStore.Page(page.jobs(), readTo);
        }
    }

    /** The id of the {@code n}th job after {@code after} (from the first when null) in id order; null when fewer follow. */
    private static String lastOfTheFirst(Connection c, String after, int n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM squall_job" + (after != null ? " WHERE id > ?" : "")
                + " ORDER BY id OFFSET ? LIMIT 1")) {
            int p = 1;
            if (after != null) {
                ps.setString(p++, after);
            }
            ps.setInt(p, n - 1);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** A listing's statement, in {@code c}'s transaction, with the writers' planner settings when it reads by key. */
    private static PreparedStatement listing(Connection c, String sql, boolean byKey) throws SQLException {
        if (byKey) {
            byKeyInThisTransaction(c);
        }
        return c.prepareStatement(sql);
    }

    /**
     * The waiting jobs (queued, or failed and due again), as a table of {@link #COLUMNS} named like
     * the job table: the ready table walked in id order, each of its rows looked up by key. A
     * listing of waiting jobs reads them and not the history: with 500,000 finished jobs and 10
     * waiting, {@code state = 'queued'} on the job table read all of them (bench/scripts/pg-listing.sh); here
     * the listing's order is the ready table's key, so a page stops after its rows
     * ({@code PgJobsTableTest} counts the rows read).
     */
    private static final String WAITING_JOBS = "(SELECT " + J_COLUMNS.replaceFirst("^j\\.id", "r.id")
            + " FROM squall_ready r JOIN squall_job j ON " + byKey("j.id", "r.id") + ") AS squall_job";

    /**
     * The running jobs, as a table of {@link #COLUMNS} named like the job table: those with a lease
     * (a job has one exactly while it runs; the rescue relies on it too), found by the lease's partial
     * index, each then looked up by key in a {@code LATERAL} subquery. Both subqueries end in
     * {@code OFFSET 0}, which keeps PostgreSQL from flattening them: as a join, with the statistics
     * of an emptied table, it walked the job table's key as the outer side and tested every running
     * job against each row (237,094 rows read for a page of 50, {@code PgJobsTableTest}). A listing
     * sorts them by id: it reads the cluster's running jobs, not the history.
     */
    private static final String RUNNING_JOBS = "(SELECT " + J_COLUMNS
            + " FROM (SELECT id FROM squall_job WHERE lease_until IS NOT NULL OFFSET 0) AS l,"
            + " LATERAL (SELECT * FROM squall_job j WHERE j.id = l.id OFFSET 0) AS j) AS squall_job";

    /** Deletes up to {@code max} finished jobs that finished before the cutoff. */
    static int prune(Connection c, long finishedBefore, int max) throws SQLException {
        // The slice is picked once (MATERIALIZED). As "id IN (SELECT ... LIMIT ? FOR UPDATE SKIP LOCKED)"
        // nothing bound how often PostgreSQL ran the subquery: with the statistics of an emptied table
        // a slice of 500 deleted 999 jobs and took 11 s (PgJobsTableTest).
        try (PreparedStatement ps = c.prepareStatement("WITH pick AS MATERIALIZED (SELECT id FROM squall_job "
                + "WHERE finished_at > 0 AND finished_at < ? AND state IN ('succeeded', 'dead', 'cancelled') LIMIT ? "
                + "FOR UPDATE SKIP LOCKED), "
                + "gone AS (DELETE FROM squall_job j USING pick WHERE " + byKey("pick.id") + " RETURNING j.id), "
                + "h AS (DELETE FROM squall_attempt a USING gone WHERE " + byKey("a.job_id", "gone.id") + ") "
                + "SELECT count(*) FROM gone")) {
            ps.setLong(1, finishedBefore);
            ps.setInt(2, max);
            return (int) count(ps);
        }
    }

    /** Jobs waiting in the whole cluster (the ready table is small: counting it is cheap). */
    static long waiting(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM squall_ready")) {
            return count(ps);
        }
    }

    /**
     * Writes {@code mine} as this node's figures (null: leaves them) and reads the other live nodes'
     * (a heartbeat within {@code aliveMillis}).
     */
    static java.util.Map<String, String> shareFigures(Connection c, String node, String mine, long aliveMillis) throws SQLException {
        if (mine != null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE squall_node SET figures = ? WHERE node_id = ?")) {
                ps.setString(1, mine);
                ps.setString(2, node);
                ps.executeUpdate();
            }
        }
        java.util.Map<String, String> peers = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT node_id, figures FROM squall_node WHERE node_id <> ? "
                + "AND figures IS NOT NULL AND heartbeat_at > now() - ? * interval '1 millisecond'")) {
            ps.setString(1, node);
            ps.setLong(2, aliveMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    peers.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return peers;
    }

    /** Says "this node is alive"; returns the nodes seen alive within {@code aliveMillis}, by id. */
    static List<StoreHealth.Node> heartbeat(Connection c, String node, long aliveMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO squall_node (node_id, started_at, heartbeat_at) "
                + "VALUES (?, now(), now()) ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()")) {
            ps.setString(1, node);
            ps.executeUpdate();
        }
        List<StoreHealth.Node> alive = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT node_id, (extract(epoch FROM started_at) * 1000)::bigint, "
                + "(extract(epoch FROM heartbeat_at) * 1000)::bigint, (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint "
                + "FROM squall_node WHERE heartbeat_at > now() - ? * interval '1 millisecond' ORDER BY node_id")) {
            ps.setLong(1, aliveMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alive.add(new StoreHealth.Node(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM squall_node WHERE heartbeat_at < now() - interval '1 day'")) {
            ps.executeUpdate();
        }
        return alive;
    }

    /**
     * Refreshes the planner's statistics of the job tables when they changed a lot since the last
     * ANALYZE (more than 1,000 rows and a fifth of the table), one node at a time. A new table's
     * statistics say "empty", so PostgreSQL plans sequential scans that grow with the table until
     * autovacuum's first ANALYZE, a minute or more later: in process on a new database, 1,602 jobs/s
     * before this and 11,613 after ({@code PART=history bench/postgres-bench.sh}). Returns the tables analysed.
     *
     * <p>A table another session holds a VACUUM's lock on ({@code SHARE UPDATE EXCLUSIVE}: a manual
     * or cron {@code VACUUM}) is skipped until a later tick ({@code SKIP_LOCKED}): this runs on the
     * lease keeper's thread, and waiting behind a VACUUM of the job table (5 s under
     * {@code bench/postgres-bench.sh}, whose VACUUM follows its warm-up; up to the statement timeout
     * in general) would hold back the renewal of every lease this node has.
     */
    static List<String> analyzeIfStale(Connection c) throws SQLException {
        List<String> stale = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class k "
                + "ON k.oid = s.relid WHERE s.relname IN ('squall_job', 'squall_ready') "
                + "AND s.n_mod_since_analyze > 1000 + 0.2 * greatest(k.reltuples, 0)")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stale.add(rs.getString(1));
                }
            }
        }
        if (stale.isEmpty()) {
            return stale;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(" + ANALYZE_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.rollback();
                    return List.of(); // another node is at it
                }
            }
            List<String> analysed = new ArrayList<>(stale.size());
            for (String table : stale) {
                s.clearWarnings();
                s.execute("ANALYZE (SKIP_LOCKED) " + table);
                if (!lockNotAvailable(s.getWarnings())) {
                    analysed.add(table);
                }
            }
            c.commit();
            return analysed;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Whether PostgreSQL warned that it skipped a table it could not lock at once (SKIP_LOCKED). */
    private static boolean lockNotAvailable(java.sql.SQLWarning w) {
        for (; w != null; w = w.getNextWarning()) {
            if ("55P03".equals(w.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static final long ANALYZE_LOCK = 0x5351_5541_4c4c_0002L;
    private static final long VACUUM_LOCK = 0x5351_5541_4c4c_0003L;
    /** Dead rows in the ready table past which a node vacuums it (and past a fifth of its live rows). */
    static final long READY_DEAD_LIMIT = 10_000;

    /**
     * Vacuums the ready table once it holds {@link #READY_DEAD_LIMIT} dead rows, one node at a time.
     * Every claimed job leaves a dead row there, and the dead index entries sit at the front of the
     * claim's index, where every claim's seek walks over them. Autovacuum comes at most once a minute
     * per database ({@code autovacuum_naptime}, not settable per table), too late at a few thousand
     * claimed jobs a second: under {@code bench/scripts/pg-statements.sh} the claim's seeks averaged
     * 0.94 ms without this and 0.18-0.43 ms with it, which cost 3-5 VACUUMs of 100-200 ms in 30 s.
     * A VACUUM reads the table's indexes whole, so with many jobs waiting (scheduled for later) it
     * waits for dead rows to make a fifth of the live ones too, as autovacuum's scale factor does:
     * its cost per claimed job stays the same whatever the table's size. Returns whether it vacuumed.
     */
    static boolean vacuumReadyIfDead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n_dead_tup >= greatest(?, 0.2 * n_live_tup) "
                + "FROM pg_stat_user_tables WHERE relname = 'squall_ready'")) {
            ps.setLong(1, READY_DEAD_LIMIT);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true); // VACUUM cannot run inside a transaction: a session's advisory lock, then
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + VACUUM_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false; // another node is at it
                }
            }
            try {
                s.execute("VACUUM squall_ready");
            } finally {
                s.execute("SELECT pg_advisory_unlock(" + VACUUM_LOCK + ")");
            }
            return true;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static void leave(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM squall_node WHERE node_id = ?")) {
            ps.setString(1, node);
            ps.executeUpdate();
        }
    }

    /** Tells the listening nodes that jobs wait; the payload names the sender, which ignores its own. */
    static void notifyWork(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            ps.setString(1, node);
            ps.execute();
        }
    }

    private static JobRecord single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? row(rs) : null;
        }
    }

    private static int count(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * The jobs not finished yet (queued, failed, running) by state and queue over the whole cluster,
     * with the earliest run time of the waiting ones: from the ready table and the leased jobs
     * (their partial index), in one statement (one snapshot). It costs what waits and runs, not
     * the history: {@link #census} reads every job kept.
     */
    static dev.squall.core.JobStore.Census censusOfUnfinished(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN failed THEN 'failed' ELSE 'queued' END, queue, count(*), "
                + "min(run_at) FROM squall_ready GROUP BY 1, 2 UNION ALL "
                + "SELECT 'running', queue, count(*), 0 FROM squall_job WHERE lease_until IS NOT NULL AND state = 'running' GROUP BY 2");
             ResultSet rs = ps.executeQuery()) {
            return censusOf(rs);
        }
    }

    private static dev.squall.core.JobStore.Census censusOf(ResultSet rs) throws SQLException {
        List<dev.squall.core.JobStore.Census.Row> rows = new ArrayList<>();
        while (rs.next()) {
            rows.add(new dev.squall.core.JobStore.Census.Row(
                    dev.squall.core.JobState.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)), rs.getString(2),
                    rs.getLong(3), rs.getLong(4)));
        }
        return new dev.squall.core.JobStore.Census(rows);
    }

    private static final long CENSUS_LOCK = 0x5351_5541_4c4c_0004L;

    /**
     * The whole census, shared by the cluster: the count stored in {@code squall_census} when it is
     * younger than {@code shareForMillis} (its age on the database's clock, so the nodes' clocks do
     * not matter), else a new count, stored for the other nodes. One node counts at a time (a
     * transaction-scoped advisory lock tried, never waited for): a node that finds another counting
     * takes the stored count however old, or counts for itself alone when none is stored yet.
     */
    static dev.squall.core.JobStore.Census sharedCensus(Connection c, long shareForMillis) throws SQLException {
        dev.squall.core.JobStore.Census stored = storedCensus(c);
        if (stored != null && stored.ageMillis() < shareForMillis) {
            return stored;
        }
        dev.squall.core.JobStore.Census before = stored;
        return inTransaction(c, () -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(" + CENSUS_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return before != null ? before : census(c); // another node is counting
                }
            }
            dev.squall.core.JobStore.Census now = storedCensus(c); // it may have counted while this node read
            if (now != null && now.ageMillis() < shareForMillis) {
                return now;
            }
            long t0 = System.nanoTime();
            dev.squall.core.JobStore.Census counted = census(c);
            storeCensus(c, counted, (System.nanoTime() - t0) / 1_000_000);
            return counted;
        });
    }

    /** The census stored in {@code squall_census}, with its age; null when none is. */
    static dev.squall.core.JobStore.Census storedCensus(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT greatest(0, (extract(epoch FROM clock_timestamp() - taken_at) * 1000)::bigint), "
                     + "states, queues, jobs, oldest_due FROM squall_census")) {
            if (!rs.next()) {
                return null;
            }
            String[] states = (String[]) rs.getArray(2).getArray();
            String[] queues = (String[]) rs.getArray(3).getArray();
            Long[] jobs = (Long[]) rs.getArray(4).getArray();
            Long[] oldestDue = (Long[]) rs.getArray(5).getArray();
            List<dev.squall.core.JobStore.Census.Row> rows = new ArrayList<>(states.length);
            for (int i = 0; i < states.length; i++) {
                rows.add(new dev.squall.core.JobStore.Census.Row(
                        dev.squall.core.JobState.valueOf(states[i].toUpperCase(java.util.Locale.ROOT)), queues[i], jobs[i], oldestDue[i]));
            }
            return new dev.squall.core.JobStore.Census(rows, rs.getLong(1));
        }
    }

    /** Replaces the stored census with {@code counted}, taken at the transaction's start. */
    private static void storeCensus(Connection c, dev.squall.core.JobStore.Census counted, long tookMillis) throws SQLException {
        List<dev.squall.core.JobStore.Census.Row> rows = counted.rows();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO squall_census (one, taken_at, took_ms, states, queues, jobs, oldest_due) "
                + "VALUES (true, now(), ?, ?, ?, ?, ?) ON CONFLICT (one) DO UPDATE SET taken_at = excluded.taken_at, "
                + "took_ms = excluded.took_ms, states = excluded.states, queues = excluded.queues, jobs = excluded.jobs, "
                + "oldest_due = excluded.oldest_due")) {
            ps.setLong(1, tookMillis);
            ps.setArray(2, c.createArrayOf("text", rows.stream().map(r -> r.state().name().toLowerCase(java.util.Locale.ROOT)).toArray()));
            ps.setArray(3, c.createArrayOf("text", rows.stream().map(dev.squall.core.JobStore.Census.Row::queue).toArray()));
            ps.setArray(4, c.createArrayOf("bigint", rows.stream().map(dev.squall.core.JobStore.Census.Row::count).toArray()));
            ps.setArray(5, c.createArrayOf("bigint", rows.stream().map(dev.squall.core.JobStore.Census.Row::oldestDue).toArray()));
            ps.executeUpdate();
        }
    }

    /** Jobs by state and queue over the whole cluster, with the earliest run time of the waiting ones. */
    static dev.squall.core.JobStore.Census census(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT state, queue, count(*), "
                + "coalesce(min(run_at) FILTER (WHERE state IN ('queued', 'failed')), 0) FROM squall_job GROUP BY state, queue");
             ResultSet rs = ps.executeQuery()) {
            return censusOf(rs);
        }
    }
}
