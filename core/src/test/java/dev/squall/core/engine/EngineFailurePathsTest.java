package dev.squall.core.engine;

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
import dev.squall.core.Workers;
import dev.squall.core.BuiltInHandlers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine on the paths that run only when something goes wrong: a failing store, a stop mid-job, stuck handlers. */
class EngineFailurePathsTest {
    private static final EngineConfig CONFIG = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(20))
            .withShutdownGrace(Duration.ofSeconds(5)).withBackoff(new Backoff(Duration.ZERO, Duration.ZERO)).withJobTimeout(Duration.ZERO);

    private static JobEngine engine(EngineConfig config, JobStore store, int workers, JobHandler... extra) {
        List<JobHandler> handlers = new ArrayList<>(BuiltInHandlers.all());
        handlers.addAll(List.of(extra));
        return Engines.start(config, store, Workers.platformThreads(workers, new JobRunner(JobHandlers.of(handlers), Duration.ZERO)));
    }

    private static JobRecord job(String id, String kind, int maxAttempts) {
        long now = System.currentTimeMillis();
        return JobRecord.queued(id, kind, "{}", maxAttempts, now, now);
    }

    /** A handler that will not stop when interrupted: it returns only once {@code release} opens. */
    private static JobHandler ignoringInterrupts(String kind, Runnable onStart, CountDownLatch release) {
        return JobHandler.of(kind, ctx -> {
            onStart.run();
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        return "{}";
                    }
                } catch (InterruptedException ignored) {
                    // the point of this handler: it does not stop
                }
            }
        });
    }

    private static FaultyStore memory() {
        return new FaultyStore(new MemoryJobStore(100_000, Duration.ofHours(1)));
    }

    @Test
    void aCollectorWhoseStoreFailsBacksOffAndRecordsEverythingOnceTheStoreRecovers() {
        FaultyStore store = memory();
        store.failFinish = true;
        try (JobEngine engine = engine(CONFIG, store, 2)) {
            for (int i = 0; i < 10; i++) {
                engine.submit(job("r" + i, "echo", 1)).join();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().started() == 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.finishCalls.get() >= 1);
            int before = store.finishCalls.get();
            // Over 1.5 s a collector every 20 ms would try ~75 times; backing off it tries a handful.
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(store.finishCalls.get() - before).as("tries while the store fails").isLessThan(10);
            assertThat(engine.stats().succeeded()).isZero();

            store.failFinish = false;
            await().atMost(Duration.ofSeconds(40)).until(() -> engine.stats().succeeded() == 10);
            assertThat(store.recorded.get()).as("each result recorded once").isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                assertThat(engine.get("r" + i).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            }
        }
    }

    @Test
    void largeResultsAreCollectedEarlyInsteadOfPilingUpInMemory() {
        JobHandler big = JobHandler.of("big", ctx -> "\"" + "x".repeat(1_000_000) + "\"");
        // A collector every hour: only the bound on characters waiting can record these now.
        try (JobEngine engine = engine(CONFIG.withCollectEvery(Duration.ofHours(1)), memory(), 2, big)) {
            for (int i = 0; i < 20; i++) {
                engine.submit(job("big" + i, "big", 1)).join();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.stats().succeeded() >= 16);
        }
    }

    @Test
    void oneLongPollDoesNotMakeTheCollectorReadBackEveryFinishedJob() {
        FaultyStore store = memory();
        try (JobEngine engine = engine(CONFIG, store, 2)) {
            long now = System.currentTimeMillis();
            engine.submit(JobRecord.queued("later", "echo", "{}", 1, now, now + 3_600_000)).join();
            var poll = engine.awaitEnd("later", Duration.ofSeconds(30));
            int readsBefore = store.gets.get();
            for (int i = 0; i < 200; i++) {
                engine.submit(job("n" + i, "echo", 1)).join();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.stats().succeeded() == 200);
            assertThat(store.gets.get() - readsBefore).as("reads by the collector").isLessThan(5);
            assertThat(poll).isNotDone();
        }
    }

    @Test
    void aLastAttemptCutShortByAGracefulStopIsGivenBackAndRunsAgainAtTheNextStart() throws Exception {
        FaultyStore store = memory();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        JobHandler slow = JobHandler.of("slow", ctx -> {
            started.countDown();
            never.await(); // interruptible: the end of the grace interrupts it
            return "{}";
        });
        JobEngine first = engine(CONFIG.withShutdownGrace(Duration.ofMillis(100)), store, 1, slow);
        first.submit(job("last", "slow", 1)).join();
        first.submit(job("waiting", "slow", 1)).join();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();

        JobRecord cut = store.get("last").orElseThrow();
        assertThat(cut.state()).isEqualTo(JobState.QUEUED);
        assertThat(cut.attempt()).as("the attempt is given back").isZero();
        assertThat(cut.lastError()).isNull();
        assertThat(store.get("waiting").orElseThrow().state()).isEqualTo(JobState.QUEUED);

        JobHandler quick = JobHandler.of("slow", ctx -> "{\"ran\":true}");
        try (JobEngine second = engine(CONFIG, store, 1, quick)) {
            JobRecord done = second.awaitEnd("last", Duration.ofSeconds(10)).join().orElseThrow();
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.attempt()).isEqualTo(1);
            assertThat(second.awaitEnd("waiting", Duration.ofSeconds(10)).join().orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }

    @Test
    void theStopSaysWhenTheAttemptsItCutRunAgainAsTheStoreKeepsThemNotAsSqliteWould() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("squall.engine");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        CountDownLatch started = new CountDownLatch(1);
        JobHandler slow = JobHandler.of("slow", ctx -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the end of the grace interrupts it
            return "{}";
        });
        try {
            JobEngine engine = engine(CONFIG.withShutdownGrace(Duration.ofMillis(100)), memory(), 1, slow);
            engine.submit(job("cut", "slow", 3)).join();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            engine.close();
        } finally {
            log.detachAppender(seen);
        }
        // the memory store keeps nothing past the process: "at the next start" (SQLite's) would be false
        assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("1 attempts were cut short").contains("never: the memory store keeps no job"))
                .noneSatisfy(m -> assertThat(m).contains("at the next start"));
    }

    @Test
    void aStopThatCannotGiveJobsBackSaysSoInOneLineAndDoesNotClaimItDid() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("squall.engine");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        CountDownLatch started = new CountDownLatch(1);
        JobHandler slow = JobHandler.of("slow", ctx -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the end of the grace interrupts it
            return "{}";
        });
        FaultyStore store = memory();
        try {
            JobEngine engine = engine(CONFIG.withShutdownGrace(Duration.ofMillis(100)), store, 1, slow);
            engine.submit(job("held", "slow", 3)).join();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            store.failRelease = true; // the database gone at the stop, say
            engine.close();
        } finally {
            log.detachAppender(seen);
        }
        assertThat(seen.list).anySatisfy(e -> {
            assertThat(e.getFormattedMessage()).contains("could not give back 1 jobs at the stop")
                    .contains("injected: release failed").contains("they run again never: the memory store keeps no job");
            assertThat(e.getThrowableProxy()).as("one line, not a stack trace").isNull();
        });
        assertThat(seen.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("1 attempts were cut short").doesNotContain("given back"));
        assertThat(store.get("held").orElseThrow().state()).as("left as it was: claimed, its attempt open").isEqualTo(JobState.RUNNING);
    }

    @Test
    void aHandlerThatIgnoresTheInterruptAtTheStopHasItsAttemptGivenBack() throws Exception {
        FaultyStore store = memory();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finally_ = new CountDownLatch(1);
        JobHandler stubborn = ignoringInterrupts("stubborn", started::countDown, finally_);
        try {
            JobEngine engine = engine(CONFIG.withShutdownGrace(Duration.ofMillis(100)), store, 1, stubborn);
            engine.submit(job("stubborn", "stubborn", 1)).join();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            engine.close();
            JobRecord after = store.get("stubborn").orElseThrow();
            assertThat(after.state()).isEqualTo(JobState.QUEUED);
            assertThat(after.attempt()).isZero();
        } finally {
            finally_.countDown();
        }
    }

    @Test
    void workersStuckInHandlersThatIgnoreTimeoutsAreCountedAndTheirReplacementsBounded() throws Exception {
        FaultyStore store = memory();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        JobHandler stuck = ignoringInterrupts("stuck", runs::incrementAndGet, release);
        try (JobEngine engine = engine(CONFIG.withJobTimeout(Duration.ofMillis(100)), store, 1, stuck)) {
            for (int i = 0; i < 4; i++) {
                engine.submit(job("s" + i, "stuck", 1)).join();
            }
            // One worker, replaced once: two threads stuck, then no more replacements.
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().stuck() == 2);
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(runs.get()).as("attempts started").isEqualTo(2);
            assertThat(engine.stats().stuck()).isEqualTo(2);
            assertThat(engine.stats().dead()).isEqualTo(2); // timed out, one attempt each

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().stuck() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.stats().succeeded() + engine.stats().dead() == 4);
        } finally {
            release.countDown();
        }
    }
}
