package dev.squall.server.live;

import dev.squall.server.boot.SquallServers;
import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /stats} and {@code GET /events}: live figures from memory, the same for every viewer. */
class LiveViewsTest {
    private static final Duration T = Duration.ofSeconds(10);

    private static TestHttp.Response post(SquallServer s, String body) {
        return TestHttp.send(s.port(), "POST", "/jobs", body, Map.of("Content-Type", "application/json"), T);
    }

    private static JsonNode stats(SquallServer s) throws Exception {
        TestHttp.Response r = TestHttp.send(s.port(), "GET", "/stats", null, T);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        return Json.MAPPER.readTree(r.body());
    }

    /** The events of an open stream, as (event, data) pairs, read on a thread of their own. */
    private record Stream(BlockingQueue<String[]> events, Thread reader) implements AutoCloseable {
        static Stream open(int port, String query) throws Exception {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<java.util.stream.Stream<String>> res = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events" + query)).timeout(T).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            BlockingQueue<String[]> q = new LinkedBlockingQueue<>();
            Thread t = Thread.ofVirtual().start(() -> {
                String event = null;
                Iterator<String> lines = res.body().iterator();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ") && event != null) {
                        q.add(new String[] {event, line.substring(6)});
                    }
                }
            });
            return new Stream(q, t);
        }

        String[] next(String event) throws InterruptedException {
            long end = System.nanoTime() + T.toNanos();
            while (System.nanoTime() < end) {
                String[] e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e[0].equals(event)) {
                    return e;
                }
            }
            throw new AssertionError("no '" + event + "' event within " + T);
        }

        @Override
        public void close() {
            reader.interrupt();
        }
    }

    @Test
    void statsAreOneSharedSnapshotWithCountsRatesPercentilesAndLanes() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).build())) {
            for (int i = 0; i < 10; i++) {
                assertThat(post(s, "{\"kind\":\"echo\"}").status()).isEqualTo(202);
            }
            await().atMost(T).until(() -> stats(s).at("/states/succeeded").asLong() == 10);
            JsonNode st = stats(s);
            assertThat(st.at("/totals/accepted").asLong()).isEqualTo(10);
            assertThat(st.at("/totals/succeeded").asLong()).isEqualTo(10);
            assertThat(st.at("/wait_ms/count").asLong()).isEqualTo(10);
            assertThat(st.at("/run_ms/p99").isNumber()).isTrue();
            assertThat(st.at("/capacity").asLong()).isEqualTo(s.config().queueCapacity());
            assertThat(st.at("/lanes/0/queues").asText()).isEqualTo("*");
            assertThat(st.at("/lanes/0/workers").asInt()).isEqualTo(20);
            assertThat(st.has("history")).isFalse();
            JsonNode withHistory = Json.MAPPER.readTree(TestHttp.send(s.port(), "GET", "/stats?history=1", null, T).body());
            long succeededOverHistory = 0;
            for (JsonNode sec : withHistory.get("history")) {
                succeededOverHistory += sec.get("succeeded").asLong();
            }
            assertThat(succeededOverHistory).as("the per-second history adds up to the total").isEqualTo(10);
        }
    }

    @Test
    void aStreamGetsStatsEverySecondAndTheTransitionsItAskedFor() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).build());
             Stream all = Stream.open(s.port(), "");
             Stream one = Stream.open(s.port(), "?id=watched");
             Stream dead = Stream.open(s.port(), "?state=dead")) {
            all.next("stats");
            long t0 = System.nanoTime();
            all.next("stats");
            all.next("stats");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for two more stats frames").isLessThan(5000);

            assertThat(post(s, "{\"id\":\"other\",\"kind\":\"echo\"}").status()).isEqualTo(202);
            assertThat(post(s, "{\"id\":\"watched\",\"kind\":\"echo\"}").status()).isEqualTo(202);
            List<JsonNode> seen = new ArrayList<>();
            while (seen.isEmpty() || !seen.getLast().get("state").asText().equals("succeeded")) {
                seen.add(Json.MAPPER.readTree(one.next("job")[1]));
            }
            assertThat(seen).allMatch(j -> j.get("id").asText().equals("watched"));
            assertThat(seen.getLast().get("kind").asText()).isEqualTo("echo");

            assertThat(post(s, "{\"id\":\"doomed\",\"kind\":\"fail\",\"max_attempts\":1}").status()).isEqualTo(202);
            JsonNode d = Json.MAPPER.readTree(dead.next("job")[1]);
            assertThat(d.get("id").asText()).isEqualTo("doomed");
            assertThat(d.get("state").asText()).isEqualTo("dead");
            assertThat(all.events().stream().filter(e -> e[0].equals("job")).count()).as("no filter: stats only").isZero();
        }
    }

    @Test
    void aBadFilterIsA400AndStatsOnlyReads() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            TestHttp.Response bad = TestHttp.send(s.port(), "GET", "/events?state=sleepy", null, T);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("unknown state 'sleepy'");
            assertThat(TestHttp.send(s.port(), "POST", "/stats", "", T).status()).isEqualTo(405);
        }
    }
}
