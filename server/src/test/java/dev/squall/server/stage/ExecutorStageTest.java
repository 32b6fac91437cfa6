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

/** The article's stage 5: a bounded thread pool frees the loop, up to the pool's capacity. */
class ExecutorStageTest {

    @Test
    void tenConcurrentRequestsFinishInAboutOneWorkTime() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.EXECUTOR).build())) {
            ConcurrencyAssertions.tenConcurrentRequestsFinishInAboutOneWorkTime(server);
        }
    }

    @Test
    void moreConcurrentRequestsThanWorkersWaitForAWorker() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.EXECUTOR).workers(2).build())) {
            TestHttp.get(server.port(), "{\"job_id\": -1}", Duration.ofSeconds(10)); // warm-up
            // 6 jobs of 200 ms on 2 threads: three waves, the last done after ~600 ms.
            List<TestHttp.Response> rs = TestHttp.concurrently(6,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)));
            assertThat(rs).allMatch(TestHttp.Response::ok);
            long slowest = rs.stream().mapToLong(TestHttp.Response::millis).max().orElseThrow();
            long fastest = rs.stream().mapToLong(TestHttp.Response::millis).min().orElseThrow();
            assertThat(slowest).as("the last wave waited for two before it").isGreaterThanOrEqualTo(3 * Servers.WORK.toMillis() - 30);
            assertThat(fastest).isLessThan(slowest - Servers.WORK.toMillis());
        }
    }

    @Test
    void aFullWaitingLineIsRefusedWith503() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.EXECUTOR).workers(1).queueCapacity(1)
                .sleep(Duration.ofMillis(500)).build())) {
            List<TestHttp.Response> rs = TestHttp.concurrently(5,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(5)));
            assertThat(rs).anyMatch(TestHttp.Response::ok);
            assertThat(rs).anySatisfy(r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("content-type")).isEqualTo("application/problem+json");
                assertThat(r.header("retry-after")).isNotBlank();
            });
        }
    }
}
