package dev.squall.bench.client;

import dev.squall.bench.Outcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The callers of one client event loop in one phase. Closed loop: each slot sends its next request
 * as soon as its last one ended. Open loop: requests fall due at {@code t0 + i * period}; a due
 * request takes a free slot, or waits for one (and then counts as late); its latency counts from
 * when it was due, so a server stall shows in full (no coordinated omission).
 */
final class LoopDriver {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final EventLoop loop;
    private final Phase phase;
    private final RequestTemplate template;
    private final AtomicLong seq;
    private final Slot[] slots;
    private final boolean openLoop;
    private final double periodNanos;
    private final long openTotal;
    private final long tickNanos;
    private final long lateNanos;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final CompletableFuture<LoopDriver> done = new CompletableFuture<>();
    final LoopStats stats;
    private long openIssued;
    private int retired;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> ticker;
    private Thread thread;
    private long cpuStartNanos;
    private long wallStartNanos;
    volatile double busy;

    LoopDriver(EventLoop loop, Phase phase, RequestTemplate template, AtomicLong seq, Bootstrap base, InetSocketAddress address,
               int slotCount, boolean keepAlive, long timeoutNanos, double rate, long openTotal) {
        this.loop = loop;
        this.phase = phase;
        this.template = template;
        this.seq = seq;
        this.openLoop = rate > 0;
        this.periodNanos = rate > 0 ? 1e9 / rate : 0;
        this.openTotal = openTotal;
        this.tickNanos = openLoop ? Math.max(100_000, Math.min(1_000_000, (long) periodNanos)) : 0;
        this.lateNanos = tickNanos + 1_000_000;
        this.stats = new LoopStats(phase.startNanos);
        this.slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(this, base, address, keepAlive, timeoutNanos);
        }
    }

    RequestTemplate template() {
        return template;
    }

    CompletableFuture<LoopDriver> done() {
        return done;
    }

    void start(long sweepNanos) {
        loop.execute(() -> {
            thread = Thread.currentThread();
            cpuStartNanos = THREADS.getThreadCpuTime(thread.threadId());
            wallStartNanos = System.nanoTime();
            sweeper = loop.scheduleAtFixedRate(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
            if (openLoop) {
                for (Slot s : slots) {
                    free.push(s);
                }
                ticker = loop.scheduleAtFixedRate(this::tick, 0, tickNanos, TimeUnit.NANOSECONDS);
            } else {
                long now = System.nanoTime();
                for (Slot s : slots) {
                    nextClosed(s, now);
                }
            }
        });
    }

    private void nextClosed(Slot s, long now) {
        if (phase.takeTicket(now)) {
            stats.sent(now, false);
            s.send(seq.getAndIncrement(), now, now);
            stats.progressInFlight++;
        } else {
            retired++;
            s.close();
            maybeFinish();
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long due = dueBy(now);
        while (openIssued < due && !free.isEmpty()) {
            sendOpen(free.pop(), now);
        }
        maybeFinish();
    }

    private long dueBy(long now) {
        if (!phase.open(now)) {
            return openIssued; // no more new requests
        }
        return Math.min(openTotal, (long) ((now - phase.startNanos) / periodNanos) + 1);
    }

    private void sendOpen(Slot s, long now) {
        long intended = phase.startNanos + (long) (openIssued * periodNanos);
        openIssued++;
        stats.sent(now, now - intended > lateNanos);
        s.send(seq.getAndIncrement(), intended, now);
        stats.progressInFlight++;
    }

    void record(Outcome outcome, int status, long latencyNanos, long now) {
        stats.progressInFlight--;
        stats.record(outcome, status, latencyNanos, now);
    }

    /** A slot finished a request: give it the next one. */
    void afterRequest(Slot s, long now) {
        if (!openLoop) {
            nextClosed(s, now);
            return;
        }
        if (openIssued < dueBy(now)) {
            sendOpen(s, now);
        } else {
            free.push(s);
            maybeFinish();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Slot s : slots) {
            s.checkDeadline(now);
        }
        if (phase.cancelled) {
            for (Slot s : slots) {
                if (s.inFlight()) {
                    s.checkDeadline(Long.MAX_VALUE);
                }
            }
        }
        maybeFinish();
    }

    private void maybeFinish() {
        if (done.isDone()) {
            return;
        }
        boolean finished;
        if (openLoop) {
            long now = System.nanoTime();
            boolean noMore = openIssued >= openTotal || !phase.open(now);
            finished = noMore && free.size() == slots.length;
        } else {
            finished = retired == slots.length;
        }
        if (finished) {
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            if (ticker != null) {
                ticker.cancel(false);
            }
            for (Slot s : slots) {
                s.close();
            }
            stats.closeSecond();
            long wall = System.nanoTime() - wallStartNanos;
            long cpu = THREADS.getThreadCpuTime(thread.threadId()) - cpuStartNanos;
            busy = wall <= 0 || cpu < 0 ? 0 : Math.min(1.0, cpu / (double) wall);
            done.complete(this);
        }
    }
}
