package dev.squall.server.multiprocess;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One supervised child of the multiprocess stage and the thread that watches it: starts it, relays
 * its stdout, notices its readiness line and its death, and starts it again while the restart budget
 * lasts.
 */
final class ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger("squall.multiprocess");
    private static final String READY_MARKER = MultiprocessSupervisor.READY_MARKER;

    private final int index;
    private final List<String> command;
    private final CountDownLatch firstReady;
    private final MultiprocessSupervisor.RestartBudget budget;
    private final Thread watcher;
    private volatile Process process;
    private volatile boolean stopping;
    private volatile boolean failedBeforeReady;

    ChildProcess(int index, List<String> command, CountDownLatch firstReady, MultiprocessSupervisor.RestartBudget budget) {
        this.index = index;
        this.command = command;
        this.firstReady = firstReady;
        this.budget = budget;
        this.watcher = new Thread(this::watch, "squall-child-" + index);
        this.watcher.setDaemon(true);
    }

    void start() {
        watcher.start();
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    private void watch() {
        boolean countedReady = false;
        while (!stopping) {
            try {
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                process = p;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith(READY_MARKER)) {
                            LOG.info("child {} listening (pid {})", index, p.pid());
                            if (!countedReady) {
                                firstReady.countDown();
                                countedReady = true;
                            }
                        } else {
                            System.out.println(line);
                        }
                    }
                }
                int code = p.waitFor();
                if (stopping) {
                    return;
                }
                if (!countedReady) {
                    // A child that cannot even start (port taken, bad flag) will not do better on a restart.
                    LOG.error("child {} (pid {}) exited with code {} before it listened; see its log above", index, p.pid(), code);
                    failedBeforeReady = true;
                    firstReady.countDown();
                    return;
                }
                if (!budget.take()) {
                    LOG.error("child {} (pid {}) exited with code {}; the restart budget is spent, not restarting", index, p.pid(), code);
                    return;
                }
                LOG.warn("child {} (pid {}) exited with code {}; restarting ({} restarts left)", index, p.pid(), code, budget.left());
                Thread.sleep(100);
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                LOG.error("child {} could not be started: {}", index, e.getMessage());
                if (!budget.take()) {
                    return;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt(); // told to stop: keep the flag for whoever asked
                    return;
                }
            }
        }
    }

    boolean failedBeforeReady() {
        return failedBeforeReady;
    }

    /** Asks the child to stop (SIGTERM); it also stops when its stdin closes. */
    void stopAsking() {
        stopping = true;
        Process p = process;
        if (p != null) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                LOG.debug("child {} stdin already closed: {}", index, e.toString());
            }
            p.destroy();
        }
    }

    /** Waits until the child is gone; kills it (SIGKILL) when the deadline passes. */
    void awaitExit(long deadlineNanos) {
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            long left = deadlineNanos - System.nanoTime();
            if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                LOG.warn("child {} (pid {}) did not stop in time; killing it", index, p.pid());
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            watcher.join(2000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
