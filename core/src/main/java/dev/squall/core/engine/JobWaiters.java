package dev.squall.core.engine;

import dev.squall.core.JobRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Callers waiting for jobs to end (long-polls), told by the collector and by cancel. */
final class JobWaiters {
    private final Map<String, List<CompletableFuture<JobRecord>>> byId = new ConcurrentHashMap<>();

    CompletableFuture<JobRecord> register(String id) {
        CompletableFuture<JobRecord> f = new CompletableFuture<>();
        byId.compute(id, (k, list) -> {
            List<CompletableFuture<JobRecord>> l = list == null ? new ArrayList<>(2) : list;
            l.add(f);
            return l;
        });
        return f;
    }

    void forget(String id, CompletableFuture<JobRecord> f) {
        byId.computeIfPresent(id, (k, list) -> {
            list.remove(f);
            return list.isEmpty() ? null : list;
        });
    }

    /** Tells everyone waiting for this job; cheap when nobody waits. */
    void ended(JobRecord r) {
        if (byId.isEmpty()) {
            return;
        }
        List<CompletableFuture<JobRecord>> list = byId.remove(r.id());
        if (list != null) {
            list.forEach(f -> f.complete(r));
        }
    }

    boolean isWaiting(String id) {
        return !byId.isEmpty() && byId.containsKey(id);
    }
}
