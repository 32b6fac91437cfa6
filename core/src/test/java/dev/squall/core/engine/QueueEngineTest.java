package dev.squall.core.engine;

import dev.squall.core.testing.ForwardingStore;
import dev.squall.core.store.MemoryJobStore;
import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobRecord;
import dev.squall.core.JobRunner;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Submission;
import dev.squall.core.Workers;
import dev.squall.core.BuiltInHandlers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class QueueEngineTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(20))
            .withShutdownGrace(Duration.ofSeconds(5)).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)).withJobTimeout(Duration.ZERO);
    private static final int WORKERS = 4;

    /**
     * The store each engine of these tests runs on: memory here; {@code SqliteQueueEngineTest} (in the
     * store module) runs every test again on SQLite.
     */
    protected JobStore newStore(int capacity) {
        return new MemoryJobStore(capacity, Duration.ofHours(1));
    }

    JobEngine engine(int capacity, JobHandler... extra) {
        return engine(CONFIG, WORKERS, capacity, extra);
    }

    JobEngine engine(EngineConfig config, int workers, int capacity, JobHandler... extra) {
        return engine(config, workers, newStore(capacity), extra);
    }

    static JobEngine engine(EngineConfig config, int workers, JobStore store, JobHandler... extra) {
        List<JobHandler> handlers = new ArrayList<>(BuiltInHandlers.all());
        handlers.addAll(List.of(extra));
        JobRunner runner = new JobRunner(JobHandlers.of(handlers), Duration.ZERO);
        return Engines.start(config, store, Workers.platformThreads(workers, runner));
    }

    private static JobRecord job(String id, String kind, String payload, int maxAttempts) {
        long now = System.currentTimeMillis();
        return JobRecord.queued(id, kind, payload, maxAttempts, now, now);
    }

    private static Submission.Kind submit(JobEngine e, JobRecord j) {
        return e.submit(j).join().kind();
    }

    @Test
    void aJobDueLaterDoesNotWakeASleepingDispatcher() throws Exception {
        // Waking it finds nothing due: it only costs two context switches per submit (70,000 a second
        // under a stream of delayed submits). Its bounded sleep reaches the job when it is due.
        try (JobEngine e = engine(100)) {
            QueueEngine q = (QueueEngine) e;
            for (int i = 0; i < 50; i++) {
                await().atMost(Duration.ofSeconds(10)).until(q::dispatchersAsleep);
                long now = System.currentTimeMillis();
                assertThat(submit(e, JobRecord.queued("later-" + i, "sleep", "{}", 1, now, now + 3_600_000L)))
                        .isEqualTo(Submission.Kind.CREATED);
            }
            assertThat(q.dispatcherWakes()).as("dispatcher wake-ups for 50 jobs due in an hour").isZero();
            // A job due now wakes it. The dispatcher's sleep is bounded (1 s on PostgreSQL, which polls
            // for other nodes' work), and it may end between the look and the submit: then there was
            // no sleeper to wake, so a few jobs are tried, each after the dispatcher fell asleep.
            boolean woke = false;
            for (int i = 0; i < 5 && !woke; i++) {
                await().atMost(Duration.ofSeconds(10)).until(q::dispatchersAsleep);
                long before = q.dispatcherWakes();
                assertThat(submit(e, job("now-" + i, "sleep", "{}", 1))).isEqualTo(Submission.Kind.CREATED);
                woke = q.dispatcherWakes() == before + 1;
                String id = "now-" + i;
                await().atMost(Duration.ofSeconds(10)).until(() -> e.get(id).orElseThrow().state() == JobState.SUCCEEDED);
            }
            assertThat(woke).as("a job due now wakes the sleeping dispatcher (in one of 5 tries)").isTrue();
        }
    }

    @Test
    void anEngineOnAStoreOfOneProcessRefusesToServeOnlySomeQueues() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine(EngineConfig.defaults().withQueues(java.util.Set.of("mail")), 1,
                        new MemoryJobStore(10, Duration.ofHours(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would leave the others waiting forever");
    }

    @Test
    void everyAcceptedJobRunsOnceAndIsCollected() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobHandler counting = JobHandler.of("count", ctx -> {
            runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet();
            return "{}";
        });
        int n = 5000;
        try (JobEngine engine = engine(n, counting)) {
            for (int i = 0; i < n; i++) {
                assertThat(submit(engine, job(Integer.toString(i), "count", "{}", 3))).isEqualTo(Submission.Kind.CREATED);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.stats().succeeded() == n);
            assertThat(runs).hasSize(n);
            assertThat(runs.values()).allMatch(c -> c.get() == 1);
            assertThat(engine.stats().queued()).isZero();
            assertThat(engine.stats().running()).isZero();
            assertThat(engine.get("42").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void aRepeatedIdNeverRunsTwice() {
        AtomicInteger runs = new AtomicInteger();
        JobHandler counting = JobHandler.of("count", ctx -> {
            runs.incrementAndGet();
            return "{}";
        });
        try (JobEngine engine = engine(10, counting)) {
            assertThat(submit(engine, job("a", "count", "{\"x\": 1}", 3))).isEqualTo(Submission.Kind.CREATED);
            assertThat(submit(engine, job("a", "count", "{ \"x\" : 1 }", 3))).isEqualTo(Submission.Kind.DUPLICATE);
            assertThat(submit(engine, job("a", "count", "{\"x\": 2}", 3))).isEqualTo(Submission.Kind.CONFLICT);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 1);
            assertThat(submit(engine, job("a", "count", "{\"x\": 1}", 3))).isEqualTo(Submission.Kind.DUPLICATE);
            assertThat(runs.get()).isEqualTo(1);
        }
    }

    @Test
    void aFailedAttemptGoesBackUntilItSucceeds() {
        try (JobEngine engine = engine(10)) {
            submit(engine, job("7", "fail", "{\"fail_attempts\": 2}", 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 1);
            assertThat(engine.stats().retried()).isEqualTo(2);
            assertThat(engine.stats().started()).isEqualTo(3);
            JobRecord r = engine.get("7").orElseThrow();
            assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(r.attempt()).isEqualTo(3);
        }
    }

    @Test
    void failedAttemptsWaitAnExponentialBackoff() {
        EngineConfig slow = CONFIG.withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10)));
        try (JobEngine engine = engine(slow, WORKERS, 10)) {
            long start = System.nanoTime();
            submit(engine, job("b", "fail", "{\"fail_attempts\": 2}", 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.get("b").orElseThrow().state() == JobState.FAILED);
            JobRecord failed = engine.get("b").orElseThrow();
            assertThat(failed.lastError()).contains("planned failure");
            assertThat(failed.runAt()).isGreaterThan(System.currentTimeMillis() - 50);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 1);
            // waits of 100-200 ms then 200-400 ms (half fixed, half random)
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void aJobWithNoAttemptsLeftIsDeadAndCanBeRetried() {
        try (JobEngine engine = engine(10)) {
            submit(engine, job("7", "fail", "{\"fail_attempts\": 5}", 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().dead() == 1);
            JobRecord dead = engine.get("7").orElseThrow();
            assertThat(dead.state()).isEqualTo(JobState.DEAD);
            assertThat(dead.lastError()).contains("planned failure of attempt 2");
            assertThat(engine.stats().retried()).isEqualTo(1);

            assertThat(engine.retry("7").join().kind()).isEqualTo(JobStore.Change.Kind.DONE);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().dead() == 2);
            assertThat(engine.retry("nope").join().kind()).isEqualTo(JobStore.Change.Kind.NOT_FOUND);
        }
    }

    @Test
    void neverRunsMoreAttemptsAtOnceThanItHasWorkers() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        JobHandler measuring = JobHandler.of("measure", ctx -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            Thread.sleep(5);
            now.decrementAndGet();
            return "{}";
        });
        try (JobEngine engine = engine(1000, measuring)) {
            for (int i = 0; i < 200; i++) {
                submit(engine, job(Integer.toString(i), "measure", "{}", 1));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.stats().succeeded() == 200);
            assertThat(peak.get()).isEqualTo(WORKERS);
        }
    }

    @Test
    void aFullStoreRefusesNewJobsAndKeepsTheAcceptedOnes() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        JobHandler gated = JobHandler.of("gated", ctx -> {
            firstStarted.countDown();
            release.await(10, TimeUnit.SECONDS);
            return "{}";
        });
        try (JobEngine engine = engine(CONFIG, 1, 2, gated)) {
            assertThat(submit(engine, job("0", "gated", "{}", 1))).isEqualTo(Submission.Kind.CREATED);
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            int accepted = 1;
            Submission.Kind k = Submission.Kind.CREATED;
            for (int i = 1; i < 100 && k != Submission.Kind.FULL; i++) {
                k = submit(engine, job(Integer.toString(i), "gated", "{}", 1));
                if (k == Submission.Kind.CREATED) {
                    accepted++;
                }
            }
            assertThat(k).isEqualTo(Submission.Kind.FULL);
            // capacity 2 in the store, plus what the engine claimed ahead for its one worker
            assertThat(accepted).isBetween(3, 2 + 1 + 8);
            release.countDown();
            int total = accepted;
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == total);
            assertThat(engine.stats().rejected()).isEqualTo(1);
        }
    }

    @Test
    void aHandlerThatThrowsReturnsNothingOrReturnsGarbageIsAFailedAttemptNotALostJob() {
        JobHandler broken = JobHandler.of("broken", ctx -> {
            throw new OutOfMemoryError("simulated");
        });
        JobHandler empty = JobHandler.of("empty", ctx -> null);
        JobHandler garbage = JobHandler.of("garbage", ctx -> "<html>not json</html>");
        try (JobEngine engine = engine(10, broken, empty, garbage)) {
            submit(engine, job("a", "broken", "{}", 1));
            submit(engine, job("b", "empty", "{}", 1));
            submit(engine, job("c", "no-such-kind", "{}", 1));
            submit(engine, job("d", "garbage", "{}", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().dead() == 4);
            assertThat(engine.get("d").orElseThrow().lastError()).contains("not JSON");
            assertThat(engine.get("d").orElseThrow().resultJson()).isNull();
            assertThat(engine.get("a").orElseThrow().lastError()).contains("simulated");
            assertThat(engine.get("b").orElseThrow().lastError()).contains("returned no result");
            assertThat(engine.get("c").orElseThrow().lastError()).contains("no handler");
        }
    }

    @Test
    void aDelayedJobWaitsForItsTime() {
        try (JobEngine engine = engine(10)) {
            long now = System.currentTimeMillis();
            submit(engine, JobRecord.queued("later", "echo", "{}", 1, now, now + 300));
            assertThat(engine.awaitEnd("later", Duration.ofMillis(150)).join().orElseThrow().state()).isEqualTo(JobState.QUEUED);
            JobRecord done = engine.awaitEnd("later", Duration.ofSeconds(5)).join().orElseThrow();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.startedAt()).isGreaterThanOrEqualTo(now + 300);
        }
    }

    @Test
    void aQueuedJobCanBeCancelledAndThenNeverRuns() {
        try (JobEngine engine = engine(10)) {
            long now = System.currentTimeMillis();
            submit(engine, JobRecord.queued("c", "echo", "{}", 1, now, now + 60_000));
            assertThat(engine.cancel("c").join().kind()).isEqualTo(JobStore.Change.Kind.DONE);
            assertThat(engine.get("c").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
            submit(engine, job("d", "echo", "{}", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 1);
            assertThat(engine.cancel("d").join().kind()).isEqualTo(JobStore.Change.Kind.CONFLICT);
        }
    }

    @Test
    void anAttemptPastTheJobTimeoutFailsAndTheWorkerIsReplaced() {
        CountDownLatch hung = new CountDownLatch(1);
        JobHandler hanging = JobHandler.of("hang", ctx -> {
            if (ctx.job().attempt() == 1) {
                try {
                    new CountDownLatch(1).await(); // hangs until interrupted
                } finally {
                    hung.countDown();
                }
            }
            return "{\"attempt\":" + ctx.job().attempt() + "}";
        });
        try (JobEngine engine = engine(CONFIG.withJobTimeout(Duration.ofMillis(300)), 1, 10, hanging)) {
            submit(engine, job("h", "hang", "{}", 2));
            JobRecord done = engine.awaitEnd("h", Duration.ofSeconds(10)).join().orElseThrow();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.resultJson()).isEqualTo("{\"attempt\":2}");
            assertThat(engine.stats().retried()).isEqualTo(1);
            assertThat(engine.stats().running()).isZero();
        }
    }

    @Test
    void anAttemptPastTheJobTimeoutInAWorkerProcessKillsThatProcessAndAFreshOneTakesOver() {
        dev.squall.core.process.ProcessPoolExecutor pool = dev.squall.core.process.ProcessPoolExecutor.start(1, 10,
                dev.squall.core.process.JavaLauncher.current(dev.squall.core.process.WorkerMain.class.getName()), Duration.ofMillis(10));
        long stuck = pool.pids().getFirst();
        try (JobEngine engine = Engines.start(CONFIG.withJobTimeout(Duration.ofMillis(500)),
                new MemoryJobStore(10, Duration.ofHours(1)), pool.workers())) {
            submit(engine, job("slow", "sleep", "{\"sleep_ms\":60000}", 1));
            JobRecord dead = engine.awaitEnd("slow", Duration.ofSeconds(20)).join().orElseThrow();
            assertThat(dead.state()).isEqualTo(JobState.DEAD);
            assertThat(dead.lastError()).contains("timed out");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(stuck).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
            // The next job gets the same 500 ms: wait until the replacement JVM is up (it can take longer than that to start).
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.readyPids().size() == 1 && !pool.readyPids().contains(stuck));

            submit(engine, job("next", "echo", "{\"n\":1}", 1));
            JobRecord next = engine.awaitEnd("next", Duration.ofSeconds(60)).join().orElseThrow();
            assertThat(next.state()).as("last error: %s", next.lastError()).isEqualTo(JobState.SUCCEEDED);
            assertThat(pool.pids()).doesNotContain(stuck);
        }
    }

    @Test
    void anAsyncHandlerEndsItsAttemptWhenItsStageCompletes() {
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        JobHandler async = JobHandler.async("later", ctx -> {
            java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
            if (ctx.job().attempt() == 1) {
                later.schedule(() -> f.completeExceptionally(new IllegalStateException("remote said no")), 50, TimeUnit.MILLISECONDS);
            } else {
                later.schedule(() -> f.complete("{\"remote\":\"yes\"}"), 50, TimeUnit.MILLISECONDS);
            }
            return f;
        });
        try (JobEngine engine = engine(10, async)) {
            submit(engine, job("x", "later", "{}", 2));
            JobRecord done = engine.awaitEnd("x", Duration.ofSeconds(10)).join().orElseThrow();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.resultJson()).isEqualTo("{\"remote\":\"yes\"}");
            assertThat(done.attempt()).isEqualTo(2);
            assertThat(done.lastError()).isNull();
            assertThat(engine.stats().retried()).isEqualTo(1);
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void aJobClaimedAheadButNotStartedCanStillBeCancelledAndNeverRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobHandler hold = JobHandler.of("hold", ctx -> {
            runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet();
            if (ctx.job().id().equals("first")) {
                release.await(); // keeps the only worker busy
            }
            return "{}";
        });
        try (JobEngine engine = engine(CONFIG, 1, 10, hold)) {
            submit(engine, job("first", "hold", "{}", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.containsKey("first"));
            submit(engine, job("a", "hold", "{}", 1));
            submit(engine, job("b", "hold", "{}", 1));
            // The engine claims ahead of its busy worker: "a" is running in the store, but no worker
            // started it, so the engine shows it claimed, without a start time.
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.get("a").orElseThrow().state() == JobState.CLAIMED);
            assertThat(engine.get("a").orElseThrow().startedAt()).isZero();
            assertThat(engine.list(new JobStore.JobQuery(JobState.CLAIMED, null, 10, null)).jobs()).extracting(JobRecord::id)
                    .contains("a");
            JobRecord first = engine.get("first").orElseThrow();
            assertThat(first.state()).isEqualTo(JobState.RUNNING);
            assertThat(first.startedAt()).isPositive();
            assertThat(engine.list(new JobStore.JobQuery(JobState.RUNNING, null, 10, null)).jobs()).extracting(JobRecord::id)
                    .containsExactly("first");
            assertThat(engine.stats().running()).isEqualTo(1);

            JobStore.Change c = engine.cancel("a").get(10, TimeUnit.SECONDS);
            assertThat(c.kind()).isEqualTo(JobStore.Change.Kind.DONE);
            assertThat(c.job().state()).isEqualTo(JobState.CANCELLED);
            release.countDown();
            assertThat(engine.awaitEnd("b", Duration.ofSeconds(10)).join().orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(runs).doesNotContainKey("a");
            assertThat(engine.get("a").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        }
    }

    @Test
    void withLongJobsOnlyAFewAreClaimedAheadOfTheWorkersEvenWhenTheStoreWantsBigClaims() {
        CountDownLatch release = new CountDownLatch(1);
        JobHandler hold = JobHandler.of("hold", ctx -> {
            release.await();
            return "{}";
        });
        JobStore bigClaims = new ForwardingStore(new MemoryJobStore(1000, Duration.ofHours(1))) {
            @Override
            public int claimBatch() {
                return 1024; // like SQLite
            }
        };
        List<JobHandler> handlers = new ArrayList<>(BuiltInHandlers.all());
        handlers.add(hold);
        JobRunner runner = new JobRunner(JobHandlers.of(handlers), Duration.ZERO);
        try (JobEngine engine = Engines.start(CONFIG, bigClaims, Workers.platformThreads(2, runner))) {
            for (int i = 0; i < 100; i++) {
                submit(engine, job("long-" + i, "hold", "{}", 1));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().running() == 2);
            // Two running, at most two per worker claimed ahead: the other 94 still wait (cancellable, not "running").
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> bigClaims.waiting() >= 100 - 2 - 2 * 2);
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.stats().succeeded() == 100);
        }
    }

    /** An asynchronous kind whose attempts end only when the test completes their futures. */
    private static JobHandler remote(List<java.util.concurrent.CompletableFuture<String>> started) {
        return JobHandler.async("remote", ctx -> {
            java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
            started.add(f);
            return f;
        });
    }

    @Test
    void anAsyncAttemptHoldsNoWorker() {
        List<java.util.concurrent.CompletableFuture<String>> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JobEngine engine = engine(CONFIG.withAsyncLimit(10), 1, 100, remote(started))) {
            for (int i = 0; i < 5; i++) {
                submit(engine, job("r" + i, "remote", "{}", 1));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 5); // five at once on one worker
            submit(engine, job("e", "echo", "{\"x\":1}", 1)); // and that worker is free for blocking work
            assertThat(engine.awaitEnd("e", Duration.ofSeconds(10)).join().orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(engine.stats().running()).isEqualTo(5);

            started.forEach(f -> f.complete("{\"remote\":true}"));
            for (int i = 0; i < 5; i++) {
                JobRecord done = engine.awaitEnd("r" + i, Duration.ofSeconds(10)).join().orElseThrow();
                assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
                assertThat(done.resultJson()).isEqualTo("{\"remote\":true}");
            }
            assertThat(engine.stats().running()).isZero();
        }
    }

    @Test
    void theAsyncLimitBoundsTheAttemptsInFlight() {
        List<java.util.concurrent.CompletableFuture<String>> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JobEngine engine = engine(CONFIG.withAsyncLimit(2), 2, 100, remote(started))) {
            for (int i = 0; i < 5; i++) {
                submit(engine, job("r" + i, "remote", "{}", 1));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 2);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> started.size() == 2);

            // Each attempt that ends lets the next one start, until all five have run.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                started.forEach(f -> f.complete("{}"));
                return engine.stats().succeeded() == 5;
            });
            assertThat(started).hasSize(5);
        }
    }

    @Test
    void anAsyncAttemptPastTheJobTimeoutIsCancelledAndFails() {
        List<java.util.concurrent.CompletableFuture<String>> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JobEngine engine = engine(CONFIG.withJobTimeout(Duration.ofMillis(300)), 1, 10, remote(started))) {
            submit(engine, job("late", "remote", "{}", 1));
            JobRecord dead = engine.awaitEnd("late", Duration.ofSeconds(10)).join().orElseThrow();
            assertThat(dead.state()).isEqualTo(JobState.DEAD);
            assertThat(dead.lastError()).contains("timed out");
            assertThat(started.getFirst()).isCancelled();
            assertThat(engine.stats().running()).isZero();
        }
    }

    @Test
    void anAsyncAttemptStillRunningAtShutdownIsCancelledWhenTheGraceEndsAndGivenBack() {
        List<java.util.concurrent.CompletableFuture<String>> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobStore store = newStore(10);
        JobStore kept = new ForwardingStore(store) {
            @Override
            public void close() {
                // outlives the engine, so that the test can read what the stop left
            }
        };
        JobEngine engine = engine(CONFIG.withShutdownGrace(Duration.ofMillis(200)), 1, kept, remote(started));
        submit(engine, job("slow", "remote", "{}", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 1);
        engine.close();
        assertThat(started.getFirst()).isCancelled();
        JobRecord after = store.get("slow").orElseThrow();
        store.close();
        // Cut short by the stop, not failed: waiting again with its attempt given back, as after a crash.
        assertThat(after.state()).isEqualTo(JobState.QUEUED);
        assertThat(after.attempt()).isZero();
        assertThat(after.lastError()).isNull();
    }

    @Test
    void resultsTheStoreCouldNotRecordAreKeptAndRecordedLater() {
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger(2);
        java.util.concurrent.atomic.AtomicInteger claimRefusals = new java.util.concurrent.atomic.AtomicInteger(2);
        JobStore flaky = new ForwardingStore(new MemoryJobStore(10, Duration.ofHours(1))) {
            @Override
            public java.util.concurrent.CompletableFuture<Integer> finish(List<JobStore.Finish> finishes) {
                if (refusals.getAndDecrement() > 0) {
                    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("disk full"));
                }
                return super.finish(finishes);
            }

            @Override
            public List<dev.squall.core.Job> claim(int max, long now) {
                if (claimRefusals.getAndDecrement() > 0) {
                    throw new IllegalStateException("disk hiccup");
                }
                return super.claim(max, now);
            }
        };
        JobRunner runner = new JobRunner(JobHandlers.builtIn(), Duration.ZERO);
        try (JobEngine engine = Engines.start(CONFIG, flaky, Workers.platformThreads(2, runner))) {
            for (int i = 0; i < 5; i++) {
                submit(engine, job("r" + i, "echo", "{}", 1));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.stats().succeeded() == 5);
            assertThat(refusals.get()).as("the store refused results").isNegative();
            assertThat(claimRefusals.get()).as("the store refused claims").isNegative();
            for (int i = 0; i < 5; i++) {
                assertThat(engine.get("r" + i).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            }
        }
    }

    @Test
    void afterStopAcceptingNewJobsAreRefused() {
        try (JobEngine engine = engine(10)) {
            engine.stopAccepting();
            assertThat(submit(engine, job("1", "echo", "{}", 1))).isEqualTo(Submission.Kind.STOPPING);
        }
    }
}
