package dev.squall.core.engine;

import dev.squall.core.Admission;
import dev.squall.core.EngineConfig;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobRunner;
import dev.squall.core.JobStore;
import dev.squall.core.Workers;
import dev.squall.core.handler.BuiltInHandlers;
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
    private static final EngineConfig CONFIG = new EngineConfig(Duration.ofMillis(20), Duration.ofSeconds(5), 1000);
    private static final int WORKERS = 4;

    private static JobEngine engine(int capacity, JobHandler... extra) {
        return engine(WORKERS, capacity, extra);
    }

    private static JobEngine engine(int workers, int capacity, JobHandler... extra) {
        List<JobHandler> handlers = new ArrayList<>(BuiltInHandlers.all());
        handlers.addAll(List.of(extra));
        JobRunner runner = new JobRunner(JobHandlers.of(handlers), Duration.ZERO);
        return JobEngine.start(CONFIG, JobStore.memory(capacity), Workers.platformThreads(workers, runner));
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
                assertThat(engine.submit(Job.of(Integer.toString(i), "count", "{}", 3))).isEqualTo(Admission.ACCEPTED);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.stats().succeeded() == n);
            assertThat(runs).hasSize(n);
            assertThat(runs.values()).allMatch(c -> c.get() == 1);
            assertThat(engine.stats().queued()).isZero();
            assertThat(engine.stats().running()).isZero();
        }
    }

    @Test
    void aFailedAttemptIsPutBackUntilItSucceeds() {
        try (JobEngine engine = engine(10)) {
            engine.submit(Job.of("7", "fail", "{\"fail_attempts\": 2}", 3));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 1);
            assertThat(engine.stats().retried()).isEqualTo(2);
            assertThat(engine.stats().started()).isEqualTo(3);
            assertThat(engine.stats().dead()).isZero();
        }
    }

    @Test
    void aJobWithNoAttemptsLeftIsDead() {
        try (JobEngine engine = engine(10)) {
            engine.submit(Job.of("7", "fail", "{\"fail_attempts\": 5}", 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().dead() == 1);
            assertThat(engine.stats().retried()).isEqualTo(1);
            assertThat(engine.stats().succeeded()).isZero();
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
                engine.submit(Job.of(Integer.toString(i), "measure", "{}", 1));
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
        try (JobEngine engine = engine(1, 2, gated)) {
            assertThat(engine.submit(Job.of("1", "gated", "{}", 1))).isEqualTo(Admission.ACCEPTED);
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.submit(Job.of("2", "gated", "{}", 1))).isEqualTo(Admission.ACCEPTED);
            assertThat(engine.submit(Job.of("3", "gated", "{}", 1))).isEqualTo(Admission.ACCEPTED);
            assertThat(engine.submit(Job.of("4", "gated", "{}", 1))).isEqualTo(Admission.FULL);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() == 3);
            assertThat(engine.stats().rejected()).isEqualTo(1);
        }
    }

    @Test
    void aHandlerThatThrowsOrReturnsNothingIsAFailedAttemptNotALostJob() {
        JobHandler broken = JobHandler.of("broken", ctx -> {
            throw new OutOfMemoryError("simulated");
        });
        JobHandler empty = JobHandler.of("empty", ctx -> null);
        try (JobEngine engine = engine(10, broken, empty)) {
            engine.submit(Job.of("a", "broken", "{}", 1));
            engine.submit(Job.of("b", "empty", "{}", 1));
            engine.submit(Job.of("c", "no-such-kind", "{}", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().dead() == 3);
        }
    }

    @Test
    void afterCloseNewJobsAreRefused() {
        JobEngine engine = engine(10);
        engine.close();
        assertThat(engine.submit(Job.of("1", "echo", "{}", 1))).isEqualTo(Admission.STOPPING);
    }
}
