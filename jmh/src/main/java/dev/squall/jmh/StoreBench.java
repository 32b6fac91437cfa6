package dev.squall.jmh;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import dev.squall.core.store.MemoryJobStore;
import dev.squall.store.sqlite.SqliteJobStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's side of a job, per job: a submit to the memory store; a group-commit batch of
 * {@value #BATCH} submits to SQLite (with and without fsync); and a claim followed by the finish of
 * what it claimed. Each figure is the time per job.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreBench {
    static final int BATCH = 512;
    private static final AtomicLong IDS = new AtomicLong();

    /** {@code memory}, {@code sqlite} (fsync) or {@code sqlite-nosync}. */
    @Param({"memory", "sqlite-nosync", "sqlite"})
    public String store;

    private JobStore s;
    private Path dir;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("squall-jmh");
        s = switch (store) {
            case "memory" -> new MemoryJobStore(Integer.MAX_VALUE, Duration.ofHours(1));
            case "sqlite" -> SqliteJobStore.open(dir.resolve("jmh.db"), Integer.MAX_VALUE, true);
            case "sqlite-nosync" -> SqliteJobStore.open(dir.resolve("jmh.db"), Integer.MAX_VALUE, false);
            default -> throw new IllegalArgumentException("store: memory, sqlite or sqlite-nosync, not " + store);
        };
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        s.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static JobRecord newJob() {
        long now = System.currentTimeMillis();
        return JobRecord.queued("j" + IDS.incrementAndGet(), "sleep", "{\"sleep_ms\":0}", 3, now, now);
    }

    /** {@value #BATCH} submits at once, then waiting for all: on SQLite one or a few group commits. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int submitBatch() {
        List<CompletableFuture<JobStore.Submission>> all = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            all.add(s.submit(newJob()));
        }
        int created = 0;
        for (CompletableFuture<JobStore.Submission> f : all) {
            created += f.join().kind() == JobStore.Submission.Kind.CREATED ? 1 : 0;
        }
        return created;
    }

    /** A claim of up to {@value #BATCH} due jobs and the successful finish of each (after a submit of as many). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int claimAndFinish() {
        submitBatch();
        long now = System.currentTimeMillis();
        List<Job> claimed = s.claim(BATCH, now);
        List<JobStore.Finish> done = new ArrayList<>(claimed.size());
        for (Job j : claimed) {
            done.add(JobStore.Finish.succeeded(j, "{}", now));
        }
        return s.finish(done).join();
    }
}
