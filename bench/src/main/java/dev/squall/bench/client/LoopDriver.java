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
 * The callers of one client event loop for a whole run: the warm-up, if any, then the measured
 * phase, on the same connections and the same code paths, so that nothing changes on either side
 * when the figures start to count (a generator that closed its connections and built new callers
 * at that moment once made both of its JVMs busy for about a second right there, on a shared
 * machine, at the start of what it measured). Closed loop: each slot sends its next request as
 * soon as its last one ended. Open loop: requests fall due at {@code t0 + i * period} (the warm-up's
 * from its start, the measured ones from the measured phase's start); a due request takes a free
 * slot, or waits for one (and then counts as late); its latency counts from when it was due, so a
 * server stall shows in full (no coordinated omission). A request counts in the phase in which it
 * fell due, whenever it ends.
 */
final class LoopDriver {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final EventLoop loop;
    private final Phase warm;
    private final Phase measured;
    private final RequestTemplate template;
    private final AtomicLong seq;
    private final Slot[] slots;
    private final boolean openLoop;
    private final double periodNanos;
    private final long warmTotal;
    private final long openTotal;
    private final long tickNanos;
    private final long lateNanos;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final CompletableFuture<LoopDriver> done = new CompletableFuture<>();
    /** The warm-up's figures: shown while it runs, then thrown away. */
    final LoopStats warmStats;
    /** The measured phase's figures. */
    final LoopStats stats;
    private long warmIssued;
    private long openIssued;
    private int retired;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> ticker;
    private boolean measuring;
    private long cpuStartNanos;
    private long wallStartNanos;
    volatile double busy;

    /**
     * @param warm      the warm-up, or null; it ends where {@code measured} starts
     * @param openTotal the measured phase's requests in an open loop (the warm-up's follow from its length)
     */
    LoopDriver(EventLoop loop, Phase warm, Phase measured, RequestTemplate template, AtomicLong seq, Bootstrap base,
               InetSocketAddress address, int slotCount, boolean keepAlive, long timeoutNanos, double rate, long openTotal) {
        this.loop = loop;
        this.warm = warm;
        this.measured = measured;
        this.template = template;
        this.seq = seq;
        this.openLoop = rate > 0;
        this.periodNanos = rate > 0 ? 1e9 / rate : 0;
        this.warmTotal = warm == null || !openLoop ? 0 : (long) Math.ceil((warm.endNanos - warm.startNanos) / periodNanos);
        this.openTotal = openTotal;
        this.tickNanos = openLoop ? Math.max(100_000, Math.min(1_000_000, (long) periodNanos)) : 0;
        this.lateNanos = tickNanos + 1_000_000;
        this.warmStats = new LoopStats(warm == null ? measured.startNanos : warm.startNanos);
        this.stats = new LoopStats(measured.startNanos);
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

    /** The figures of the phase running at {@code nowNanos} (for progress lines). */
    LoopStats statsAt(long nowNanos) {
        return warm != null && nowNanos < warm.endNanos ? warmStats : stats;
    }

    void start(long sweepNanos) {
        loop.execute(() -> {
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

    /** The measured phase's first request: the client's own CPU counts from here. */
    private void measuring(long now) {
        if (!measuring) {
            measuring = true;
            cpuStartNanos = THREADS.getCurrentThreadCpuTime();
            wallStartNanos = now;
        }
    }

    private void nextClosed(Slot s, long now) {
        if (warm != null && warm.open(now)) {
            send(s, warmStats, now, now);
        } else if (measured.takeTicket(now)) {
            measuring(now);
            send(s, stats, now, now);
        } else {
            retired++;
            s.close();
            maybeFinish();
        }
    }

    private void tick() {
        long now = System.nanoTime();
        while (!free.isEmpty() && sendDue(free.peek(), now)) {
            free.pop();
        }
        maybeFinish();
    }

    /** Open loop: sends the next request due by {@code now} on {@code s}, if there is one. */
    private boolean sendDue(Slot s, long now) {
        if (warm != null && warm.open(now) && warmIssued < warmTotal) {
            long intended = warm.startNanos + (long) (warmIssued * periodNanos);
            if (intended > now) {
                return false;
            }
            warmIssued++;
            send(s, warmStats, intended, now);
            return true;
        }
        if (!measured.open(now) || openIssued >= openTotal) {
            return false; // no more new requests
        }
        long intended = measured.startNanos + (long) (openIssued * periodNanos);
        if (intended > now) {
            return false;
        }
        measuring(now);
        openIssued++;
        send(s, stats, intended, now);
        return true;
    }

    private void send(Slot s, LoopStats target, long intended, long now) {
        target.sent(now, now - intended > lateNanos);
        s.send(seq.getAndIncrement(), intended, now, target);
        target.progressInFlight++;
    }

    void record(LoopStats target, Outcome outcome, int status, long latencyNanos, long now) {
        target.progressInFlight--;
        target.record(outcome, status, latencyNanos, now);
    }

    /** A slot finished a request: give it the next one. */
    void afterRequest(Slot s, long now) {
        if (!openLoop) {
            nextClosed(s, now);
            return;
        }
        if (!sendDue(s, now)) {
            free.push(s);
            maybeFinish();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Slot s : slots) {
            s.checkDeadline(now);
        }
        if (measured.cancelled) {
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
            boolean noMore = openIssued >= openTotal || !measured.open(now);
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
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStartNanos;
            busy = !measuring || wall <= 0 || cpu < 0 ? 0 : Math.min(1.0, cpu / (double) wall);
            done.complete(this);
        }
    }
}
