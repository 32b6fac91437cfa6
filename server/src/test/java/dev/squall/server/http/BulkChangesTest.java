package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code POST /jobs/retry} and {@code POST /jobs/cancel}: many jobs at once, by ids or by a filter. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkChangesTest {
    private static final Duration T = Duration.ofSeconds(10);
    private SquallServer server;

    @BeforeAll
    void start() {
        server = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).retryBackoff(Duration.ZERO).build());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private TestHttp.Response call(String method, String path, String body) {
        return TestHttp.send(server.port(), method, path, body, Map.of("Content-Type", "application/json"), T);
    }

    private JsonNode json(TestHttp.Response r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private String state(String id) throws Exception {
        return json(call("GET", "/jobs/" + id, null)).get("state").asText();
    }

    @Test
    void retryByFilterRequeuesEveryDeadJobOfThatQueueAndNoOther() throws Exception {
        for (int i = 0; i < 5; i++) { // each fails its first attempt, and has only one: dead; a retry's attempt is its second
            assertThat(call("POST", "/jobs", "{\"id\":\"bulk-dead-" + i + "\",\"kind\":\"fail\",\"max_attempts\":1,\"queue\":\"bulk\","
                    + "\"payload\":{\"fail_attempts\":1}}").status()).isEqualTo(202);
        }
        assertThat(call("POST", "/jobs", "{\"id\":\"bulk-other-dead\",\"kind\":\"fail\",\"max_attempts\":1,\"queue\":\"elsewhere\"}")
                .status()).isEqualTo(202);
        await().atMost(T).until(() -> state("bulk-dead-4").equals("dead") && state("bulk-other-dead").equals("dead"));
        await().atMost(T).until(() -> json(call("GET", "/jobs?state=dead&queue=bulk", null)).get("jobs").size() == 5);

        TestHttp.Response r = call("POST", "/jobs/retry", "{\"filter\":{\"state\":\"dead\",\"queue\":\"bulk\"}}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode answer = json(r);
        assertThat(answer.get("matched").asInt()).isEqualTo(5);
        assertThat(answer.get("changed").asInt()).isEqualTo(5);
        assertThat(answer.get("more").asBoolean()).isFalse();
        assertThat(state("bulk-other-dead")).as("another queue's dead job").isEqualTo("dead");
        // A retried job starts over with fresh attempts: it fails again (fail_attempts 1 counts attempt 1).
        await().atMost(T).until(() -> json(call("GET", "/jobs?state=dead&queue=bulk", null)).get("jobs").size() == 5);
    }

    @Test
    void byIdsEachJobIsChangedOrSkippedWithItsReason() throws Exception {
        assertThat(call("POST", "/jobs", "{\"id\":\"ids-later\",\"kind\":\"echo\",\"delay\":\"1h\"}").status()).isEqualTo(202);
        assertThat(call("POST", "/jobs", "{\"id\":\"ids-done\",\"kind\":\"echo\"}").status()).isEqualTo(202);
        await().atMost(T).until(() -> state("ids-done").equals("succeeded"));
        JsonNode answer = json(call("POST", "/jobs/cancel", "{\"ids\":[\"ids-later\",\"ids-done\",\"ids-missing\"]}"));
        assertThat(answer.get("matched").asInt()).isEqualTo(3);
        assertThat(answer.get("changed").asInt()).isEqualTo(1);
        assertThat(answer.get("skipped_count").asInt()).isEqualTo(2);
        assertThat(answer.get("skipped").toString()).contains("{\"id\":\"ids-done\",\"reason\":\"conflict\",\"state\":\"succeeded\"}")
                .contains("{\"id\":\"ids-missing\",\"reason\":\"not_found\"}");
        assertThat(state("ids-later")).isEqualTo("cancelled");
    }

    @Test
    void cancelByFilterTakesTheWaitingJobsOfAKindAndSaysWhenMoreMatched() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(call("POST", "/jobs", "{\"id\":\"later-" + i + "\",\"kind\":\"sleep\",\"delay\":\"1h\",\"queue\":\"cancel-me\"}")
                    .status()).isEqualTo(202);
        }
        JsonNode answer = json(call("POST", "/jobs/cancel", "{\"filter\":{\"queue\":\"cancel-me\",\"kind\":\"sleep\"}}"));
        assertThat(answer.get("changed").asInt()).isEqualTo(3);
        assertThat(answer.get("more").asBoolean()).isFalse();
        assertThat(json(call("GET", "/jobs?state=cancelled&queue=cancel-me", null)).get("jobs").size()).isEqualTo(3);
    }

    @Test
    void aMisspelledFilterFieldIsRefusedAndChangesNothing() throws Exception {
        assertThat(call("POST", "/jobs", "{\"id\":\"keep-mail\",\"kind\":\"sleep\",\"delay\":\"1h\",\"queue\":\"mail\"}").status())
                .isEqualTo(202);
        assertThat(call("POST", "/jobs", "{\"id\":\"keep-other\",\"kind\":\"sleep\",\"delay\":\"1h\",\"queue\":\"other\"}").status())
                .isEqualTo(202);
        // "queu" for "queue": read as no filter at all, it would cancel every waiting job of every queue
        TestHttp.Response r = call("POST", "/jobs/cancel", "{\"filter\":{\"queu\":\"mail\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("unknown field 'filter.queu'").contains("queue");
        assertThat(json(call("GET", "/jobs/keep-mail", null)).get("state").asText()).isEqualTo("queued");
        assertThat(json(call("GET", "/jobs/keep-other", null)).get("state").asText()).isEqualTo("queued");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"filter\":{\"stat\":\"dead\"}}|unknown field 'filter.stat'",
            "{\"ids\":[\"a\"],\"dry_run\":true}|unknown field 'dry_run'",
            "{}|give either",
            "{\"ids\":[],\"filter\":{}}|give either",
            "{\"ids\":[]}|ids must be an array of 1 to 1000",
            "{\"ids\":[7]}|must be a string",
            "{\"filter\":{\"state\":\"succeeded\"}}|only dead jobs can be retried",
            "{\"filter\":{\"queue\":\"a b\"}}|filter.queue",
            "{\"filter\":[]}|filter must be an object",
            "not json|not valid JSON (line 1",
    })
    void badSelectionsAre400sThatSayWhy(String body, String detail) {
        TestHttp.Response r = call("POST", "/jobs/retry", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains(detail);
    }

    @Test
    void aJobNamedRetryCanStillBeReadAndTheBulkRoutesNeedJson() {
        assertThat(call("POST", "/jobs", "{\"id\":\"retry\",\"kind\":\"echo\"}").status()).isEqualTo(202);
        assertThat(call("GET", "/jobs/retry", null).status()).isEqualTo(200);
        assertThat(TestHttp.send(server.port(), "POST", "/jobs/cancel", "{\"ids\":[\"x\"]}", Map.of("Content-Type", "text/plain"), T)
                .status()).isEqualTo(415);
    }
}
