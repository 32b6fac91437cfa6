package dev.squall.server.stage;

import dev.squall.server.boot.SquallServers;
import dev.squall.core.EngineStats;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The article's stage 6, the product: accept at once, run in the background, collect, retry. */
class QueueStageTest {

    private static EngineStats stats(SquallServer server) {
        return server.engineStats().orElseThrow();
    }

    @Test
    void answersEveryRequestInMillisecondsAndCollectsEveryJob() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            TestHttp.get(server.port(), "{\"job_id\": -1}", Duration.ofSeconds(10)); // warm-up
            int n = 200;
            List<TestHttp.Response> rs = TestHttp.concurrently(10, t -> {
                TestHttp.Response last = null;
                for (int i = t; i < n; i += 10) {
                    last = TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5));
                    assertThat(last.status()).isEqualTo(200);
                    assertThat(last.body()).isEqualTo(i + " add");
                    // The work takes 200 ms; the answer must not wait for it.
                    assertThat(last.millis()).isLessThan(Servers.WORK.toMillis());
                }
                return last;
            });
            assertThat(rs).hasSize(10);
            await().atMost(Duration.ofSeconds(30)).until(() -> stats(server).succeeded() == n + 1);
            assertThat(stats(server).accepted()).isEqualTo(n + 1);
            assertThat(stats(server).dead()).isZero();
        }
    }

    @Test
    void retriesAJobWhoseWorkThrows() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).kind("fail").maxAttempts(3).build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)).body()).isEqualTo(i + " add");
            }
            // "fail" fails each job's first attempt; the collector puts it back and the second attempt succeeds.
            await().atMost(Duration.ofSeconds(30)).until(() -> stats(server).succeeded() == 5);
            assertThat(stats(server).retried()).isEqualTo(5);
            assertThat(stats(server).dead()).isZero();
        }
    }

    @Test
    void aJobThatKeepsFailingEndsDeadAfterItsAttempts() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).kind("fail").maxAttempts(2).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 1, \"fail_attempts\": 9}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(30)).until(() -> stats(server).dead() == 1);
            assertThat(stats(server).retried()).isEqualTo(1);
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndLosesNothingAccepted() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).workers(1).queueCapacity(2)
                .sleep(Duration.ofMillis(300)).build())) {
            int accepted = 0;
            TestHttp.Response last = null;
            for (int i = 0; i < 100; i++) {
                last = TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5));
                if (last.status() != 200) {
                    break;
                }
                accepted++;
                if (i == 0) { // the one worker has taken the first job before the queue fills (no race with its start)
                    await().atMost(Duration.ofSeconds(10)).until(() -> stats(server).started() == 1);
                }
            }
            assertThat(last.status()).isEqualTo(429);
            assertThat(last.header("retry-after")).isEqualTo("1");
            assertThat(last.header("content-type")).isEqualTo("application/problem+json");
            assertThat(last.body()).contains("full");
            // two may wait in the store, and the engine holds a few claimed for its one worker
            assertThat(accepted).isBetween(3, 2 + 1 + 8);

            int total = accepted;
            await().atMost(Duration.ofSeconds(30)).until(() -> stats(server).succeeded() == total);
            assertThat(stats(server).rejected()).isEqualTo(1);
        }
    }

    @Test
    void underAFloodTheQueueStaysBoundedAndEveryAcceptedJobRuns() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).workers(2).queueCapacity(100)
                .sleep(Duration.ofMillis(20)).build())) {
            java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger tooMany = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicLong peakWaiting = new java.util.concurrent.atomic.AtomicLong();
            TestHttp.concurrently(16, t -> {
                TestHttp.Response last = null;
                for (int i = t; i < 3000; i += 16) {
                    last = TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(10));
                    if (last.status() == 200) {
                        ok.incrementAndGet();
                    } else if (last.status() == 429) {
                        tooMany.incrementAndGet();
                    }
                    peakWaiting.accumulateAndGet(stats(server).queued(), Math::max);
                }
                return last;
            });
            assertThat(ok.get() + tooMany.get()).isEqualTo(3000);
            assertThat(tooMany.get()).as("refused with 429").isGreaterThan(0);
            assertThat(peakWaiting.get()).as("jobs waiting never pass the capacity").isLessThanOrEqualTo(100);
            int accepted = ok.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> stats(server).succeeded() == accepted);
            assertThat(stats(server).rejected()).isEqualTo(tooMany.get());
        }
    }

    @Test
    void aRepeatedJobIdIsAnsweredAgainButRunsOnce() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            assertThat(TestHttp.get(server.port(), "{\"job_id\": 5}", Duration.ofSeconds(5)).body()).isEqualTo("5 add");
            assertThat(TestHttp.get(server.port(), "{\"job_id\": 5}", Duration.ofSeconds(5)).body()).isEqualTo("5 add");
            TestHttp.Response other = TestHttp.get(server.port(), "{\"job_id\": 5, \"x\": 1}", Duration.ofSeconds(5));
            assertThat(other.status()).isEqualTo(409);
            await().atMost(Duration.ofSeconds(10)).until(() -> stats(server).succeeded() == 1);
            assertThat(stats(server).accepted()).isEqualTo(1);
            assertThat(stats(server).duplicates()).isEqualTo(1);
        }
    }

    @Test
    void healthzReportsTheJobCounters() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 1}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> stats(server).succeeded() == 1);
            TestHttp.Response h = TestHttp.send(server.port(), "GET", "/healthz", null, Duration.ofSeconds(5));
            assertThat(h.body()).contains("\"accepted\":1", "\"succeeded\":1");
        }
    }

    @Test
    void runsJobsOnVirtualThreadsOrWorkerProcessesToo() {
        for (String executor : List.of("virtual", "process")) {
            try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).workers(2)
                    .executor(dev.squall.server.ExecutorKind.fromCli(executor)).build())) {
                for (int i = 0; i < 4; i++) {
                    assertThat(TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)).status()).isEqualTo(200);
                }
                await(executor).atMost(Duration.ofSeconds(30)).until(() -> stats(server).succeeded() == 4);
            }
        }
    }
}
