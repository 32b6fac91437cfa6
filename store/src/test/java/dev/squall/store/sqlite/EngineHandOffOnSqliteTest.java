package dev.squall.store.sqlite;

import dev.squall.core.engine.Engines;
import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobRecord;
import dev.squall.core.JobRunner;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.Workers;
import dev.squall.core.testing.ForwardingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine's half of the hand-off, over SQLite: the engine alone decides whether a new job is
 * stored claimed (nothing due waits ahead of it, its workers have room), so that jobs still start
 * in the order they came, and a stop gives back every job it had stored claimed.
 */
class EngineHandOffOnSqliteTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(20))
            .withShutdownGrace(Duration.ofSeconds(5)).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)).withJobTimeout(Duration.ZERO);

    @TempDir
    Path dir;

    /** SQLite, watched: how many submits asked to claim, and how many claims went to the file. */
    static final class Watched extends ForwardingStore {
        final AtomicInteger claimedOnSubmit = new AtomicInteger();
        final AtomicInteger shortClaims = new AtomicInteger();
        /** How late the answer to a submit that claims arrives (a slow disk): 0 for at once. */
        volatile long lateMillis;
        private final JobStore to;

        Watched(JobStore to) {
            super(to);
            this.to = to;
        }

        @Override
        public CompletableFuture<Submission> submit(JobRecord job, boolean claim) {
            if (claim) {
                claimedOnSubmit.incrementAndGet();
            }
            CompletableFuture<Submission> f = to.submit(job, claim);
            return claim && lateMillis > 0 ? f.thenApplyAsync(s -> s,
                    CompletableFuture.delayedExecutor(lateMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) : f;
        }

        @Override
        public Claim claimDue(int max, long nowMillis, Set<String> queues) {
            Claim c = to.claimDue(max, nowMillis, queues);
            if (c.jobs().size() < max) {
                shortClaims.incrementAndGet();
            }
            return c;
        }
    }

    private static JobRecord job(String id, String kind) {
        long now = System.currentTimeMillis();
        return JobRecord.queued(id, kind, "{}", 1, now, now);
    }

    @Test
    void anIdleEngineHasANewJobStoredClaimedAndRunsItWithoutAClaim() {
        Watched store = new Watched(SqliteJobStore.open(dir.resolve("idle.db"), 1000, false));
        JobRunner runner = new JobRunner(JobHandlers.of(List.of(JobHandler.of("ok", ctx -> "{}"))), Duration.ZERO);
        try (JobEngine engine = Engines.start(CONFIG, store, Workers.platformThreads(2, runner))) {
            await().until(() -> store.shortClaims.get() > 0); // the engine looked: nothing due waits
            int claimsBefore = store.shortClaims.get();

            JobStore.Submission s = engine.submit(job("a", "ok")).join();

            assertThat(s.job().state()).isIn(JobState.CLAIMED, JobState.RUNNING);
            assertThat(store.claimedOnSubmit).hasValue(1);
            await().until(() -> engine.get("a").orElseThrow().state() == JobState.SUCCEEDED);
            assertThat(engine.get("a").orElseThrow().attempt()).isEqualTo(1);
            assertThat(store.shortClaims.get()).as("no claim went to the file for it").isEqualTo(claimsBefore);
        }
    }

    @Test
    void jobsStartInTheOrderTheyCameWhileOthersWaitInTheFile() throws Exception {
        List<String> started = new CopyOnWriteArrayList<>();
        JobHandler step = JobHandler.of("step", ctx -> {
            started.add(ctx.job().id());
            Thread.sleep(3);
            return "{}";
        });
        Watched store = new Watched(SqliteJobStore.open(dir.resolve("order.db"), 1000, false));
        JobRunner runner = new JobRunner(JobHandlers.of(List.of(step)), Duration.ZERO);
        List<String> sent = new ArrayList<>();
        try (JobEngine engine = Engines.start(CONFIG, store, Workers.platformThreads(1, runner))) {
            await().until(() -> store.shortClaims.get() > 0);
            for (int i = 0; i < 60; i++) { // one at a time, faster than one worker runs them: some must wait
                String id = String.format("j%03d", i);
                engine.submit(job(id, "step")).join();
                sent.add(id);
                if (i % 4 == 0) {
                    Thread.sleep(2); // lets the worker free room now and then, so that new jobs could overtake
                }
            }
            await().until(() -> started.size() == 60);
        }
        assertThat(store.claimedOnSubmit.get()).as("some went straight to the worker").isPositive();
        assertThat(store.claimedOnSubmit.get()).as("some waited in the file").isLessThan(60);
        assertThat(started).containsExactlyElementsOf(sent);
    }

    @Test
    void aStopGivesBackEveryJobItHadStoredClaimedAndLeavesNoneRunning() throws Exception {
        Path file = dir.resolve("stop.db");
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        JobHandler hold = JobHandler.of("hold", ctx -> {
            never.await();
            return "{}";
        });
        Watched store = new Watched(SqliteJobStore.open(file, 10_000, false));
        store.lateMillis = 500; // answers still on their way when the workers' grace ends
        JobRunner runner = new JobRunner(JobHandlers.of(List.of(hold, JobHandler.of("ok", ctx -> "{}"))), Duration.ZERO);
        EngineConfig quickStop = CONFIG.withShutdownGrace(Duration.ofMillis(200));
        List<CompletableFuture<JobStore.Submission>> sent = new ArrayList<>();
        JobEngine engine = Engines.start(quickStop, store, Workers.platformThreads(4, runner));
        await().until(() -> store.shortClaims.get() > 0);
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < 3000; i++) {
                sent.add(engine.submit(job("s" + i, i % 500 == 0 ? "hold" : "ok")));
            }
        });
        submitter.start();
        await().until(() -> store.claimedOnSubmit.get() > 0);
        engine.close(); // while jobs stream in, some being stored claimed
        submitter.join();

        long accepted = sent.stream().map(f -> f.handle((s, e) -> e == null ? s : null).join())
                .filter(s -> s != null && s.kind() == JobStore.Submission.Kind.CREATED).count();
        assertThat(accepted).isPositive();
        try (SqliteJobStore reopened = SqliteJobStore.open(file, 10_000, false)) {
            // Every job claimed but not run was given back at the stop; only the held ones, cut
            // short by the grace, were given back too. Nothing is left running for recovery.
            assertThat(reopened.recover(System.currentTimeMillis())).isZero();
            long kept = reopened.list(new JobStore.JobQuery(null, null, 10_000, null)).jobs().size();
            assertThat(kept).isEqualTo(accepted);
        }
        never.countDown();
    }
}
