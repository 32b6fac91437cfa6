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

/** The article's stage 2: one blocked event loop stalls every connection. */
class BlockingStageTest {

    @Test
    void onlyTheFirstFewOfTenConcurrentRequestsFinishInTime() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.BLOCKING).build())) {
            // 10 callers, 200 ms of work each, 600 ms patience: served one after another, at most ~3 make it.
            List<TestHttp.Response> rs = TestHttp.concurrently(10,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofMillis(600)));
            long ok = rs.stream().filter(TestHttp.Response::ok).count();
            assertThat(ok).as("requests answered within 600 ms").isBetween(1L, 4L);
            assertThat(rs.stream().filter(TestHttp.Response::timedOut).count()).isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void runsOnASingleEventLoopByDefault() {
        assertThat(Servers.config(Stage.BLOCKING).build().effectiveIoThreads()).isEqualTo(1);
    }
}
