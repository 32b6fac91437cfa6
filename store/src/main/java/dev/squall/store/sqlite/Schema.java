package dev.squall.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The versioned schema: each step moves the file one version up, inside one transaction, and the
 * version is recorded in {@code schema_version}. A file from a newer Squall is refused, not guessed at.
 */
final class Schema {
    static final int VERSION = 4;

    private static final List<List<String>> STEPS = List.of(
            // version 1: the jobs table
            List.of(
                    """
                    CREATE TABLE jobs (
                      id           TEXT    NOT NULL UNIQUE,
                      kind         TEXT    NOT NULL,
                      payload      TEXT    NOT NULL,
                      state        TEXT    NOT NULL,
                      attempt      INTEGER NOT NULL,
                      max_attempts INTEGER NOT NULL,
                      created_at   INTEGER NOT NULL,
                      run_at       INTEGER NOT NULL,
                      started_at   INTEGER NOT NULL DEFAULT 0,
                      finished_at  INTEGER NOT NULL DEFAULT 0,
                      result       TEXT,
                      last_error   TEXT
                    )""",
                    // what the workers claim: waiting jobs by due time
                    "CREATE INDEX jobs_due ON jobs(run_at) WHERE state IN ('queued', 'failed')",
                    // what housekeeping deletes
                    "CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at > 0"),
            // version 2: named queues and priorities; claims take smaller priority first, then due time
            List.of(
                    "ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default'",
                    "ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0",
                    "DROP INDEX jobs_due",
                    "CREATE INDEX jobs_due ON jobs(priority, run_at) WHERE state IN ('queued', 'failed')"),
            // version 3: the history of attempts. Only attempts that a later one replaces are written
            // here (a failure, a cut-short attempt, a dead attempt retried by hand), in the transaction
            // that replaces them; a job's latest attempt is its own row. So a job that succeeds at once
            // writes nothing more than before. (Version 3 wrote them by triggers; version 4 drops them.)
            List.of(
                    "ALTER TABLE jobs ADD COLUMN ended_at INTEGER NOT NULL DEFAULT 0", // when the last attempt ended
                    """
                    CREATE TABLE attempts (
                      job_id     TEXT    NOT NULL,
                      attempt    INTEGER NOT NULL,
                      outcome    TEXT    NOT NULL,
                      started_at INTEGER NOT NULL,
                      ended_at   INTEGER NOT NULL,
                      error      TEXT
                    )""",
                    "CREATE INDEX attempts_job ON attempts(job_id)",
                    """
                    CREATE TRIGGER attempt_failed AFTER UPDATE OF state ON jobs
                    WHEN OLD.state = 'running' AND NEW.state = 'failed'
                    BEGIN
                      INSERT INTO attempts VALUES (NEW.id, NEW.attempt, 'failed', NEW.started_at, NEW.ended_at, NEW.last_error);
                    END""",
                    // At start, jobs a stopped process left running go back to queued with their start kept
                    // (a release at a clean stop sets started_at to 0: those never started, and are not history).
                    """
                    CREATE TRIGGER attempt_interrupted AFTER UPDATE OF state ON jobs
                    WHEN OLD.state = 'running' AND NEW.state = 'queued' AND NEW.started_at > 0
                    BEGIN
                      INSERT INTO attempts VALUES (NEW.id, OLD.attempt, 'interrupted', OLD.started_at, 0,
                                                   'the process stopped before the attempt ended');
                    END""",
                    """
                    CREATE TRIGGER attempt_retried AFTER UPDATE OF state ON jobs
                    WHEN OLD.state = 'dead' AND NEW.state = 'queued'
                    BEGIN
                      INSERT INTO attempts VALUES (OLD.id, OLD.attempt, 'dead', OLD.started_at, OLD.finished_at, OLD.last_error);
                    END""",
                    """
                    CREATE TRIGGER attempts_pruned AFTER DELETE ON jobs
                    BEGIN
                      DELETE FROM attempts WHERE job_id = OLD.id;
                    END"""),
            // version 4: the history is written by the store's own statements on the rare paths (a
            // failure, a recovery, a manual retry, a prune) instead of by triggers: a trigger on
            // state is looked at by every claim and every finish, and cost 5-11% of the engine's
            // SQLite throughput (EngineThroughput sqlite, alternating with the build before).
            List.of(
                    "DROP TRIGGER IF EXISTS attempt_failed",
                    "DROP TRIGGER IF EXISTS attempt_interrupted",
                    "DROP TRIGGER IF EXISTS attempt_retried",
                    "DROP TRIGGER IF EXISTS attempts_pruned"));
    // No index on state for listings: every state change would pay for it, and a listing is rare.

    private Schema() {
    }

    /** Brings the file to {@link #VERSION}; returns the version it had. */
    static int migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int current = 0;
            try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            if (current > VERSION) {
                throw new SQLException("the database has schema version " + current + ", newer than this Squall's " + VERSION
                        + "; use a newer Squall or another --store file");
            }
            for (int v = current + 1; v <= VERSION; v++) {
                for (String sql : STEPS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version(version) VALUES (" + v + ")");
            }
            c.commit();
            return current;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }
}
