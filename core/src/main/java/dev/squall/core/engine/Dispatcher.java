package dev.squall.core.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.LockSupport;

/**
 * The article's consumer, made cheap: it watches the store and wakes idle workers when jobs wait,
 * instead of handing each job over (which wakes a thread per job; measured in docs/architecture.md).
 *
 * <p>Every {@link #TICK_NANOS} while there is traffic it looks at the backlog. If jobs wait it wakes
 * one idle worker; if jobs still wait on the next tick and no worker went idle meanwhile (all are
 * busy with long jobs), it wakes twice as many, and so on. Awake workers drain the store themselves,
 * so a stream of short jobs costs one wake-up per tick, not one per job, and a burst of long jobs
 * reaches full parallelism within a few ticks. The price is up to one tick (1 ms) of start latency. After {@link #IDLE_TICKS} empty ticks it sleeps until a
 * producer's {@link WakeSignal} or a bounded timeout, so an idle server costs nothing.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");
    static final long TICK_NANOS = 1_000_000;
    static final int IDLE_TICKS = 200;
    private static final long DEEP_SLEEP_NANOS = 50_000_000;

    private final ReadyQueue ready;
    private final WorkerPool workers;
    private final WakeSignal wake;
    private final Thread thread;
    private volatile boolean running = true;

    Dispatcher(ReadyQueue ready, WorkerPool workers, WakeSignal wake) {
        this(ready, workers, wake, "squall-dispatcher");
    }

    Dispatcher(ReadyQueue ready, WorkerPool workers, WakeSignal wake, String threadName) {
        this.ready = ready;
        this.workers = workers;
        this.wake = wake;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        long lastTimeoutCheck = System.nanoTime();
        int emptyTicks = 0;
        int ramp = 0;
        long parksBefore = workers.parks();
        while (running) {
            try {
                long now = System.nanoTime();
                if (now - lastTimeoutCheck > 100_000_000L) {
                    lastTimeoutCheck = now;
                    workers.abandonOverdue(now);
                }
                int claimed = ready.size() < workers.size() ? ready.refill() : 0;
                int backlog = ready.size();
                if (backlog > 0 || claimed > 0) {
                    emptyTicks = 0;
                    long parks = workers.parks();
                    // A worker that parked since the last tick drained the store: one awake worker keeps
                    // up, so wake one. None parked: the awake ones are all busy, so wake twice as many.
                    ramp = parks != parksBefore || ramp == 0 ? 1 : Math.min(ramp * 2, workers.size());
                    parksBefore = parks;
                    workers.wake(Math.min(backlog, ramp));
                    LockSupport.parkNanos(this, TICK_NANOS);
                } else {
                    ramp = 0;
                    if (++emptyTicks < IDLE_TICKS) {
                        LockSupport.parkNanos(this, TICK_NANOS);
                    } else {
                        // Bounded: jobs due later (delayed, or in a backoff) start at most this late.
                        wake.awaitWork(() -> !running, DEEP_SLEEP_NANOS);
                    }
                }
            } catch (Throwable t) {
                LOG.error("dispatcher error; continuing", t);
            }
        }
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
