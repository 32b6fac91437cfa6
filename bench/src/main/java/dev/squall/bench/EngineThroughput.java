package dev.squall.bench;

import dev.squall.core.engine.Engines;
import dev.squall.core.store.MemoryJobStore;
import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobIds;
import dev.squall.core.JobRecord;
import dev.squall.core.JobRunner;
import dev.squall.core.JobStore;
import dev.squall.core.Workers;
import dev.squall.store.postgres.PostgresJobStore;
import dev.squall.store.postgres.PostgresUrl;
import dev.squall.store.sqlite.SqliteJobStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * End-to-end job throughput of the engine, without HTTP: {@code N} no-op jobs ({@code echo}) from
 * submit to succeeded, through a store (memory or SQLite with fsync), 20 worker threads, the
 * collector. Prints one line with jobs/s. Submits keep at most 4096 unacknowledged (as many HTTP
 * callers would), so a durable store's group commit sees realistic batches.
 *
 * <pre>
 * java -cp app/target/squall.jar dev.squall.bench.EngineThroughput memory 500000
 * java -cp app/target/squall.jar dev.squall.bench.EngineThroughput sqlite 200000 [file]
 * java -cp app/target/squall.jar dev.squall.bench.EngineThroughput postgresql 100000 postgresql://USER@HOST/DB
 * </pre>
 */
public final class EngineThroughput {
    private EngineThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "memory";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        Path file = args.length > 2 && !kind.equals("postgresql") ? Path.of(args[2]) : Files.createTempFile("squall-throughput-", ".db");
        Files.deleteIfExists(file);
        JobStore store = switch (kind) {
            case "sqlite" -> SqliteJobStore.open(file, Integer.MAX_VALUE, true);
            case "postgresql" -> PostgresJobStore.open(new PostgresJobStore.Options(PostgresUrl.parse(args[2],
                    System.getenv("PGPASSWORD")), Integer.MAX_VALUE, "throughput", Duration.ofSeconds(30), true,
                    JobStore.DEFAULT_MAX_WAITING_CHARS));
            default -> new MemoryJobStore(Integer.MAX_VALUE, Duration.ofHours(1));
        };
        EngineConfig config = new EngineConfig(Duration.ofMillis(100), Duration.ofSeconds(30), 0,
                new Backoff(Duration.ZERO, Duration.ZERO), Duration.ofHours(1), Duration.ZERO, EngineConfig.DEFAULT_ASYNC_LIMIT);
        JobRunner runner = new JobRunner(JobHandlers.builtIn(), Duration.ZERO);
        try (JobEngine engine = Engines.start(config, store, Workers.platformThreads(20, runner))) {
            run(engine, Math.min(n / 10, 20_000)); // warm-up, not counted
            long before = engine.stats().succeeded();
            long t0 = System.nanoTime();
            run(engine, n);
            while (engine.stats().succeeded() - before < n) {
                Thread.sleep(1);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "engine throughput (%s): %d no-op jobs submitted and succeeded in %.2f s: %.0f jobs/s%n",
                    store.describe(), n, s, n / s);
        } finally {
            if (kind.equals("sqlite")) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(Path.of(file + "-wal"));
                Files.deleteIfExists(Path.of(file + "-shm"));
            }
        }
    }

    private static void run(JobEngine engine, int n) throws InterruptedException {
        Semaphore inFlight = new Semaphore(4096);
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            CompletableFuture<JobStore.Submission> f = engine.submit(JobRecord.queued(JobIds.next(), "echo", "{}", 1, now, now));
            f.whenComplete((s, e) -> inFlight.release());
        }
        inFlight.acquire(4096);
    }
}
