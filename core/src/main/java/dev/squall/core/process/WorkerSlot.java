package dev.squall.core.process;

import dev.squall.core.JobResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One worker process and the feeder thread that owns it: takes a job from the pool, writes it to the
 * process, reads the answer. If the process dies, the job in hand is answered with an error and a
 * new process is started.
 */
final class WorkerSlot {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSlot.class);
    private static final long RESTART_BACKOFF_MS = 1000;

    private final int index;
    private final JavaLauncher launcher;
    private final Duration defaultWork;
    private final ProcessPoolExecutor pool;
    private final CountDownLatch firstReady;
    private final Thread feeder;
    private volatile Process process;
    private volatile boolean busy;
    /** The task this worker's process is running, if any. */
    private volatile ProcessPoolExecutor.Task current;
    private BufferedWriter toWorker;
    private BufferedReader fromWorker;

    WorkerSlot(int index, JavaLauncher launcher, Duration defaultWork, ProcessPoolExecutor pool, CountDownLatch firstReady) {
        this.index = index;
        this.launcher = launcher;
        this.defaultWork = defaultWork;
        this.pool = pool;
        this.firstReady = firstReady;
        this.feeder = new Thread(this::feed, "squall-process-feeder-" + index);
        this.feeder.setDaemon(true);
    }

    void start() {
        feeder.start();
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** The PID of the process if it said it is ready and is alive; -1 while one starts (or none runs). */
    long readyPid() {
        Process p = readyProcess;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** The process once it said it is ready; null while a replacement starts. */
    private volatile Process readyProcess;

    boolean busy() {
        return busy;
    }

    private void feed() {
        boolean first = true;
        while (!pool.closing()) {
            try {
                if (process == null || !process.isAlive()) {
                    if (!first) {
                        reportDeath();
                    }
                    spawn();
                    if (first) {
                        firstReady.countDown();
                        first = false;
                    }
                }
                ProcessPoolExecutor.Task task = pool.nextTask();
                if (task != null && !task.done().isDone()) { // a task cancelled while it waited is not run
                    busy = true;
                    synchronized (this) {
                        current = task;
                    }
                    task.done().whenComplete((r, t) -> {
                        if (task.done().isCancelled()) {
                            abandon(task);
                        }
                    });
                    try {
                        task.done().complete(exchange(task));
                    } finally {
                        synchronized (this) {
                            current = null; // under the lock: abandon() never kills the process of a later task
                        }
                        busy = false;
                    }
                }
            } catch (InterruptedException e) {
                if (pool.closing()) {
                    return;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                LOG.error("process worker {}: could not start a worker process; retrying in {} ms", index, RESTART_BACKOFF_MS, t);
                destroy();
                if (!sleepQuietly(RESTART_BACKOFF_MS)) {
                    return;
                }
            }
        }
    }

    private void spawn() throws IOException {
        ProcessBuilder pb = launcher.processBuilder(List.of());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        readyProcess = null;
        Process p = pb.start();
        toWorker = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        fromWorker = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        process = p;
        String ready = readProtocolLine();
        if (ready == null || !ready.contains("\"ready\":true")) {
            throw new IOException("worker process " + p.pid() + " exited before it was ready");
        }
        readyProcess = p;
        LOG.debug("process worker {} started as pid {}", index, p.pid());
    }

    /** Sends one job and waits for its answer; a closed pipe means the worker died mid-job. */
    private JobResult exchange(ProcessPoolExecutor.Task task) {
        Process p = process;
        try {
            toWorker.write(WorkerProtocol.request(task.job(), defaultWork));
            toWorker.newLine();
            toWorker.flush();
            String answer = readProtocolLine();
            if (answer != null) {
                return WorkerProtocol.parseResponse(task.job(), answer);
            }
        } catch (IOException e) {
            LOG.debug("process worker {}: pipe to pid {} failed: {}", index, p.pid(), e.toString());
        }
        String exit = exitOf(p);
        if (p.isAlive()) {
            // Its pipe broke but it has not exited: never give it another job. The feeder sees it
            // dead and starts a replacement.
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return JobResult.failure(task.job(), "worker process " + p.pid() + " died (" + exit + ") while running the job", p.pid(), 0);
    }

    private String readProtocolLine() throws IOException {
        String line;
        while ((line = fromWorker.readLine()) != null) {
            if (WorkerProtocol.isProtocol(line)) {
                return line;
            }
            LOG.info("worker {}: {}", process.pid(), line);
        }
        return null;
    }

    /**
     * The caller gave up on a task (a job timeout): a process cannot be interrupted mid-job, so it is
     * killed, which ends the exchange, and the feeder starts a replacement.
     */
    private synchronized void abandon(ProcessPoolExecutor.Task task) {
        Process p = process;
        if (current == task && p != null) {
            LOG.warn("process worker {}: job {} was abandoned; killing pid {} that still runs it", index, task.job().id(), p.pid());
            p.destroyForcibly();
        }
    }

    private void reportDeath() {
        Process dead = process;
        LOG.warn("process worker {}: pid {} exited ({}); starting a replacement", index, dead.pid(), exitOf(dead));
    }

    private static String exitOf(Process p) {
        try {
            if (p.waitFor(2, TimeUnit.SECONDS)) {
                int code = p.exitValue();
                return code > 128 ? "exit code " + code + ", signal " + (code - 128) : "exit code " + code;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "still running, not answering";
    }

    void awaitIdle(long deadlineNanos) {
        while (busy && System.nanoTime() < deadlineNanos) {
            if (!sleepQuietly(10)) {
                return;
            }
        }
    }

    void stop() {
        feeder.interrupt();
        Process p = process;
        if (p != null) {
            try {
                p.getOutputStream().close(); // EOF on stdin: the worker exits by itself
            } catch (IOException ignored) {
                // already closed: the process is gone or going
            }
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    destroy();
                }
            } catch (InterruptedException e) {
                destroy();
                Thread.currentThread().interrupt();
            }
        }
        try {
            feeder.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void destroy() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static boolean sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
