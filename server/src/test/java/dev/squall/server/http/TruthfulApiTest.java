package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** What the API says is true, and bounded: instants, run times, page sizes, waiting requests. */
class TruthfulApiTest {
    private static final Duration T = Duration.ofSeconds(15);
    private static final String INSTANT = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    private static JsonNode json(TestHttp.Response r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void startedAndFinishedAreWhenTheAttemptRanNotWhenItWasCollected() throws Exception {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).collectEvery(Duration.ofSeconds(2)).build())) {
            int p = server.port();
            assertThat(TestHttp.send(p, "POST", "/jobs", "{\"id\": \"quick\", \"kind\": \"echo\"}", T).status()).isEqualTo(202);
            JsonNode done = json(TestHttp.send(p, "GET", "/jobs/quick?wait=10s", null, T));
            assertThat(done.get("state").asText()).isEqualTo("succeeded");
            for (String field : List.of("created_at", "run_at", "started_at", "finished_at")) {
                assertThat(done.get(field).asText()).as(field).matches(INSTANT);
            }
            long ran = Instant.parse(done.get("finished_at").asText()).toEpochMilli()
                    - Instant.parse(done.get("started_at").asText()).toEpochMilli();
            assertThat(ran).as("ms an instant job ran, with a 2 s collector").isBetween(0L, 500L);
        }
    }

    @Test
    void instantsOnAWholeSecondKeepTheirMilliseconds() {
        assertThat(JobJson.time(1_700_000_000_000L)).isEqualTo("\"2023-11-14T22:13:20.000Z\"");
        assertThat(JobJson.time(1_700_000_000_467L)).isEqualTo("\"2023-11-14T22:13:20.467Z\"");
    }

    @Test
    void aListingOfLargeJobsStopsAtAbout4MiBAndNextContinues() throws Exception {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            int p = server.port();
            String payload = "\"" + "x".repeat(60_000) + "\"";
            for (int i = 0; i < 160; i++) {
                String body = "{\"id\": \"big-" + String.format("%03d", i) + "\", \"kind\": \"echo\", \"delay\": \"1h\", \"payload\": "
                        + payload + "}";
                assertThat(TestHttp.send(p, "POST", "/jobs", body, T).status()).isEqualTo(202);
            }
            Set<String> seen = new HashSet<>();
            String next = null;
            int pages = 0;
            do {
                TestHttp.Response r = TestHttp.send(p, "GET", "/jobs?limit=1000" + (next == null ? "" : "&after=" + next), null, T);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().length()).as("one page").isLessThan((4 << 20) + 100_000);
                JsonNode page = json(r);
                page.get("jobs").forEach(j -> seen.add(j.get("id").asText()));
                next = page.get("next").isNull() ? null : page.get("next").asText();
                pages++;
            } while (next != null && pages < 20);
            assertThat(pages).isGreaterThan(1);
            assertThat(seen).hasSize(160);
        }
    }

    @Test
    void longPollsAreBoundedInNumber() throws Exception {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).longPollLimit(2).build())) {
            int p = server.port();
            assertThat(TestHttp.send(p, "POST", "/jobs", "{\"id\": \"later\", \"kind\": \"echo\", \"delay\": \"1h\"}", T).status())
                    .isEqualTo(202);
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<CompletableFuture<TestHttp.Response>> polls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                polls.add(CompletableFuture.supplyAsync(() -> TestHttp.send(p, "GET", "/jobs/later?wait=5s", null, T), two));
            }
            two.shutdown();
            org.awaitility.Awaitility.await().atMost(T).until(() ->
                    json(TestHttp.send(p, "GET", "/healthz", null, T)).get("long_polls").asInt() == 2);
            TestHttp.Response third = TestHttp.send(p, "GET", "/jobs/later?wait=200ms", null, T);
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.header("Retry-After")).isEqualTo("1");
            assertThat(TestHttp.send(p, "GET", "/jobs/later", null, T).status()).as("a read without wait").isEqualTo(200);
            for (var f : polls) {
                assertThat(f.get().status()).isEqualTo(200);
            }
            assertThat(TestHttp.send(p, "GET", "/jobs/later?wait=10ms", null, T).status()).as("room again").isEqualTo(200);
        }
    }

    @Test
    void healthzCountsClaimedRunningAndStuckWorkers() throws Exception {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            JsonNode jobs = json(TestHttp.send(server.port(), "GET", "/healthz", null, T)).get("jobs");
            assertThat(jobs.has("claimed")).isTrue();
            assertThat(jobs.has("running")).isTrue();
            assertThat(jobs.get("stuck_workers").asInt()).isZero();
        }
    }
}
