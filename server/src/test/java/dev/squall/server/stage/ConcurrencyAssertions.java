package dev.squall.server.stage;

import dev.squall.server.SquallServer;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared proof of the non-blocking stages: ten concurrent 200 ms jobs all end in about one work time. */
final class ConcurrencyAssertions {
    private ConcurrencyAssertions() {
    }

    static void tenConcurrentRequestsFinishInAboutOneWorkTime(SquallServer server) {
        TestHttp.get(server.port(), "{\"job_id\": -1}", Duration.ofSeconds(10)); // warm-up
        long start = System.nanoTime();
        List<TestHttp.Response> rs = TestHttp.concurrently(10,
                i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofMillis(1500)));
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(rs).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith(" done");
            assertThat(r.millis()).isGreaterThanOrEqualTo(Servers.WORK.toMillis() - 5);
        });
        // Served one after another they would need 10 x 200 ms = 2 s.
        assertThat(wallMillis).as("wall time of 10 concurrent 200 ms jobs").isLessThan(1500);
    }
}
