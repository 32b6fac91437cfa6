package dev.squall.store.postgres;

import dev.squall.core.StoreHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The node's keeper of leases, on its own thread and its own pooled connection (so a busy writer
 * never delays a renewal): every third of the lease it renews this node's leases in one statement
 * ({@link #renew(Connection, long, boolean)}: those taken at least a quarter of that period ago) and beats
 * the node's heartbeat row; every second it queues again the jobs whose leases
 * expired (any node may: the expiry is re-checked in the statement, so no leader is needed),
 * counts the cluster's waiting jobs for admission, shares this node's live figures with the others
 * ({@link PostgresJobStore#shareFigures}), refreshes the job tables' statistics when
 * they grew fast ({@link PgJobsTable#analyzeIfStale}) and vacuums the ready table when claims left
 * many dead rows in it ({@link PgJobsTable#vacuumReadyIfDead}). It never exits on an error: it backs off and
 * tries again, and when the database is back it renews first.
 */
final class PgLeases {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    static final int RESCUE_SLICE = 500;
    private static final long TICK_NANOS = 1_000_000_000L;

    private final PostgresJobStore store;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile List<StoreHealth.Node> nodes = List.of();
    private volatile java.util.function.Supplier<String> figures;
    private volatile java.util.Map<String, String> peerFigures = java.util.Map.of();
    private long lastRenewNanos = System.nanoTime();
    private boolean leasesGone;
    private final long renewEveryNanos;

    /** A lease this node holds: the attempt, and a moment before the database set it (System.nanoTime). */
    record Lease(int attempt, long fromNanos) {
    }

    PgLeases(PostgresJobStore store) {
        this.store = store;
        this.renewEveryNanos = store.leaseMillis() * 1_000_000L / 3;
        this.thread = new Thread(this::loop, "squall-pg-leases");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    List<StoreHealth.Node> nodes() {
        return nodes;
    }

    void shareFigures(java.util.function.Supplier<String> mine) {
        this.figures = mine;
    }

    java.util.Map<String, String> peerFigures() {
        return peerFigures;
    }

    private void loop() {
        long renewEvery = renewEveryNanos;
        long nextRenew = System.nanoTime() + renewEvery;
        long nextTick = System.nanoTime() + Math.min(TICK_NANOS, renewEvery);
        while (running) {
            long now = System.nanoTime();
            long wake = Math.min(nextRenew, nextTick);
            if (wake > now) {
                LockSupport.parkNanos(this, wake - now);
                continue;
            }
            try (Connection c = store.connection()) {
                if (now >= nextRenew || leasesGone) {
                    renew(c, System.nanoTime(), leasesGone);
                    beat(c);
                    nextRenew = now + renewEvery;
                }
                if (now >= nextTick) {
                    int n = store.rescue(c, System.currentTimeMillis(), null);
                    if (n > 0) {
                        store.rescued.addAndGet(n);
                        LOG.warn("{} jobs whose node stopped renewing its lease are queued again (their attempt counts)", n);
                    }
                    long settledBefore = store.settledWrites();
                    boolean idleBefore = store.writesIdle();
                    long counted = PgJobsTable.waiting(c);
                    store.recount(counted, idleBefore && store.writesIdle() && store.settledWrites() == settledBefore);
                    PgJobsTable.analyzeIfStale(c); // one look at pg_stat_user_tables; ANALYZE only when stale
                    vacuumReady(c);
                    java.util.function.Supplier<String> mine = figures;
                    if (mine != null) {
                        peerFigures = PgJobsTable.shareFigures(c, store.node(), mine.get(), store.leaseMillis() * 2);
                    }
                    nextTick = now + Math.min(TICK_NANOS, renewEvery);
                }
                store.reached();
            } catch (Throwable t) {
                store.trouble(t);
                checkLost();
                nextRenew = Math.min(nextRenew, System.nanoTime() + 200_000_000L); // retry soon: renewal first
                nextTick = System.nanoTime() + 200_000_000L;
            }
        }
    }

    /**
     * VACUUM of the ready table once it holds many dead rows; returns whether it ran. Its own failure
     * (a statement timeout, a lock it could not get) is logged and skipped, not taken for the
     * database's: only a lost connection goes on to the tick's error handling.
     */
    static boolean vacuumReady(Connection c) throws SQLException {
        try {
            return PgJobsTable.vacuumReadyIfDead(c);
        } catch (SQLException e) {
            if (PgErrors.connectionLost(e)) {
                throw e;
            }
            LOG.warn("could not vacuum squall_ready ({}); autovacuum will, later", PgErrors.describe(e));
            return false;
        }
    }

    /**
     * Renews this node's leases taken or renewed at least a quarter of a renewal period before
     * {@code nowNanos} ({@code all}: every one, as after an outage); the runs among them that were not
     * renewed are lost to it. A lease younger than that has more than the lease less a quarter period
     * to run, and the next renewal comes within a period, so every lease runs until at least 7/12 of
     * the lease after the last renewal (17.5 s of 30), instead of 2/3 when every lease was renewed
     * each time. In exchange, jobs that end within seconds (most of them, at thousands a second;
     * 2.5 s with the default lease) are never renewed at all: each renewal rewrote every job whose
     * result still waited in the collector, some 4,000 rows per node every 10 s at 2,500 jobs/s, in
     * 80-360 ms of PostgreSQL's time (log_min_duration_statement under PART=latency
     * bench/postgres-bench.sh). A run not renewed because this node's own result for it was recorded
     * meanwhile (the completer's commit not yet told to {@code held}) is not lost. Returns how many
     * leases it asked to renew.
     */
    int renew(Connection c, long nowNanos, boolean all) throws SQLException {
        long minAge = renewEveryNanos / 4;
        Map<String, Lease> due = new HashMap<>();
        Map<String, Integer> runs = new HashMap<>();
        for (Map.Entry<String, Lease> e : store.held.entrySet()) {
            if (all || nowNanos - e.getValue().fromNanos() >= minAge) {
                due.put(e.getKey(), e.getValue());
                runs.put(e.getKey(), e.getValue().attempt());
            }
        }
        long sent = System.nanoTime(); // before the statement: the database's now() is later
        Map<String, Integer> renewed = PgJobsTable.renew(c, store.node(), runs, store.leaseMillis());
        lastRenewNanos = sent;
        leasesGone = false;
        int lost = 0;
        for (Map.Entry<String, Lease> e : due.entrySet()) {
            Lease was = e.getValue();
            Integer now = renewed.get(e.getKey());
            if (now != null && now == was.attempt()) {
                store.held.replace(e.getKey(), was, new Lease(was.attempt(), sent));
            } else if (store.recordingResultOf(e.getKey(), was.attempt())) {
                // This node's own result got there first, and its commit has not been told to held
                // yet: not a lost lease (were it one, the result is refused and counted as stale).
                continue;
            } else if (store.held.remove(e.getKey(), was)) {
                lost++;
            }
        }
        if (lost > 0) {
            store.leasesLost.addAndGet(lost);
            LOG.warn("node {} lost {} leases (it could not renew them in time); their results will be refused", store.node(), lost);
        }
        return due.size();
    }

    /**
     * A quarter of a renewal period short of a full lease after the last renewal, every lease this
     * node held may have been taken over (one it did not renew then was at most a quarter period old).
     */
    private void checkLost() {
        if (!leasesGone && System.nanoTime() - lastRenewNanos > store.leaseMillis() * 1_000_000L - renewEveryNanos / 4) {
            leasesGone = true;
            LOG.error("node {} could not renew its leases for {} ms: other nodes may take over its {} running jobs; "
                    + "their results will be refused if they do", store.node(), store.leaseMillis(), store.held.size());
        }
    }

    void beat(Connection c) throws SQLException {
        nodes = PgJobsTable.heartbeat(c, store.node(), store.leaseMillis() * 2);
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
