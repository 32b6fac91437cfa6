package dev.squall.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The versioned schema of the PostgreSQL store. Each step moves the database one version up inside
 * one transaction and records it in {@code squall_schema}. Nodes that start at once take turns on
 * a transaction-scoped advisory lock: the first migrates, the others wait for it and then find
 * nothing to do. A database from a newer Squall is refused, not guessed at.
 *
 * <p>Two tables hold jobs. {@code squall_job} holds every job and its history; {@code squall_ready}
 * holds only the jobs that wait to run (a few columns each), and it is the only table a claim
 * scans. So finished jobs, however many a day of {@code --retain} keeps, never slow a claim, and
 * the ready table stays small enough that autovacuum keeps up with its churn.
 */
final class PgSchema {
    static final int VERSION = 7;
    /** The advisory lock that serialises migrations: any constant that no other application uses. */
    private static final long MIGRATION_LOCK = 0x5351_5541_4c4c_0001L; // "SQUALL" 1

    private static final List<List<String>> STEPS = List.of(
            // version 1
            List.of(
                    """
                    CREATE TABLE squall_job (
                      id           text    PRIMARY KEY,
                      queue        text    NOT NULL DEFAULT 'default',
                      priority     integer NOT NULL DEFAULT 0,
                      kind         text    NOT NULL,
                      payload      text    NOT NULL,
                      state        text    NOT NULL,
                      attempt      integer NOT NULL,
                      max_attempts integer NOT NULL,
                      created_at   bigint  NOT NULL,
                      run_at       bigint  NOT NULL,
                      started_at   bigint  NOT NULL DEFAULT 0,
                      finished_at  bigint  NOT NULL DEFAULT 0,
                      result       text,
                      last_error   text,
                      owner        text,
                      lease_until  timestamptz
                    ) WITH (fillfactor = 80)""",
                    // The rescue's scan: running jobs by lease (lease_until is set exactly while a job
                    // runs). Deliberately not "WHERE state = 'running'": a finish, a renewal or a release
                    // says state = 'running', and with such an index at hand PostgreSQL, misjudging how
                    // many rows an unnest() array holds, scanned every running job once per array
                    // element (16,000 results took over 15 s). Without it they find rows by primary key.
                    "CREATE INDEX squall_job_leased ON squall_job (lease_until) WHERE lease_until IS NOT NULL",
                    // what --retain prunes
                    "CREATE INDEX squall_job_finished ON squall_job (finished_at) WHERE finished_at > 0",
                    """
                    CREATE TABLE squall_ready (
                      id       text    PRIMARY KEY,
                      queue    text    NOT NULL,
                      priority integer NOT NULL,
                      run_at   bigint  NOT NULL
                    ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                            autovacuum_vacuum_cost_delay = 0)""",
                    // the claim's order, over all queues and within one
                    "CREATE INDEX squall_ready_claim ON squall_ready (priority, run_at, id)",
                    "CREATE INDEX squall_ready_queue ON squall_ready (queue, priority, run_at, id)",
                    """
                    CREATE TABLE squall_node (
                      node_id      text        PRIMARY KEY,
                      started_at   timestamptz NOT NULL,
                      heartbeat_at timestamptz NOT NULL
                    )"""),
            // version 2: the history of attempts. Only attempts a later one replaced are rows here (a
            // failure, a lost lease, a dead attempt retried by hand), written by the statement that
            // replaces them; a job's latest attempt is its own row in squall_job, whose owner now
            // stays set once it ended (the node that ran it). A job that succeeds at once writes
            // nothing more than before.
            List.of(
                    """
                    CREATE TABLE squall_attempt (
                      seq        bigserial PRIMARY KEY,
                      job_id     text    NOT NULL,
                      attempt    integer NOT NULL,
                      outcome    text    NOT NULL,
                      started_at bigint  NOT NULL,
                      ended_at   bigint  NOT NULL,
                      node       text,
                      error      text
                    )""",
                    "CREATE INDEX squall_attempt_job ON squall_attempt (job_id)"),
            // version 3: each node's live figures (totals and the last minute's wait and run times),
            // published about every second, so that any node's dashboard shows the whole cluster.
            List.of("ALTER TABLE squall_node ADD COLUMN figures text"),
            // version 4: smaller statistics for the job table. ANALYZE reads 300 rows per unit of the
            // largest target: 30,000 at the default 100, and it sorted every payload and result among
            // them (PgJobsTable.analyzeIfStale runs it often while the table is young). Plans here need
            // only the few states, owners and queues and rough ranges of the times; an id is unique by
            // its primary key. At 10 (3,000 rows, no text bodies) an ANALYZE under load took 29 ms
            // instead of 165 (bench/scripts/pg-statements.sh).
            List.of("""
                    ALTER TABLE squall_job
                      ALTER COLUMN id SET STATISTICS 0, ALTER COLUMN payload SET STATISTICS 0,
                      ALTER COLUMN result SET STATISTICS 0, ALTER COLUMN last_error SET STATISTICS 0,
                      ALTER COLUMN kind SET STATISTICS 10, ALTER COLUMN queue SET STATISTICS 10,
                      ALTER COLUMN state SET STATISTICS 10, ALTER COLUMN owner SET STATISTICS 10,
                      ALTER COLUMN priority SET STATISTICS 10, ALTER COLUMN attempt SET STATISTICS 10,
                      ALTER COLUMN max_attempts SET STATISTICS 10, ALTER COLUMN created_at SET STATISTICS 10,
                      ALTER COLUMN run_at SET STATISTICS 10, ALTER COLUMN started_at SET STATISTICS 10,
                      ALTER COLUMN finished_at SET STATISTICS 10, ALTER COLUMN lease_until SET STATISTICS 10"""),
            // version 5: whether a waiting job waits out a failed attempt's backoff, so that the jobs
            // not finished yet are counted from the ready table and the leases (PgJobsTable.censusOfUnfinished),
            // which hold only them, instead of reading every job kept once a second on every node.
            List.of("ALTER TABLE squall_ready ADD COLUMN failed boolean NOT NULL DEFAULT false",
                    "UPDATE squall_ready r SET failed = true FROM squall_job j WHERE j.id = r.id AND j.state = 'failed'"),
            // version 6: the dead and cancelled jobs in id order, so that a listing of them (an
            // operator's "what failed for good") reads them and not the whole history, as a listing
            // of waiting or running jobs does through the ready table or the leases. Few jobs are in
            // these states, so the index is small and a finish that ends elsewhere never touches it.
            // Built in the migration's transaction: the nodes' writes wait for it while it reads the
            // job table once (119 ms for 500,000 jobs in memory, bench/scripts/pg-listing.sh).
            List.of("CREATE INDEX squall_job_given_up ON squall_job (id) WHERE state IN ('dead', 'cancelled')"),
            // version 7: the latest whole census (jobs by state and queue), taken by one node for the
            // cluster: a node whose census is due uses it while it is young enough and counts (and
            // stores) a new one only when it is not, one node at a time (PgJobsTable.sharedCensus).
            // Every node read the whole history every 10-15 s before (200-330 ms of PostgreSQL per
            // node with 350,000 jobs kept). One row: a count replaces the last in one statement.
            List.of("""
                    CREATE TABLE squall_census (
                      one        boolean     PRIMARY KEY DEFAULT true CHECK (one),
                      taken_at   timestamptz NOT NULL,
                      took_ms    bigint      NOT NULL,
                      states     text[]      NOT NULL,
                      queues     text[]      NOT NULL,
                      jobs       bigint[]    NOT NULL,
                      oldest_due bigint[]    NOT NULL
                    )"""));

    private PgSchema() {
    }

    /** The tables that keep every job's history, where each finished job leaves a dead row. */
    static final List<String> HISTORY_TABLES = List.of("squall_job", "squall_attempt");

    /**
     * The history tables that autovacuum leaves alone: both while the server's {@code autovacuum} is
     * off, else those whose own {@code autovacuum_enabled} is off. Nothing else cleans up their dead
     * rows: the nodes vacuum only {@code squall_ready} themselves.
     */
    static List<String> notAutovacuumed(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('autovacuum')::boolean")) {
            rs.next();
            return rs.getBoolean(1) ? notAutovacuumedByTheirOwnSetting(c) : HISTORY_TABLES;
        }
    }

    /** The history tables whose own storage setting turns autovacuum off. */
    static List<String> notAutovacuumedByTheirOwnSetting(Connection c) throws SQLException {
        List<String> off = new java.util.ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT t FROM unnest(?::text[]) WITH ORDINALITY AS t(t, n) "
                + "JOIN pg_class k ON k.oid = to_regclass(t) WHERE EXISTS (SELECT 1 FROM unnest(k.reloptions) o "
                + "WHERE o ~* '^autovacuum_enabled=(false|off|no|0|f)$') ORDER BY n")) {
            ps.setArray(1, c.createArrayOf("text", HISTORY_TABLES.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    off.add(rs.getString(1));
                }
            }
        }
        return off;
    }

    /** Brings the database to {@link #VERSION}; returns the version it had. */
    static int migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS squall_schema (version integer NOT NULL)");
            int current = 0;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM squall_schema")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            if (current > VERSION) {
                throw new SQLException("the database has Squall schema version " + current + ", newer than this Squall's "
                        + VERSION + "; use a newer Squall or another database");
            }
            for (int v = current + 1; v <= VERSION; v++) {
                for (String sql : STEPS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO squall_schema (version) VALUES (" + v + ")");
            }
            c.commit();
            return current;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
