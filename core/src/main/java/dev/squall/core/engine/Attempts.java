package dev.squall.core.engine;

import dev.squall.core.JobRecord;
import dev.squall.core.JobState;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells {@code running} from {@code claimed}: a store marks a job running when it is claimed, which
 * may be well before a worker is free; whether a worker really started it, and when, is known only
 * here, by the workers (and, once the attempt ended, by the collector until it records the result).
 *
 * <p>Nothing is recorded per job on the hot path: a view looks the job up among the workers and
 * the results waiting for the collector (a few dozen entries, 10,000 with virtual threads), which
 * costs a read of the job (microseconds) instead of a map update per job started and ended
 * (measured: ~2% of the seed route's intake on 2 cores).
 */
final class Attempts {
    private final List<WorkerPool> pools;
    private final Collector collector;

    Attempts(List<WorkerPool> pools, Collector collector) {
        this.pools = List.copyOf(pools);
        this.collector = collector;
    }

    /** When a worker of this engine started the attempt of job {@code id} that is running or awaits collection; null if none did. */
    Long startedAt(String id) {
        Long s = collector.startedAt(id);
        for (int i = 0; s == null && i < pools.size(); i++) {
            s = pools.get(i).startedAt(id);
        }
        // A worker hands its result to the collector as it lets go of the job: look there again.
        return s != null ? s : collector.startedAt(id);
    }

    /** The start of every attempt a worker holds or the collector has yet to record, by job id. */
    Map<String, Long> snapshot() {
        Map<String, Long> all = new HashMap<>();
        pools.forEach(p -> p.startedAttempts(all::put));
        collector.startedAttempts(all::put);
        return all;
    }

    /** The record as the API shows it: a running job no worker started yet is {@code claimed}. */
    JobRecord view(JobRecord r) {
        return r == null || r.state() != JobState.RUNNING ? r : view(r, startedAt(r.id()));
    }

    /** The same, with the starts from a {@link #snapshot}. */
    static JobRecord view(JobRecord r, Map<String, Long> started) {
        return r == null || r.state() != JobState.RUNNING ? r : view(r, started.get(r.id()));
    }

    private static JobRecord view(JobRecord r, Long started) {
        return started == null ? claimed(r) : r.with(JobState.RUNNING, r.attempt(), r.runAt(), started, 0, null, r.lastError());
    }

    /** A job the store holds as running, shown as claimed (no worker started it, or none is known to). */
    static JobRecord claimed(JobRecord r) {
        return r.with(JobState.CLAIMED, r.attempt(), r.runAt(), 0, 0, null, r.lastError());
    }
}
