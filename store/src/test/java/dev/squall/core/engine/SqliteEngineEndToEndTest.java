package dev.squall.core.engine;

import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.store.sqlite.SqliteJobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine on a real SQLite file, end to end: many jobs with cancels, and a stop that cuts a last attempt. */
class SqliteEngineEndToEndTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(50))
            .withShutdownGrace(Duration.ofSeconds(5)).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)).withJobTimeout(Duration.ZERO);
    @TempDir
    Path dir;

    @Test
    void tenThousandJobsWithRandomCancelsNoneLostNoneRunTwice() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobHandler counting = JobHandler.of("count", ctx -> {
            runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet();
            return "{}";
        });
        int n = 10_000;
        Random random = new Random(42);
        try (JobEngine engine = QueueEngineTest.engine(CONFIG, 4, SqliteJobStore.open(dir.resolve("10k.db"), n, false), counting)) {
            List<CompletableFuture<JobStore.Submission>> submits = new ArrayList<>(n);
            List<CompletableFuture<JobStore.Change>> cancels = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                String id = "j" + i;
                submits.add(engine.submit(JobRecord.queued(id, "count", "{}", 1, now, now)));
                if (random.nextInt(10) == 0) {
                    submits.getLast().join();
                    cancels.add(engine.cancel(id));
                }
            }
            submits.forEach(f -> assertThat(f.join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED));
            int cancelled = 0;
            for (var c : cancels) {
                JobStore.Change change = c.join();
                cancelled += change.kind() == JobStore.Change.Kind.DONE ? 1 : 0;
            }
            int expectCancelled = cancelled;
            await().atMost(Duration.ofSeconds(60)).until(() -> engine.stats().succeeded() == n - expectCancelled);

            int succeeded = 0;
            int seenCancelled = 0;
            for (int i = 0; i < n; i++) {
                String id = "j" + i;
                JobRecord r = engine.get(id).orElseThrow(() -> new AssertionError("lost: " + id));
                int ran = runs.getOrDefault(id, new AtomicInteger()).get();
                if (r.state() == JobState.SUCCEEDED) {
                    succeeded++;
                    assertThat(ran).as("runs of %s", id).isEqualTo(1);
                    assertThat(r.attempt()).isEqualTo(1);
                } else {
                    assertThat(r.state()).as(id).isEqualTo(JobState.CANCELLED);
                    assertThat(ran).as("runs of cancelled %s", id).isZero();
                    seenCancelled++;
                }
            }
            assertThat(seenCancelled).isEqualTo(cancelled);
            assertThat(succeeded + seenCancelled).isEqualTo(n);
            assertThat(cancelled).as("some cancels came in time").isPositive();
        }
    }

    @Test
    void aLastAttemptCutShortByAStopRunsAgainAfterARestartOnTheSameFile() throws Exception {
        Path file = dir.resolve("restart.db");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        JobHandler slow = JobHandler.of("work", ctx -> {
            started.countDown();
            never.await();
            return "{}";
        });
        JobEngine first = QueueEngineTest.engine(CONFIG.withShutdownGrace(Duration.ofMillis(100)), 1,
                SqliteJobStore.open(file, 10, true), slow);
        long now = System.currentTimeMillis();
        first.submit(JobRecord.queued("once", "work", "{}", 1, now, now)).join();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();

        JobHandler quick = JobHandler.of("work", ctx -> "{\"second\":true}");
        try (JobEngine second = QueueEngineTest.engine(CONFIG, 1, SqliteJobStore.open(file, 10, true), quick)) {
            JobRecord done = second.awaitEnd("once", Duration.ofSeconds(10)).join().orElseThrow();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(1);
            assertThat(done.resultJson()).isEqualTo("{\"second\":true}");
        }
    }
}
