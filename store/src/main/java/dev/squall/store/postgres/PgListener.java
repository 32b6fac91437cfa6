package dev.squall.store.postgres;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Hears of new work from other nodes: {@code LISTEN} on a dedicated connection outside the pool,
 * read by its own thread. The connection is checked every few seconds and opened again with
 * backoff (100 ms doubling to 5 s) when it fails; after every (re)connect the node looks for work
 * at once, since notifications sent meanwhile are lost. Polling stays behind it either way.
 */
final class PgListener {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    private final PostgresUrl url;
    private final String node;
    private final Runnable onWork;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection current;

    PgListener(PostgresUrl url, String node, Runnable onWork) {
        this.url = url;
        this.node = node;
        this.onWork = onWork;
        this.thread = new Thread(this::loop, "squall-pg-listen");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        long backoff = 100;
        while (running) {
            try (Connection c = open()) {
                current = c;
                backoff = 100;
                onWork.run(); // whatever was announced while we were not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (running) {
                    PGNotification[] got = pg.getNotifications(1000);
                    if (got != null && fromOthers(got)) {
                        onWork.run();
                    }
                    if (System.nanoTime() - lastCheck > 5_000_000_000L) {
                        lastCheck = System.nanoTime();
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1");
                        }
                    }
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                LOG.debug("LISTEN connection failed ({}); again in {} ms", t.toString(), backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5000);
            } finally {
                current = null;
            }
        }
    }

    /** Whether any of {@code got} came from another node: this node knows what it stored itself. */
    private boolean fromOthers(PGNotification[] got) {
        for (PGNotification n : got) {
            if (!node.equals(n.getParameter())) {
                return true;
            }
        }
        return false;
    }

    private Connection open() throws SQLException {
        Properties p = url.properties();
        p.setProperty("ApplicationName", PostgresJobStore.applicationName(node) + "-listen");
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        p.setProperty("tcpKeepAlive", "true");
        Connection c = DriverManager.getConnection(url.jdbcUrl(), p);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + PgJobsTable.CHANNEL);
        }
        return c;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop() {
        running = false;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing it is the point
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
