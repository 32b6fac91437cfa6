package dev.squall.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The producer-consumer engine, the article's last stage: accepted jobs wait in a {@link JobStore};
 * a bounded set of {@link Workers} runs them; a periodic collector records how each attempt ended,
 * schedules failed ones again after a backoff, and declares dead those out of attempts.
 *
 * <pre>{@code
 * try (JobEngine engine = Engines.start(EngineConfig.defaults(), new MemoryJobStore(100_000, Duration.ofHours(24)),
 *                                       Workers.platformThreads(20, runner))) {   // core.engine.Engines
 *     engine.submit(JobRecord.queued("1", "sleep", "{}", 3, now, now)).thenAccept(s -> ...);   // never blocks
 * }
 * }</pre>
 *
 * {@link #submit} is safe to call from an event loop: it neither blocks nor wakes a thread per job.
 */
public interface JobEngine extends AutoCloseable {

    /**
     * Every attempt of job {@code id}, oldest first (see {@link JobStore#attempts}), with the latest
     * one as the engine sees it ({@code claimed} until a worker starts it); empty for an unknown id.
     */
    default Optional<List<JobStore.Attempt>> attempts(String id) {
        List<JobStore.Attempt> all = store().attempts(id);
        return all.isEmpty() && get(id).isEmpty() ? Optional.empty() : Optional.of(all);
    }

    /** One group of workers and the queues it serves ({@code null}: every queue). */
    record Lane(java.util.Set<String> queues, int workers, int busy) {
        /** A short name for the queues: {@code *} for every queue, else the names joined by commas. */
        public String name() {
            return queues == null ? "*" : String.join(",", new java.util.TreeSet<>(queues));
        }
    }

    /** The engine's lanes of workers, with how many of each lane's workers run an attempt now. */
    default java.util.List<Lane> lanes() {
        return java.util.List.of();
    }

    /** Offers a job; the future completes once the store kept it (or refused it). */
    CompletableFuture<JobStore.Submission> submit(JobRecord job);

    Optional<JobRecord> get(String id);

    JobStore.Page list(JobStore.JobQuery query);

    CompletableFuture<JobStore.Change> cancel(String id);

    CompletableFuture<JobStore.Change> retry(String id);

    /**
     * Completes with the job once it is succeeded, dead or cancelled, or with its current state when
     * {@code wait} runs out first (the long-poll of {@code GET /jobs/{id}?wait=}).
     */
    CompletableFuture<Optional<JobRecord>> awaitEnd(String id, Duration wait);

    EngineStats stats();

    EngineConfig config();

    JobStore store();

    /** Stops taking jobs; submit answers STOPPING from now on. Running jobs go on. */
    void stopAccepting();

    /**
     * Stops in order: intake, the dispatcher, running attempts (up to the shutdown grace), a last
     * collection, housekeeping, the store. Jobs still waiting stay in a durable store for the next start.
     */
    @Override
    void close();
}
