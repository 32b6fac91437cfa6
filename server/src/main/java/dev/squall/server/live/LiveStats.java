package dev.squall.server.live;

import dev.squall.core.EngineStats;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobEvents;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.StoreHealth;
import dev.squall.core.Json;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The figures behind the dashboard, {@code GET /stats} and {@code GET /events}: built once a second
 * from memory (the engine's counters, what {@link JobEvents} told, the {@link CensusKeeper}'s latest
 * count, the store's last heartbeat view of the nodes) into one JSON text that every viewer shares.
 * No viewer causes a query: a hundred open dashboards cost what one does.
 *
 * <p>It keeps ten minutes of per-second throughput by outcome, and the wait and run times of the
 * attempts of the last minute (HdrHistogram) for their percentiles.
 *
 * <p>On a store several nodes share (PostgreSQL) the figures are the whole cluster's: each node
 * publishes its totals and its last minute's histograms through the store about every second
 * ({@link JobStore#shareFigures}), and adds the other live nodes' to its own ({@link PeerFigures}):
 * their totals since they started, their per-second moves, their wait and run times merged into
 * the percentiles. {@code figures_from} names the nodes whose figures are in.
 *
 * <pre>{@code
 * LiveStats live = LiveStats.start(engine, census, capacity);   // also a JobEvents: give it to the engine
 * String json = live.json();                                     // the latest snapshot
 * live.onTick(snapshot -> stream.broadcast(snapshot));
 * }</pre>
 */
public final class LiveStats implements JobEvents, AutoCloseable {
    static final int HISTORY_SECONDS = 600;
    static final int PERCENTILE_SECONDS = 60;

    /** One second of throughput. */
    record Second(long at, long accepted, long succeeded, long failed, long dead, long cancelled, long rejected) {
    }

    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final Recorder waitMicros = new Recorder(3_600_000_000L, 2);
    private final Recorder runMicros = new Recorder(3_600_000_000L, 2);
    private final ArrayDeque<Histogram> waitWindow = new ArrayDeque<>();
    private final ArrayDeque<Histogram> runWindow = new ArrayDeque<>();
    private final ArrayDeque<Second> history = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("squall-live").daemon(true).factory());
    private final List<Consumer<String>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile JobEngine engine;
    private final CensusKeeper census;
    private final int capacity;
    private final String stage;
    private final long startedAt = System.currentTimeMillis();
    private long[] last = new long[6];
    private volatile String json = "{}";
    /** What this node publishes for the others (null before the first tick, and without others). */
    private volatile String mine;
    /** This node's id on a store shared with other nodes (only then is anything published), else null. */
    private volatile String node;
    private final PeerFigures peers = new PeerFigures();
    private final UnservedQueues unserved = new UnservedQueues();

    private LiveStats(CensusKeeper census, int capacity, String stage) {
        this.census = census;
        this.capacity = capacity;
        this.stage = stage;
    }

    /** Figures for the engine {@link #watch}ed later; ticking once a second from now. */
    public static LiveStats start(CensusKeeper census, int capacity, String stage) {
        LiveStats s = new LiveStats(census, capacity, stage);
        s.timer.scheduleAtFixedRate(s::tickSafely, 1, 1, TimeUnit.SECONDS);
        return s;
    }

    /** The engine whose counters and lanes it reads (given once the engine has started). */
    public void watch(JobEngine e) {
        this.engine = e;
        this.node = e.store().health().node();
        if (node != null) {
            e.store().shareFigures(() -> mine);
        }
        tickSafely();
    }

    /** The latest snapshot, as JSON. */
    public String json() {
        return json;
    }

    /** The latest snapshot with the last ten minutes of per-second throughput, for a page's first view. */
    public synchronized String jsonWithHistory() {
        // Built when asked (a page's first view), not at every tick: the history is 600 entries.
        StringBuilder b = new StringBuilder(json.length() + history.size() * 100).append(json, 0, json.length() - 1)
                .append(",\"history\":[");
        boolean first = true;
        for (Second sec : history) {
            b.append(first ? "" : ",");
            second(b, sec);
            first = false;
        }
        return b.append("]}").toString();
    }

    /** Called with each new snapshot (on the ticker thread; must be quick). */
    public void onTick(Consumer<String> listener) {
        listeners.add(listener);
    }

    // ---- told by the engine ----

    @Override
    public void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
        switch (outcome) {
            case SUCCEEDED -> succeeded.increment();
            case FAILED -> failed.increment();
            default -> dead.increment();
        }
        if (startedAt > 0) {
            waitMicros.recordValue(Math.min(3_600_000_000L, Math.max(0, startedAt - job.dueAtMillis()) * 1000));
            runMicros.recordValue(Math.min(3_600_000_000L, Math.max(0, endedAt - startedAt) * 1000));
        }
    }

    @Override
    public void cancelled(JobRecord job) {
        cancelled.increment();
    }

    // ---- the tick ----

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger("squall.server").warn("live stats failed a tick: {}", e.toString());
        }
    }

    private synchronized void tick() {
        JobEngine e = engine;
        if (e == null) {
            return;
        }
        EngineStats st = e.stats();
        long now = System.currentTimeMillis();
        long[] own = {st.accepted(), succeeded.sum(), failed.sum(), dead.sum(), cancelled.sum(), st.rejected()};
        slide(waitWindow, waitMicros.getIntervalHistogram());
        slide(runWindow, runMicros.getIntervalHistogram());
        Histogram waits = merged(waitWindow);
        Histogram runs = merged(runWindow);
        List<JobEngine.Lane> lanes = e.lanes();
        boolean servesAll = lanes.isEmpty();
        java.util.Set<String> served = new java.util.TreeSet<>();
        for (JobEngine.Lane l : lanes) {
            if (l.queues() == null) {
                servesAll = true;
            } else {
                served.addAll(l.queues());
            }
        }
        if (node != null) {
            mine = PeerFigures.publish(own, waits, runs, servesAll ? null : served);
        }

        PeerFigures.Sum others = peers.read(e.store().peerFigures(), waits, runs);
        served.addAll(others.served());
        CensusKeeper.Snapshot c = census.latest();
        java.util.Set<String> waitingQueues = new java.util.TreeSet<>();
        for (JobStore.Census.Row r : c.census().rows()) {
            if (r.state().waiting() && r.count() > 0) {
                waitingQueues.add(r.queue());
            }
        }
        List<String> unservedQueues = unserved.update(waitingQueues, served, servesAll || others.servesAll(), now);
        long[] counts = new long[own.length];
        long[] moved = new long[own.length];
        for (int i = 0; i < own.length; i++) {
            counts[i] = own[i] + others.totals()[i];
            moved[i] = own[i] - last[i] + others.moved()[i];
        }
        Second sec = new Second(now / 1000, moved[0], moved[1], moved[2], moved[3], moved[4], moved[5]);
        last = own;
        history.addLast(sec);
        while (history.size() > HISTORY_SECONDS) {
            history.removeFirst();
        }

        StringBuilder b = new StringBuilder(1024);
        b.append("{\"at\":\"").append(Instant.ofEpochMilli(now)).append('"')
                .append(",\"stage\":\"").append(stage).append('"')
                .append(",\"uptime_seconds\":").append((now - startedAt) / 1000)
                .append(",\"store\":").append(Json.quote(e.store().describe()))
                .append(",\"counted_at\":").append(c.takenAt() == 0 ? "null" : "\"" + Instant.ofEpochMilli(c.takenAt()) + "\"")
                .append(",\"finished_counted_at\":").append(c.finishedTakenAt() == 0 ? "null" : "\"" + Instant.ofEpochMilli(c.finishedTakenAt()) + "\"")
                .append(",\"states\":{");
        List<JobState> states = JobState.stored();
        for (int i = 0; i < states.size(); i++) {
            b.append(i == 0 ? "" : ",").append('"').append(states.get(i).wireName()).append("\":").append(c.count(states.get(i)));
        }
        long oldestDue = 0;
        for (JobStore.Census.Row r : c.census().rows()) {
            if (r.state().waiting() && r.oldestDue() > 0 && (oldestDue == 0 || r.oldestDue() < oldestDue)) {
                oldestDue = r.oldestDue();
            }
        }
        b.append("},\"waiting\":").append(st.queued()).append(",\"capacity\":").append(capacity)
                .append(",\"claimed\":").append(st.claimed()).append(",\"running\":").append(st.running())
                .append(",\"oldest_waiting_seconds\":").append(oldestDue == 0 ? 0 : Math.max(0, now - oldestDue) / 1000.0)
                .append(",\"totals\":{\"accepted\":").append(counts[0]).append(",\"succeeded\":").append(counts[1])
                .append(",\"failed\":").append(counts[2]).append(",\"dead\":").append(counts[3])
                .append(",\"cancelled\":").append(counts[4]).append(",\"rejected\":").append(counts[5]).append('}')
                .append(",\"last_second\":");
        second(b, sec);
        b.append(",\"wait_ms\":");
        percentiles(b, waits);
        b.append(",\"run_ms\":");
        percentiles(b, runs);
        b.append(",\"figures_from\":[").append(Json.quote(node == null ? "this" : node));
        for (String n : others.nodes()) {
            b.append(',').append(Json.quote(n));
        }
        b.append(']');
        b.append(",\"unserved_queues\":[");
        for (int i = 0; i < unservedQueues.size(); i++) {
            b.append(i == 0 ? "" : ",").append(Json.quote(unservedQueues.get(i)));
        }
        b.append(']');
        b.append(",\"lanes\":[");
        for (int i = 0; i < lanes.size(); i++) {
            JobEngine.Lane l = lanes.get(i);
            b.append(i == 0 ? "" : ",").append("{\"queues\":").append(Json.quote(l.name())).append(",\"workers\":").append(l.workers())
                    .append(",\"busy\":").append(l.busy()).append('}');
        }
        b.append("],\"nodes\":[");
        StoreHealth h = e.store().health();
        for (int i = 0; i < h.nodes().size(); i++) {
            StoreHealth.Node n = h.nodes().get(i);
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.quote(n.id()))
                    .append(",\"heartbeat_at\":\"").append(Instant.ofEpochMilli(n.heartbeatAt())).append("\"}");
        }
        b.append("],\"store_reachable\":").append(h.reachable()).append('}');
        json = b.toString();
        for (Consumer<String> l : listeners) {
            l.accept(json);
        }
    }

    private static void second(StringBuilder b, Second s) {
        b.append("{\"t\":").append(s.at()).append(",\"accepted\":").append(s.accepted()).append(",\"succeeded\":").append(s.succeeded())
                .append(",\"failed\":").append(s.failed()).append(",\"dead\":").append(s.dead())
                .append(",\"cancelled\":").append(s.cancelled()).append(",\"rejected\":").append(s.rejected()).append('}');
    }

    private static void slide(ArrayDeque<Histogram> window, Histogram latest) {
        window.addLast(latest);
        while (window.size() > PERCENTILE_SECONDS) {
            window.removeFirst();
        }
    }

    private static Histogram merged(ArrayDeque<Histogram> window) {
        Histogram all = new Histogram(3_600_000_000L, 2);
        for (Histogram h : window) {
            all.add(h);
        }
        return all;
    }

    private static void percentiles(StringBuilder b, Histogram all) {
        if (all.getTotalCount() == 0) {
            b.append("null");
            return;
        }
        b.append("{\"p50\":").append(all.getValueAtPercentile(50) / 1000.0).append(",\"p95\":").append(all.getValueAtPercentile(95) / 1000.0)
                .append(",\"p99\":").append(all.getValueAtPercentile(99) / 1000.0).append(",\"count\":").append(all.getTotalCount()).append('}');
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
