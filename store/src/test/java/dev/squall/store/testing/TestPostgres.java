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
 * stopped), else one of the tests' own ({@link OwnPostgres}, from the installed binaries, which
 * {@code test.sh} installs when missing). Each test gets a fresh database of its own, dropped when
 * it closes. Never skipped: with no server, the test fails and says what to set.
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
    /** A server of the tests' own, when neither SQUALL_TEST_PG_URL nor the local one can be used. */
    private static volatile OwnPostgres own;

    private TestPostgres() {
    }

    /** The administrative URL: where databases are created. */
    public static String adminUrl() {
        String env = System.getenv("SQUALL_TEST_PG_URL");
        if (env != null && !env.isBlank()) {
            return env;
        }
        OwnPostgres o = own;
        return o != null ? o.url() : DEFAULT_URL;
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
            boolean starting = startLocalCluster();
            long deadline = System.nanoTime() + (starting ? 20_000_000_000L : 0);
            while (!reachable() && System.nanoTime() < deadline) {
                sleep(250);
            }
            if (!reachable() && System.getenv("SQUALL_TEST_PG_URL") == null) {
                // A fresh machine: the local server is missing, stopped for good, or wants a password.
                try {
                    own = OwnPostgres.start();
                    OwnPostgres started = own;
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            started.close();
                        } catch (Exception ignored) {
                            // the JVM is ending
                        }
                    }));
                } catch (Exception e) {
                    throw new IllegalStateException("no PostgreSQL at " + PostgresUrl.parse(DEFAULT_URL, null).describe()
                            + " and none could be started (" + e.getMessage() + "): set SQUALL_TEST_PG_URL="
                            + "postgresql://USER@HOST:PORT/DATABASE, or install PostgreSQL (apt-get install postgresql)", e);
                }
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
    private static boolean startLocalCluster() {
        if (System.getenv("SQUALL_TEST_PG_URL") != null) {
            return false;
        }
        java.io.File etc = new java.io.File("/etc/postgresql");
        String[] versions = etc.list();
        if (versions == null || versions.length == 0) {
            return false;
        }
        for (String v : versions) {
            try {
                new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "start")
                        .inheritIO().start().waitFor();
            } catch (Exception ignored) {
                // not installed this way; the check after says what to do
            }
        }
        return true;
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
