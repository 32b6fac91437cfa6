package dev.squall.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadGeneratorTest {

    private static BenchReport run(BenchConfig.Builder b) throws InterruptedException {
        return LoadGenerator.start(b.build()).await();
    }

    private static BenchConfig.Builder against(ScriptedServer s) {
        return BenchConfig.builder().url(s.url("/")).timeout(Duration.ofSeconds(5));
    }

    @Test
    void countsEveryOutcomeExactly() throws Exception {
        Function<ScriptedServer.Request, ScriptedServer.Action> script = r -> switch (r.index() % 5) {
            case 0 -> ScriptedServer.status(503);
            case 1 -> ScriptedServer.status(404);
            case 2 -> new ScriptedServer.Reset();
            case 3 -> new ScriptedServer.Never();
            default -> ScriptedServer.status(200);
        };
        try (ScriptedServer server = new ScriptedServer(script)) {
            BenchReport r = run(against(server).requests(50).concurrency(5).keepAlive(false).timeout(Duration.ofMillis(400)));
            assertThat(r.completed()).isEqualTo(50);
            assertThat(r.count(Outcome.OK)).isEqualTo(10);
            assertThat(r.statuses()).containsEntry(200, 10L).containsEntry(503, 10L).containsEntry(404, 10L);
            assertThat(r.count(Outcome.STATUS)).isEqualTo(20);
            assertThat(r.count(Outcome.RESET)).isEqualTo(10);
            assertThat(r.count(Outcome.TIMEOUT)).isEqualTo(10);
            assertThat(r.count(Outcome.OTHER)).isZero();
            assertThat(r.successLine()).isEqualTo("20.0% request success!");
        }
    }

    @Test
    void countsRefusedConnectionsOnceTheServerStopsListening() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(200)).stopListeningAfter(5)) {
            BenchReport r = run(against(server).requests(20).concurrency(1).keepAlive(false));
            // The listener is closed before the 5th answer, but the kernel can complete a connect that
            // races the close. On a busy machine that one connection was once served (a full run saw 6 OK)
            // and once left in the closed listener's backlog, where it ends reset or closed, not refused
            // (CI saw 14 refused). Either way it is one request, and it is never counted twice.
            long ok = r.count(Outcome.OK);
            long raced = r.count(Outcome.RESET) + r.count(Outcome.OTHER);
            assertThat(ok).isBetween(5L, 6L);
            assertThat(raced).as("connects that raced the close").isLessThanOrEqualTo(6 - ok);
            assertThat(r.count(Outcome.REFUSED)).as("every other request is a refused connect").isEqualTo(20 - ok - raced);
            assertThat(r.count(Outcome.STATUS) + r.count(Outcome.TIMEOUT)).isZero();
            assertThat(r.successLine()).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f%% request success!", ok * 100.0 / 20));
        }
    }

    @Test
    void theDeadlineAbortsAnUnansweredRequestOnTime() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> new ScriptedServer.Never())) {
            long start = System.nanoTime();
            BenchReport r = run(against(server).requests(4).concurrency(4).timeout(Duration.ofMillis(300)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.count(Outcome.TIMEOUT)).isEqualTo(4);
            assertThat(r.all().maxMs()).isBetween(300.0, 450.0);
            assertThat(r.all().p50Ms()).isGreaterThanOrEqualTo(300.0);
            assertThat(millis).as("whole run, unlike wrk which waits for late answers").isLessThan(2000);
            assertThat(r.successLine()).isEqualTo("0.0% request success!");
        }
    }

    @Test
    void openLoopShowsAServerStallThatClosedLoopHides() throws Exception {
        BenchReport closed;
        BenchReport open;
        try (ScriptedServer server = stallingServer()) {
            closed = run(against(server).requests(0).duration(Duration.ofMillis(1500)).concurrency(1));
        }
        try (ScriptedServer server = stallingServer()) {
            open = run(against(server).requests(0).rate(200).duration(Duration.ofMillis(1500)).concurrency(50));
        }
        // Closed loop: one caller waits out the 500 ms stall once; thousands of fast requests hide it.
        assertThat(closed.count(Outcome.OK)).isGreaterThan(200);
        assertThat(closed.ok().p99Ms()).isLessThan(100.0);
        // Open loop: every request due during the stall waits, counted from when it was due.
        assertThat(open.ok().p90Ms()).isGreaterThan(100.0);
        assertThat(open.ok().maxMs()).isGreaterThan(400.0);
    }

    /** Answers at once, except that from 500 ms after its first request, for 500 ms, it holds every answer. */
    private static ScriptedServer stallingServer() throws Exception {
        long[] first = {0};
        return new ScriptedServer(r -> {
            synchronized (first) {
                if (first[0] == 0) {
                    first[0] = System.nanoTime();
                }
            }
            long now = System.nanoTime();
            long stallFrom = first[0] + 500_000_000L;
            long stallTo = stallFrom + 500_000_000L;
            return now >= stallFrom && now < stallTo ? new ScriptedServer.AnswerAt(200, stallTo) : ScriptedServer.status(200);
        });
    }

    @Test
    void seqNumbersEveryRequestFromZeroOnce() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(200))) {
            BenchReport r = run(against(server).requests(500).concurrency(8));
            assertThat(r.count(Outcome.OK)).isEqualTo(500);
            Map<String, Long> ids = server.seen.stream().collect(Collectors.groupingBy(q -> q.body(), Collectors.counting()));
            assertThat(ids).hasSize(500).allSatisfy((body, n) -> assertThat(n).isEqualTo(1));
            assertThat(ids.keySet()).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, 500).mapToObj(i -> "{\"job_id\": " + i + "}").toList());
        }
    }

    @Test
    void sendsTheMethodHeadersAndTemplatedBody() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(201))) {
            BenchReport r = run(against(server).url(server.url("/jobs?x=1")).method("post").headers(List.of("X-Test: yes"))
                    .body("{\"id\": \"{uuid}\", \"n\": {rand}}").requests(3).concurrency(1));
            assertThat(r.count(Outcome.OK)).isEqualTo(3);
            assertThat(server.seen).allSatisfy(q -> {
                assertThat(q.path()).isEqualTo("/jobs?x=1");
                assertThat(q.body()).matches("\\{\"id\": \"[0-9a-f-]{36}\", \"n\": \\d+}");
            });
        }
    }

    @Test
    void warmUpRequestsAreLeftOutOfTheFigures() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(200))) {
            BenchReport r = run(against(server).requests(100).concurrency(2).warmup(Duration.ofMillis(300)));
            assertThat(r.completed()).isEqualTo(100);
            assertThat(server.seen.size()).isGreaterThan(100);
        }
    }

    @Test
    void theWarmUpRunsIntoTheMeasuredPhaseOnTheSameConnections() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(200))) {
            BenchReport r = run(against(server).requests(100).concurrency(2).warmup(Duration.ofMillis(300)));
            assertThat(r.completed()).isEqualTo(100);
            assertThat(server.seen.size()).isGreaterThan(100);
            // One more: the check that something listens, before the run.
            assertThat(server.connections.get()).as("the two callers' connections, kept from the warm-up on").isEqualTo(1 + 2);
        }
    }

    @Test
    void anOpenLoopKeepsItsPaceAndItsConnectionFromTheWarmUpIntoTheMeasuredPhase() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> ScriptedServer.status(200))) {
            // 200 requests/s: 60 due in the 300 ms warm-up, then 100 in the measured 500 ms.
            BenchReport r = run(against(server).requests(0).rate(200).concurrency(1)
                    .warmup(Duration.ofMillis(300)).duration(Duration.ofMillis(500)));
            assertThat(r.completed()).isEqualTo(100);
            assertThat(r.sent()).isEqualTo(100);
            // A warm-up request not sent by the warm-up's end (a busy machine) is dropped, never sent late.
            assertThat(server.seen.size()).isBetween(150, 160);
            assertThat(server.connections.get()).as("one caller, one connection for the whole run").isEqualTo(1 + 1);
        }
    }

    @Test
    void anUnreachableUrlIsAClearError() {
        assertThatThrownBy(() -> LoadGenerator.start(BenchConfig.builder().url("http://127.0.0.1:1/").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot connect to 127.0.0.1:1");
    }

    @Test
    void badSettingsNameTheFlag() {
        assertThatThrownBy(() -> BenchConfig.builder().concurrency(0).build()).hasMessageStartingWith("--concurrency");
        assertThatThrownBy(() -> BenchConfig.builder().url("ftp://x/").build()).hasMessageContaining("only http://");
        assertThatThrownBy(() -> BenchConfig.builder().timeout(Duration.ZERO).build()).hasMessageStartingWith("--timeout");
        assertThatThrownBy(() -> BenchConfig.builder().rate(-1).build()).hasMessageStartingWith("--rate");
        assertThatThrownBy(() -> BenchConfig.builder().headers(List.of("nocolon")).build()).hasMessageStartingWith("-H");
        assertThatThrownBy(() -> BenchConfig.builder().requests(0).build()).hasMessageContaining("--requests or --duration");
        assertThatThrownBy(() -> BenchConfig.builder().minSuccess(120.0).build()).hasMessageStartingWith("--min-success");
    }
}
