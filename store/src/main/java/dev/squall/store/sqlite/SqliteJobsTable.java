package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Attempt;
import dev.squall.core.JobStore.Census;
import dev.squall.core.JobStore.Change;
import dev.squall.core.JobStore.Finish;
import dev.squall.core.JobStore.Submission;
import dev.squall.store.batch.ListingQuery;
import dev.squall.store.batch.PriorityWalk;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every SQL statement of the SQLite store, and the mapping of its rows: the {@code jobs} table and
 * its {@code attempts} history. The writes run on the writer's one connection, inside the
 * transaction the caller commits ({@link #commit}) or rolls back; they know nothing of batches,
 * threads or admission. The reads are static and take the connection to read on.
 *
 * <pre>{@code
 * SqliteJobsTable table = new SqliteJobsTable(writerConnection);   // autocommit off
 * List<Submission> s = table.insert(List.of(new NewJob(job, false)));
 * JobStore.Claim c = table.claim(64, now);
 * table.commit();
 * }</pre>
 */
final class SqliteJobsTable implements AutoCloseable {
    static final String COLUMNS = "id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, finished_at, "
            + "result, last_error, queue, priority";
    /** Rows per multi-row statement: one JNI call for this many jobs instead of one per job. */
    private static final int ROWS = 64;

    /** A job to insert; with {@code claim}, stored claimed (running, attempt 1) if it is due. */
    record NewJob(JobRecord job, boolean claim) {
    }

    /** How attempts' ends were recorded: how many applied, and how many of those wait again (failed). */
    record Finished(int applied, int failedAgain) {
    }

    private final Connection c;
    private final PreparedStatement byId;
    private final PreparedStatement claim;
    private final PreparedStatement claimRows;
    private final PreparedStatement nextPriority;
    private final PreparedStatement dueOfPriority;
    private final PreparedStatement nextDueOfPriority;
    private final PreparedStatement fail;
    private final PreparedStatement bury;
    private final PreparedStatement cancel;
    private final PreparedStatement retry;
    private final PreparedStatement release;
    private final PreparedStatement earliestWaiting;
    private final PreparedStatement rememberFailed;
    private final PreparedStatement archiveDead;
    private final Map<Integer, PreparedStatement> multiInserts = new HashMap<>();
    private final Map<Integer, PreparedStatement> multiSucceeds = new HashMap<>();
    private final Map<Integer, PreparedStatement> multiSucceedsKeepingStart = new HashMap<>();

    SqliteJobsTable(Connection writer) throws SQLException {
        this.c = writer;
        this.byId = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?");
        this.claim = c.prepareStatement("UPDATE jobs SET state = 'running', attempt = attempt + 1, started_at = ? "
                + "WHERE rowid IN (SELECT rowid FROM jobs WHERE state IN ('queued', 'failed') AND run_at <= ? "
                + "ORDER BY priority, run_at, rowid LIMIT ?) "
                + "RETURNING id, kind, payload, attempt, max_attempts, created_at, run_at, rowid, priority, queue");
        // The claim one priority at a time: each statement is a seek in jobs_due (priority, run_at).
        this.nextPriority = c.prepareStatement("SELECT min(priority) FROM jobs WHERE state IN ('queued', 'failed') AND priority > ?");
        this.dueOfPriority = c.prepareStatement("SELECT rowid FROM jobs WHERE state IN ('queued', 'failed') AND priority = ? "
                + "AND run_at <= ? ORDER BY run_at, rowid LIMIT ?");
        this.nextDueOfPriority = c.prepareStatement("SELECT min(run_at) FROM jobs WHERE state IN ('queued', 'failed') "
                + "AND priority = ? AND run_at > ?");
        this.claimRows = c.prepareStatement("UPDATE jobs SET state = 'running', attempt = attempt + 1, started_at = ? "
                + "WHERE rowid IN (SELECT value FROM json_each(?)) AND state IN ('queued', 'failed') "
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
        this.release = c.prepareStatement("UPDATE jobs SET state = 'queued', attempt = attempt - 1, "
                + "started_at = 0 WHERE id = ? AND state = 'running' AND attempt = ?");
        this.rememberFailed = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                + "SELECT id, attempt, 'failed', started_at, ended_at, last_error FROM jobs WHERE id = ? AND state = 'failed'");
        this.archiveDead = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                + "SELECT id, attempt, 'dead', started_at, finished_at, last_error FROM jobs WHERE id = ? AND state = 'dead'");
        this.earliestWaiting = c.prepareStatement("SELECT min(run_at) FROM jobs WHERE state IN ('queued', 'failed')");
    }

    // ---- writes (the writer's connection, in its open transaction) ----

    /**
     * Inserts new jobs with a few multi-row statements; RETURNING tells which rows were new, the
     * others repeat an existing id. Answers each in order: created (as stored: a claimed one is
     * running, attempt 1), or the existing job as a duplicate or a conflict.
     */
    List<Submission> insert(List<NewJob> jobs) throws SQLException {
        long now = System.currentTimeMillis();
        List<Submission> out = new ArrayList<>(jobs.size());
        Set<String> created = new HashSet<>();
        for (int from = 0; from < jobs.size(); from += ROWS) {
            List<NewJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + ROWS));
            PreparedStatement ps = multiInsert(chunk.size());
            int p = 1;
            for (NewJob n : chunk) {
                JobRecord j = n.job();
                boolean claimed = claimsNow(n, now);
                ps.setString(p++, j.id());
                ps.setString(p++, j.kind());
                ps.setString(p++, j.payloadJson());
                ps.setString(p++, claimed ? "running" : "queued");
                ps.setInt(p++, claimed ? 1 : 0);
                ps.setInt(p++, j.maxAttempts());
                ps.setLong(p++, j.createdAt());
                ps.setLong(p++, j.runAt());
                ps.setLong(p++, claimed ? now : 0);
                ps.setString(p++, j.queue());
                ps.setInt(p++, j.priority());
            }
            Set<String> inserted = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
            for (NewJob n : chunk) {
                JobRecord j = n.job();
                // The first write of a new id created it; a later one in the same batch is a repeat.
                if (inserted.contains(j.id()) && created.add(j.id())) {
                    out.add(new Submission(Submission.Kind.CREATED,
                            claimsNow(n, now) ? j.with(JobState.RUNNING, 1, j.runAt(), now, 0, null, null) : j));
                } else {
                    JobRecord there = read(j.id());
                    out.add(new Submission(there != null && there.sameRequest(j) ? Submission.Kind.DUPLICATE
                            : Submission.Kind.CONFLICT, there));
                }
            }
        }
        return out;
    }

    private static boolean claimsNow(NewJob n, long now) {
        return n.claim() && n.job().runAt() <= now;
    }

    /**
     * Takes up to {@code max} due jobs (smaller priority, then oldest due, first), running with their
     * next attempt; when it comes back short, tells when the next waiting job is due.
     *
     * <p>The jobs are picked by {@link PriorityWalk}, each step a seek in {@code jobs_due (priority,
     * run_at)}, then claimed by row id. One statement ordered by priority and due time, and
     * {@code min(run_at)} over every waiting job, read every job that waits for later: with 330,000
     * jobs due in an hour, due jobs ran at 3,000 a second instead of 33,000
     * ({@code bench/scripts/backlog-bench.sh}; {@code SqliteJobsTableTest} counts SQLite's steps).
     */
    JobStore.Claim claim(int max, long now) throws SQLException {
        PriorityWalk.Picked<Long> picked = PriorityWalk.walk(new PriorityWalk.Seeks<>() {
            @Override
            public Long nextPriority(long after) throws SQLException {
                nextPriority.setLong(1, after);
                return PriorityWalk.firstLong(nextPriority);
            }

            @Override
            public void takeDue(long priority, int limit, List<Long> into) throws SQLException {
                dueOfPriority.setLong(1, priority);
                dueOfPriority.setLong(2, now);
                dueOfPriority.setInt(3, limit);
                try (ResultSet rs = dueOfPriority.executeQuery()) {
                    while (rs.next()) {
                        into.add(rs.getLong(1));
                    }
                }
            }

            @Override
            public Long nextDue(long priority) throws SQLException {
                nextDueOfPriority.setLong(1, priority);
                nextDueOfPriority.setLong(2, now);
                return PriorityWalk.firstLong(nextDueOfPriority);
            }
        }, max, now, PriorityWalk.MAX_PRIORITIES);
        if (picked == null) {
            return claimInOneStatement(max, now);
        }
        if (picked.picks().isEmpty()) {
            return new JobStore.Claim(List.of(), picked.nextDue());
        }
        claimRows.setLong(1, now);
        claimRows.setString(2, picked.picks().toString()); // [1, 2, 3]: a JSON array of the row ids, for json_each
        return new JobStore.Claim(claimed(claimRows), picked.nextDue());
    }

    /** The claim as one statement, for jobs waiting at many priorities; reads every waiting job when it comes back short. */
    private JobStore.Claim claimInOneStatement(int max, long now) throws SQLException {
        claim.setLong(1, now);
        claim.setLong(2, now);
        claim.setInt(3, max);
        List<Job> jobs = claimed(claim);
        long nextDue = now; // full: more may be due at once
        if (jobs.size() < max) {
            Long earliest = PriorityWalk.firstLong(earliestWaiting);
            nextDue = earliest == null ? Long.MAX_VALUE : earliest;
        }
        return new JobStore.Claim(jobs, nextDue);
    }

    /** Runs a claiming {@code UPDATE ... RETURNING} and gives its jobs by priority, then due time, then insertion. */
    private static List<Job> claimed(PreparedStatement update) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        List<long[]> order = new ArrayList<>();
        try (ResultSet rs = update.executeQuery()) {
            while (rs.next()) {
                jobs.add(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getLong(6),
                        rs.getString(10), rs.getLong(7)));
                order.add(new long[] {rs.getLong(7), rs.getLong(8), jobs.size() - 1, rs.getLong(9)});
            }
        }
        // RETURNING does not keep the ORDER BY: smaller priority, then oldest due first, as the contract says.
        order.sort(Comparator.<long[]>comparingLong(o -> o[3]).thenComparingLong(o -> o[0]).thenComparingLong(o -> o[1]));
        List<Job> sorted = new ArrayList<>(jobs.size());
        order.forEach(o -> sorted.add(jobs.get((int) o[2])));
        return sorted;
    }

    /** Records how attempts ended, each fenced by its attempt; a failed attempt joins the history. */
    Finished finish(List<Finish> finishes) throws SQLException {
        List<Finish> successes = new ArrayList<>(finishes.size());
        List<Finish> others = new ArrayList<>();
        for (Finish x : finishes) {
            (x.state() == JobState.SUCCEEDED ? successes : others).add(x);
        }
        int applied = succeedAll(successes);
        int failedAgain = 0;
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
            if (x.state() == JobState.FAILED && n > 0) {
                failedAgain += n;
                // the attempt that failed is history now: copied from the row as just written
                rememberFailed.setString(1, x.id());
                rememberFailed.executeUpdate();
            }
        }
        return new Finished(applied, failedAgain);
    }

    /** Successes that know when their attempt started set {@code started_at}; the others keep the claim's. */
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

    /** Claimed runs that never started go back to waiting with their attempt as before the claim. */
    int release(List<Job> runs) throws SQLException {
        int n = 0;
        for (Job j : runs) {
            release.setString(1, j.id());
            release.setInt(2, j.attempt());
            n += release.executeUpdate();
        }
        return n;
    }

    /** Cancels a waiting job. */
    Change cancel(String id, long now) throws SQLException {
        return change(id, cancel, now);
    }

    /** Puts a dead job back to waiting with a fresh set of attempts; the dead attempt joins the history first. */
    Change retry(String id, long now) throws SQLException {
        archiveDead.setString(1, id);
        archiveDead.executeUpdate();
        return change(id, retry, now);
    }

    private Change change(String id, PreparedStatement update, long now) throws SQLException {
        update.setLong(1, now);
        update.setString(2, id);
        int n = update.executeUpdate();
        JobRecord r = read(id);
        return r == null ? new Change(Change.Kind.NOT_FOUND, null) : new Change(n == 1 ? Change.Kind.DONE : Change.Kind.CONFLICT, r);
    }

    /** Jobs left running by a process that stopped wait again; a job whose last attempt was cut short still gets it. */
    int recover(long now) throws SQLException {
        // The attempts the stop cut short are history (a release at a clean stop gave back, with
        // started_at 0, the ones that never started).
        try (PreparedStatement h = c.prepareStatement("INSERT INTO attempts (job_id, attempt, outcome, started_at, ended_at, error) "
                + "SELECT id, attempt, 'interrupted', started_at, 0, 'the process stopped before the attempt ended' FROM jobs "
                + "WHERE state = 'running' AND started_at > 0")) {
            h.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state = 'queued', run_at = ?, "
                + "attempt = min(attempt, max_attempts - 1) WHERE state = 'running'")) {
            ps.setLong(1, now);
            return ps.executeUpdate();
        }
    }

    /** Deletes up to {@code max} jobs that finished before the cutoff, and their history. */
    int prune(long finishedBefore, int max) throws SQLException {
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
    }

    void commit() throws SQLException {
        c.commit();
    }

    void rollback() throws SQLException {
        c.rollback();
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }

    private JobRecord read(String id) throws SQLException {
        byId.setString(1, id);
        try (ResultSet rs = byId.executeQuery()) {
            return rs.next() ? row(rs) : null;
        }
    }

    private PreparedStatement multiInsert(int rows) throws SQLException {
        return multiRow(multiInserts, rows, "INSERT INTO jobs (id, kind, payload, state, attempt, max_attempts, created_at, run_at, "
                + "started_at, queue, priority) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " ON CONFLICT(id) DO NOTHING RETURNING id");
    }

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
    private PreparedStatement multiRow(Map<Integer, PreparedStatement> cache, int rows, String head, String row, String tail)
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

    // ---- reads (any connection) ----

    /** Jobs waiting to run (queued or failed). */
    static long countWaiting(Connection on) throws SQLException {
        try (PreparedStatement ps = on.prepareStatement("SELECT count(*) FROM jobs WHERE state IN ('queued', 'failed')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static JobRecord get(Connection on, String id) throws SQLException {
        try (PreparedStatement ps = on.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    /** The history rows of job {@code id}, oldest first (the latest attempt is the job's own row). */
    static List<Attempt> history(Connection on, String id) throws SQLException {
        try (PreparedStatement ps = on.prepareStatement("SELECT attempt, outcome, started_at, ended_at, error FROM attempts "
                + "WHERE job_id = ? ORDER BY rowid")) {
            ps.setString(1, id);
            List<Attempt> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attempt(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), null, rs.getString(5)));
                }
            }
            return out;
        }
    }

    static Census census(Connection on) throws SQLException {
        try (PreparedStatement ps = on.prepareStatement("SELECT state, queue, count(*), "
                + "coalesce(min(CASE WHEN state IN ('queued', 'failed') THEN run_at END), 0) FROM jobs GROUP BY state, queue");
             ResultSet rs = ps.executeQuery()) {
            List<Census.Row> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new Census.Row(JobState.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getString(2),
                        rs.getLong(3), rs.getLong(4)));
            }
            return new Census(rows);
        }
    }

    /** A page of jobs; never more rows read than the page's character bound needs. */
    static JobStore.Page list(Connection on, JobStore.JobQuery q) throws SQLException {
        ListingQuery sql = ListingQuery.of(q, "SELECT " + COLUMNS + " FROM jobs", "instr");
        try (PreparedStatement ps = on.prepareStatement(sql.sql())) {
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
            return JobStore.Page.of(jobs, q);
        }
    }

    static JobRecord row(ResultSet rs) throws SQLException {
        return new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), JobState.fromWire(rs.getString(4)),
                rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                rs.getString(11), rs.getString(12), rs.getString(13), rs.getInt(14));
    }
}
