package dev.squall.server.multiprocess;

import dev.squall.core.EngineStats;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.http.FreePort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stage 3, Tornado's {@code http_server.start(0)} in Java: N child processes (each a one-loop
 * {@code blocking} server) bind the same port with SO_REUSEPORT and the kernel spreads connections
 * between them. The parent binds nothing; it starts the children, restarts one that dies (a bounded
 * number of times, like Tornado's {@code fork_processes}), and stops them all when it stops.
 *
 * <p>Children exit on their own when the parent dies: each watches its stdin, which the parent holds.
 */
public final class MultiprocessSupervisor implements SquallServer {
    private static final Logger LOG = LoggerFactory.getLogger("squall.multiprocess");
    /** Tornado's fork_processes allows 100 restarts in all; a child that keeps dying is a bug, not load. */
    static final int MAX_RESTARTS = 100;
    /** The line a child prints on its stdout once it listens. */
    public static final String READY_MARKER = "SQUALL-CHILD-READY";

    private final ServerConfig config;
    private final int port;
    private final List<ChildProcess> children = new ArrayList<>();

    private MultiprocessSupervisor(ServerConfig config, int port) {
        this.config = config;
        this.port = port;
    }

    public static MultiprocessSupervisor start(ServerConfig config) {
        int port = config.port() != 0 ? config.port() : FreePort.find(config.host());
        MultiprocessSupervisor sup = new MultiprocessSupervisor(config, port);
        int n = config.effectiveProcesses();
        LOG.info("Starting {} processes", n);
        CountDownLatch ready = new CountDownLatch(n);
        RestartBudget budget = new RestartBudget(MAX_RESTARTS);
        for (int i = 1; i <= n; i++) {
            ChildProcess child = new ChildProcess(i, config.selfLauncher().command(config.childServeArgs(port)), ready, budget);
            sup.children.add(child);
            child.start();
        }
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                sup.close();
                throw new IllegalStateException("the child processes did not start listening within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sup.close();
            throw new IllegalStateException("interrupted while starting child processes", e);
        }
        if (sup.children.stream().anyMatch(ChildProcess::failedBeforeReady)) {
            sup.close();
            throw new IllegalStateException("a child process exited before it listened on port " + port + " (see the log above)");
        }
        LOG.info("Squall multiprocess stage listening on http://{}:{}/ ({} processes: pids {})",
                config.host(), port, n, sup.childPids());
        return sup;
    }

    /** The PIDs of the children running now. */
    public List<Long> childPids() {
        return children.stream().map(ChildProcess::pid).toList();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public ServerConfig config() {
        return config;
    }

    /**
     * Passes the reload on: each child reads the token file again on its own SIGHUP (sent with
     * {@code kill -HUP}, the only way Java has to signal another process). Returns whether every
     * running child was signalled; whether each took the new tokens is in its log.
     */
    @Override
    public boolean reloadTokens() {
        if (config.tokenFile() == null) {
            return false;
        }
        boolean all = true;
        for (long pid : childPids()) {
            if (pid <= 0) {
                continue;
            }
            try {
                all &= new ProcessBuilder("kill", "-HUP", Long.toString(pid)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
            } catch (java.io.IOException e) {
                LOG.warn("could not signal child pid {} to reload its tokens: {}", pid, e.getMessage());
                all = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return all;
    }

    @Override
    public Optional<EngineStats> engineStats() {
        return Optional.empty();
    }

    @Override
    public void close() {
        for (ChildProcess c : children) {
            c.stopAsking();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ChildProcess c : children) {
            c.awaitExit(deadline);
        }
        LOG.info("all child processes stopped");
    }

    /** A shared, bounded number of restarts. */
    static final class RestartBudget {
        private int left;

        RestartBudget(int max) {
            this.left = max;
        }

        synchronized boolean take() {
            if (left <= 0) {
                return false;
            }
            left--;
            return true;
        }

        synchronized int left() {
            return left;
        }
    }
}
