package dev.squall.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.boot.SquallServers;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On PostgreSQL every node's live figures are the whole cluster's: jobs taken in and run by one
 * node show in the other's throughput, totals and percentiles, and a node's own figures are never
 * counted twice.
 */
class ClusterFiguresTest {
    private static final Duration T = Duration.ofSeconds(20);

    private static JsonNode stats(SquallServer s) throws Exception {
        TestHttp.Response r = TestHttp.send(s.port(), "GET", "/stats?history=1", null, T);
        assertThat(r.status()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static SquallServer node(String url, String id, String queues) {
        return SquallServers.start(Servers.config(Stage.QUEUE).store(url).nodeId(id).queues(Map.of(queues, 2)).build());
    }

    @Test
    void everyNodeSaysWhenJobsWaitInAQueueThatNoLiveNodeServes() throws Exception {
        try (TestPostgres.Database db = TestPostgres.database();
             SquallServer a = node(db.url(), "node-a", "a-only");
             SquallServer b = node(db.url(), "node-b", "b-only")) {
            // Jobs that wait an hour in the queues the nodes serve, and one due now in a queue nobody serves.
            for (String job : List.of("\"queue\": \"a-only\", \"delay\": \"1h\"", "\"queue\": \"b-only\", \"delay\": \"1h\"",
                    "\"queue\": \"nobody\"")) {
                TestHttp.Response r = TestHttp.send(a.port(), "POST", "/jobs", "{\"kind\": \"echo\", " + job + "}",
                        Map.of("Content-Type", "application/json"), T);
                assertThat(r.status()).isEqualTo(202);
            }
            for (SquallServer s : List.of(a, b)) {
                await().atMost(T).untilAsserted(() -> assertThat(stats(s).get("unserved_queues").toString()).isEqualTo("[\"nobody\"]"));
            }
        }
    }

    @Test
    void eachNodeShowsTheWholeClustersThroughputTotalsAndPercentiles() throws Exception {
        try (TestPostgres.Database db = TestPostgres.database()) {
            // "a" runs the queue "a-only"; "b" serves another queue, so every job below is a's alone.
            SquallServer a = node(db.url(), "node-a", "a-only");
            SquallServer b = node(db.url(), "node-b", "b-only");
            boolean bOpen = true;
            try {
                // b counts what a does from when it first sees a's figures: wait for that.
                await().atMost(T).until(() -> stats(b).get("figures_from").size() == 2);
                int jobs = 40;
                for (int i = 0; i < jobs; i++) {
                    TestHttp.Response r = TestHttp.send(a.port(), "POST", "/jobs",
                            "{\"kind\": \"echo\", \"queue\": \"a-only\", \"payload\": {}}", Map.of("Content-Type", "application/json"), T);
                    assertThat(r.status()).isEqualTo(202);
                }
                await().atMost(T).untilAsserted(() -> {
                    JsonNode onB = stats(b);
                    assertThat(onB.get("totals").get("accepted").asLong()).as("accepted, on b").isEqualTo(jobs);
                    assertThat(onB.get("totals").get("succeeded").asLong()).as("succeeded, on b").isEqualTo(jobs);
                    assertThat(onB.get("wait_ms").get("count").asLong()).as("waits in b's percentiles").isEqualTo(jobs);
                    List<String> from = new ArrayList<>();
                    onB.get("figures_from").forEach(n -> from.add(n.asText()));
                    assertThat(from).containsExactly("node-b", "node-a");
                });
                long perSecond = 0;
                for (JsonNode sec : stats(b).get("history")) {
                    perSecond += sec.get("succeeded").asLong();
                }
                assertThat(perSecond).as("b's throughput chart, second by second").isEqualTo(jobs);
                JsonNode onA = stats(a);
                assertThat(onA.get("totals").get("succeeded").asLong()).as("a counts its own once").isEqualTo(jobs);
                assertThat(onA.get("run_ms").get("count").asLong()).isEqualTo(jobs);

                b.close(); // a node that leaves takes its figures with it; a's own stay
                bOpen = false;
                await().atMost(T).untilAsserted(() -> assertThat(stats(a).get("figures_from")).hasSize(1));
                assertThat(stats(a).get("totals").get("succeeded").asLong()).isEqualTo(jobs);
            } finally {
                a.close();
                if (bOpen) {
                    b.close();
                }
            }
        }
    }
}
