package dev.squall.core.engine;

import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.store.postgres.PostgresJobStore;
import dev.squall.store.postgres.PostgresUrl;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two engines (two nodes) on one PostgreSQL database, in one process: every job once, and work spreads. */
class PostgresEngineEndToEndTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(50))
            .withShutdownGrace(Duration.ofSeconds(5)).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)).withJobTimeout(Duration.ZERO);
    private TestPostgres.Database db;

    @BeforeEach
    void database() {
        db = TestPostgres.database();
    }

    @AfterEach
    void drop() {
        db.close();
    }

    private JobStore node(String id, Duration lease) {
        return node(id, lease, true);
    }

    private JobStore node(String id, Duration lease, boolean notify) {
        return PostgresJobStore.open(new PostgresJobStore.Options(PostgresUrl.parse(db.url(), null), 100_000, id, lease, notify,
                JobStore.DEFAULT_MAX_WAITING_CHARS));
    }

    @Test
    void aJobTheAcceptingNodeStartsItselfIsAnsweredAsClaimedNotQueued() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (JobEngine a = QueueEngineTest.engine(CONFIG, 2, node("a", Duration.ofSeconds(30)), counting("a", runs,
                new ConcurrentHashMap<>()))) {
            long now = System.currentTimeMillis();
            a.submit(JobRecord.queued("first", "count", "{}", 1, now, now)).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().succeeded() == 1); // the node knows nothing waits
            JobStore.Submission s = a.submit(JobRecord.queued("second", "count", "{}", 1, now, now)).join();
            assertThat(s.kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
            assertThat(s.job().state()).as("stored already claimed by this node").isEqualTo(JobState.CLAIMED);
            assertThat(s.job().attempt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().succeeded() == 2);
        }
    }

    @Test
    void withNotificationsOffANodeFindsWorkByPollingWithinAboutASecond() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<String> ran = new java.util.concurrent.LinkedBlockingQueue<>();
        JobHandler work = JobHandler.of("remote", ctx -> {
            ran.add(ctx.job().id());
            return "{}";
        });
        try (JobStore a = node("a", Duration.ofSeconds(30), false);
             JobEngine b = QueueEngineTest.engine(CONFIG, 1, node("b", Duration.ofSeconds(30), false), work)) {
            for (int i = 0; i < 3; i++) {
                long now = System.currentTimeMillis();
                long t0 = System.nanoTime();
                assertThat(a.submit(JobRecord.queued("p" + i, "remote", "{}", 1, now, now)).join().accepted()).isTrue();
                assertThat(ran.poll(10, TimeUnit.SECONDS)).isEqualTo("p" + i);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to start by polling alone").isLessThan(3000);
            }
        }
    }

    @Test
    void fiveThousandJobsThroughTwoNodesEachRunsExactlyOnce() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<String, String> ranOn = new ConcurrentHashMap<>();
        int n = 5000;
        try (JobEngine a = QueueEngineTest.engine(CONFIG, 4, node("a", Duration.ofSeconds(30)), counting("a", runs, ranOn));
             JobEngine b = QueueEngineTest.engine(CONFIG, 4, node("b", Duration.ofSeconds(30)), counting("b", runs, ranOn))) {
            List<CompletableFuture<JobStore.Submission>> submits = new ArrayList<>(n);
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                JobEngine through = i % 2 == 0 ? a : b;
                submits.add(through.submit(JobRecord.queued("j" + i, "count", "{}", 1, now, now)));
            }
            submits.forEach(f -> assertThat(f.join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED));
            await().atMost(Duration.ofSeconds(90)).until(() -> a.stats().succeeded() + b.stats().succeeded() == n);
            for (int i = 0; i < n; i++) {
                String id = "j" + i;
                assertThat(runs.get(id)).as("runs of %s", id).hasValue(1);
                assertThat(a.get(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            }
            assertThat(ranOn.values()).contains("a", "b");
        }
    }

    @Test
    void aNodeHearsOfWorkSubmittedToAnotherWithoutWaitingForItsPoll() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<String> ran = new java.util.concurrent.LinkedBlockingQueue<>();
        JobHandler work = JobHandler.of("remote", ctx -> {
            ran.add(ctx.job().id());
            return "{}";
        });
        // a is a store with no engine: only b can run the job, and b learns of it from a's NOTIFY. Its
        // poll alone would take 0-1.1 s: six starts all under 500 ms by polling has odds under 1%.
        try (JobStore a = node("a", Duration.ofSeconds(30));
             JobEngine b = QueueEngineTest.engine(CONFIG, 1, node("b", Duration.ofSeconds(30)), work)) {
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Thread.sleep(300 + 97L * i); // b idle, at a different point of its poll each time
                long now = System.currentTimeMillis();
                long t0 = System.nanoTime();
                assertThat(a.submit(JobRecord.queued("r" + i, "remote", "{}", 1, now, now)).join().accepted()).isTrue();
                assertThat(ran.poll(10, TimeUnit.SECONDS)).isEqualTo("r" + i);
                delays.add((System.nanoTime() - t0) / 1_000_000);
            }
            assertThat(delays).as("ms from commit on a to start on b").allMatch(d -> d < 500);
        }
    }

    @Test
    void aQueueWithWorkersOfItsOwnNeverHoldsTheOthersAndNeverRunsMoreThanItsCount() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger slowNow = new AtomicInteger();
        AtomicInteger slowMost = new AtomicInteger();
        AtomicInteger slowStarted = new AtomicInteger();
        AtomicInteger fastDone = new AtomicInteger();
        JobHandler slow = JobHandler.of("slow", ctx -> {
            slowMost.accumulateAndGet(slowNow.incrementAndGet(), Math::max);
            slowStarted.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } finally {
                slowNow.decrementAndGet();
            }
            return "{}";
        });
        JobHandler fast = JobHandler.of("fast", ctx -> {
            fastDone.incrementAndGet();
            return "{}";
        });
        // reports: 1 worker of its own; mail and default share the 2 of --workers.
        EngineConfig lanes = CONFIG.withQueues(java.util.Set.of("reports", "mail", "default"), Map.of("reports", 1));
        try (JobEngine node = QueueEngineTest.engine(lanes, 2, node("lanes", Duration.ofSeconds(30)), slow, fast)) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 6; i++) { // a flood of long reports first
                assertThat(node.submit(JobRecord.queued("r" + i, "slow", "{}", 1, now, now, "reports", 0)).join().accepted()).isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> slowStarted.get() == 1);
            for (int i = 0; i < 30; i++) {
                String queue = i % 2 == 0 ? "mail" : "default";
                assertThat(node.submit(JobRecord.queued("f" + i, "fast", "{}", 1, now, now, queue, 0)).join().accepted()).isTrue();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> fastDone.get() == 30);
            assertThat(slowStarted.get()).as("reports started while its one worker is held").isEqualTo(1);
            assertThat(node.stats().succeeded()).isEqualTo(30);
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> node.stats().succeeded() == 36);
            assertThat(slowMost.get()).as("reports running at once, at most").isEqualTo(1);
        }
    }

    @Test
    void nodesServingDifferentQueuesRunOnlyTheirOwnJobs() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<String, String> ranOn = new ConcurrentHashMap<>();
        try (JobEngine mail = QueueEngineTest.engine(CONFIG.withQueues(java.util.Set.of("mail")), 2,
                node("mail-node", Duration.ofSeconds(30)), counting("mail-node", runs, ranOn));
             JobEngine reports = QueueEngineTest.engine(CONFIG.withQueues(java.util.Set.of("reports")), 2,
                     node("reports-node", Duration.ofSeconds(30)), counting("reports-node", runs, ranOn))) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 40; i++) { // every job through the mail node, which starts its own at once
                String queue = i % 2 == 0 ? "mail" : "reports";
                assertThat(mail.submit(JobRecord.queued(queue + i, "count", "{}", 1, now, now, queue, 0)).join().accepted()).isTrue();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> ranOn.size() == 40);
            ranOn.forEach((id, node) -> assertThat(node).as(id).isEqualTo(id.startsWith("mail") ? "mail-node" : "reports-node"));
            assertThat(runs.values()).allMatch(n -> n.get() == 1);
        }
    }

    private static JobHandler counting(String node, Map<String, AtomicInteger> runs, Map<String, String> ranOn) {
        return JobHandler.of("count", ctx -> {
            runs.computeIfAbsent(ctx.job().id(), k -> new AtomicInteger()).incrementAndGet();
            ranOn.put(ctx.job().id(), node);
            return "{}";
        });
    }
}
