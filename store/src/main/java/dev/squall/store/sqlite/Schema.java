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
    static final int VERSION = 2;

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
                    "CREATE INDEX jobs_due ON jobs(priority, run_at) WHERE state IN ('queued', 'failed')"));
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
