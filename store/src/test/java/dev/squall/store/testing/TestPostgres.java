package dev.squall.store.testing;

import dev.squall.store.postgres.PostgresUrl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A real PostgreSQL for tests: the server named by {@code SQUALL_TEST_PG_URL}, else the one this
 * machine kind runs on 127.0.0.1:5432 (started with {@code pg_ctlcluster} when it is installed and
 * stopped). Each test gets a fresh database of its own, dropped when it closes. Never skipped: with
 * no server, the test fails and says what to set.
 *
 * <pre>{@code
 * try (TestPostgres.Database db = TestPostgres.database()) {
 *     JobStore store = PostgresJobStore.open(new Options(PostgresUrl.parse(db.url(), null), ...));
 * }
 * }</pre>
 */
public final class TestPostgres {
    public static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
    private static volatile boolean checked;

    private TestPostgres() {
    }

    /** The administrative URL: where databases are created. */
    public static String adminUrl() {
        String env = System.getenv("SQUALL_TEST_PG_URL");
        return env == null || env.isBlank() ? DEFAULT_URL : env;
    }

    /** A fresh, empty database. */
    public static Database database() {
        ensureRunning();
        String name = "squall_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec("CREATE DATABASE " + name);
        PostgresUrl admin = PostgresUrl.parse(adminUrl(), System.getenv("PGPASSWORD"));
        String url = "postgresql://" + admin.user() + (admin.password() == null ? "" : ":" + admin.password()) + "@"
                + admin.host() + ":" + admin.port() + "/" + name;
        return new Database(name, url);
    }

    /** Runs one statement on the administrative database. */
    public static void exec(String sql) {
        try (Connection c = connect(adminUrl()); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** A plain JDBC connection to {@code url} (a postgresql:// URL). */
    public static Connection connect(String url) throws SQLException {
        PostgresUrl u = PostgresUrl.parse(url, System.getenv("PGPASSWORD"));
        return DriverManager.getConnection(u.jdbcUrl(), u.properties());
    }

    private static synchronized void ensureRunning() {
        if (checked) {
            return;
        }
        if (!reachable()) {
            startLocalCluster();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!reachable() && System.nanoTime() < deadline) {
                sleep(250);
            }
            if (!reachable()) {
                throw new IllegalStateException("no PostgreSQL at " + PostgresUrl.parse(adminUrl(), null).describe()
                        + ": set SQUALL_TEST_PG_URL=postgresql://USER@HOST:PORT/DATABASE to a server the tests may "
                        + "create databases on, or install PostgreSQL (apt-get install postgresql)");
            }
        }
        checked = true;
    }

    private static boolean reachable() {
        try (Connection c = connect(adminUrl())) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** This machine kind's own server, if installed and stopped: the command its notes give. */
    private static void startLocalCluster() {
        if (System.getenv("SQUALL_TEST_PG_URL") != null) {
            return;
        }
        java.io.File etc = new java.io.File("/etc/postgresql");
        String[] versions = etc.list();
        if (versions == null) {
            return;
        }
        for (String v : versions) {
            try {
                new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "start")
                        .inheritIO().start().waitFor();
            } catch (Exception ignored) {
                // not installed this way; the check after says what to do
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A database of one test; {@link #close} drops it (and ends its connections). */
    public record Database(String name, String url) implements AutoCloseable {
        @Override
        public void close() {
            exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
