package dev.squall.server.stage;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Java's answer: blocking code on virtual threads scales like the coroutine stage. */
class VirtualStageTest {

    @Test
    void tenConcurrentBlockingJobsFinishInAboutOneWorkTime() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.VIRTUAL).build())) {
            ConcurrencyAssertions.tenConcurrentRequestsFinishInAboutOneWorkTime(server);
        }
    }

    @Test
    void hundredConcurrentBlockingJobsNeedNoHundredThreadPool() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.VIRTUAL).build())) {
            List<TestHttp.Response> rs = TestHttp.concurrently(100,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)));
            assertThat(rs).allMatch(TestHttp.Response::ok);
            // 100 x 200 ms run together: far below the 20 s of a serial run, or the 1 s of a 20-thread pool.
            assertThat(rs.stream().mapToLong(TestHttp.Response::millis).max().orElseThrow()).isLessThan(900);
        }
    }

    @Test
    void overThePermitCountTheAnswerIs503WithRetryAfter() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.VIRTUAL).workers(2).sleep(Duration.ofMillis(500)).build())) {
            List<TestHttp.Response> rs = TestHttp.concurrently(6,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)));
            assertThat(rs).anyMatch(TestHttp.Response::ok);
            assertThat(rs).anySatisfy(r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("retry-after")).isEqualTo("1");
            });
        }
    }
}
