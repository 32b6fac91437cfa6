package dev.squall.server.http;

import dev.squall.core.JobEngine;
import dev.squall.core.JobEvents;
import dev.squall.core.JobStore;
import dev.squall.server.live.CensusKeeper;
import dev.squall.server.live.LiveStats;
import dev.squall.server.metrics.SquallMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * What the server shows of itself: Prometheus metrics ({@code null} with {@code --metrics off}),
 * and on the queue stage the census of jobs, the live stats and the event streams (all
 * {@code null} on the article's other stages, which have no job API).
 */
record Watch(SquallMetrics metrics, CensusKeeper census, LiveStats live, EventStream events) {

    /** For a stage without the job API: metrics only (HTTP, JVM, process). */
    static Watch withoutJobs(SquallMetrics metrics) {
        return new Watch(metrics, null, null, null);
    }

    /** For the queue stage, on {@code store} (before the engine starts: the engine is told {@link #jobEvents}). */
    static Watch ofJobs(SquallMetrics metrics, JobStore store, int capacity, String stage) {
        if (metrics != null) {
            store.onCommit(metrics);
        }
        CensusKeeper census = CensusKeeper.start(store);
        return new Watch(metrics, census, LiveStats.start(census, capacity, stage), new EventStream());
    }

    /** Everyone who listens to jobs. */
    JobEvents jobEvents() {
        List<JobEvents> all = new ArrayList<>();
        if (metrics != null) {
            all.add(metrics);
        }
        if (live != null) {
            all.add(census.events());
            all.add(live);
            all.add(events);
        }
        return JobEvents.all(all);
    }

    /** Once the engine runs: the gauges and live figures read it. */
    void watch(JobEngine engine, int capacity, java.util.Collection<String> kinds, java.util.Collection<String> queues) {
        if (live == null) {
            return;
        }
        if (metrics != null) {
            metrics.watch(engine, census, capacity);
            metrics.known(kinds, queues);
            metrics.gauge("squall_event_streams", "Open GET /events streams (dashboards and other viewers)", () -> (double) events.open());
        }
        live.onTick(events::stats);
        live.watch(engine);
    }

    void close() {
        if (live != null) {
            events.close();
            live.close();
            census.close();
        }
    }
}
