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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The job API of the queue stage, as a client sees it (on the memory store; {@code SqliteJobApiTest} runs it on SQLite). */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class JobApiTest {
    private static final Duration T = Duration.ofSeconds(10);
    private SquallServer server;

    /** The store the server of these tests runs on. */
    protected String store() {
        return "memory";
    }

    @BeforeAll
    void start() {
        server = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ofMillis(50)).maxBodyBytes(2048)
                .retryBackoff(Duration.ZERO).store(store()).build());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private TestHttp.Response call(String method, String path, String body) {
        return TestHttp.send(server.port(), method, path, body, T);
    }

    private static JsonNode json(TestHttp.Response r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private void assertProblem(TestHttp.Response r, int status, String detail) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        assertThat(r.body()).contains(detail);
    }

    @Test
    void theDashboardShowsTheStoresCountsAndSaysWhichFiguresAreTheClustersOrThisNodes() {
        TestHttp.Response page = call("GET", "/ui", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-security-policy")).contains("default-src 'self'");
        assertThat(page.body()).contains("data-testid=\"count-succeeded\"").doesNotContain("http://").doesNotContain("https://");
        boolean cluster = store().startsWith("postgres");
        assertThat(page.body().contains("Throughput, whole cluster")).as("cluster figures labelled on a cluster").isEqualTo(cluster);
        assertThat(page.body().contains("Workers on this node")).as("this node's workers labelled on a cluster").isEqualTo(cluster);
        assertProblem(call("GET", "/ui/jobs/%ZZ", null), 400, "percent-encoded");
        assertProblem(call("GET", "/ui/jobs?limit=many", null), 400, "limit must be an integer");
        assertThat(call("GET", "/ui/jobs/nobody-at-all", null).status()).isEqualTo(404);
        assertThat(call("GET", "/assets/../pom.xml", null).status()).isEqualTo(404);
    }

    @Test
    void everyAttemptOfAJobIsListedOldestFirstWithItsOutcomeAndError() throws Exception {
        assertThat(call("POST", "/jobs", "{\"id\": \"att-1\", \"kind\": \"fail\", \"max_attempts\": 3, "
                + "\"payload\": {\"fail_attempts\": 1, \"sleep_ms\": 5}}").status()).isEqualTo(202);
        await().atMost(T).until(() -> call("GET", "/jobs/att-1", null).body().contains("\"succeeded\""));
        TestHttp.Response r = call("GET", "/jobs/att-1/attempts", null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode a = json(r).get("attempts");
        assertThat(a).hasSize(2);
        assertThat(a.get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(a.get(0).get("outcome").asText()).isEqualTo("failed");
        assertThat(a.get(0).get("error").asText()).contains("planned failure of attempt 1");
        assertThat(a.get(0).get("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(a.get(1).get("outcome").asText()).isEqualTo("succeeded");
        assertThat(a.get(1).get("error").isNull()).isTrue();
        assertThat(a.get(1).get("started_at").asText()).isGreaterThanOrEqualTo(a.get(0).get("ended_at").asText());
        assertProblem(call("GET", "/jobs/nobody-here/attempts", null), 404, "no job nobody-here");
        assertThat(call("POST", "/jobs/att-1/attempts", "").status()).isEqualTo(405);
    }

    @Test
    void aJobHasAQueueAndAPriorityAndTheListingFiltersByQueue() throws Exception {
        TestHttp.Response r = call("POST", "/jobs", "{\"id\": \"q-1\", \"kind\": \"echo\", \"queue\": \"mail\", \"priority\": -5}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(json(r).get("queue").asText()).isEqualTo("mail");
        assertThat(json(r).get("priority").asInt()).isEqualTo(-5);
        TestHttp.Response plain = call("POST", "/jobs", "{\"id\": \"q-2\", \"kind\": \"echo\"}");
        assertThat(json(plain).get("queue").asText()).isEqualTo("default");
        assertThat(json(plain).get("priority").asInt()).isZero();
        JsonNode listed = json(call("GET", "/jobs?queue=mail&limit=100", null));
        assertThat(listed.get("jobs")).extracting(j -> j.get("id").asText()).contains("q-1").doesNotContain("q-2");
        assertThat(call("POST", "/jobs", "{\"id\": \"q-1\", \"kind\": \"echo\", \"queue\": \"mail\", \"priority\": 1}").status())
                .isEqualTo(409);
    }

    @Test
    void aBadQueueOrPriorityIsA400ThatSaysWhatIsAllowed() {
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"queue\": \"no spaces\"}"), 400, "queue must be 1-100 letters");
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"queue\": \"\"}"), 400, "queue must be 1-100 letters");
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"queue\": 7}"), 400, "queue must be a string");
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"priority\": 1001}"), 400, "priority must be an integer from -1000 to 1000");
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"priority\": 1.5}"), 400, "priority must be an integer");
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"priority\": \"high\"}"), 400, "priority must be an integer");
        assertProblem(call("GET", "/jobs?queue=a%20b", null), 400, "queue must be 1-100 letters");
    }

    @Test
    void theLocationOfAJobWhoseIdNeedsEscapingLeadsToThatJob() throws Exception {
        for (String id : List.of("report 7", "a+b", "50%", "ümlaut?x#y", "x&y=z")) {
            TestHttp.Response r = call("POST", "/jobs", "{\"id\": " + Json.quote(id) + ", \"kind\": \"echo\"}");
            assertThat(r.status()).as(id).isEqualTo(202);
            String location = r.header("location");
            assertThat(location).as(id).startsWith("/jobs/").doesNotContain(" ", "?", "#", "&");
            TestHttp.Response there = call("GET", location, null);
            assertThat(there.status()).as("GET " + location).isEqualTo(200);
            assertThat(json(there).get("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void submittingAJobAnswers202WithTheJobAndItsLocation() throws Exception {
        TestHttp.Response r = call("POST", "/jobs", "{\"id\": \"api-1\", \"kind\": \"echo\", \"payload\": {\"n\": 1}}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.header("location")).isEqualTo("/jobs/api-1");
        JsonNode j = json(r);
        assertThat(j.get("id").asText()).isEqualTo("api-1");
        // As stored at that moment: waiting (memory), or already taken for a worker (SQLite hands new jobs straight over).
        assertThat(j.get("state").asText()).isIn("queued", "claimed", "running");
        assertThat(j.get("payload").get("n").asInt()).isEqualTo(1);
        assertThat(j.get("max_attempts").asInt()).isEqualTo(3);
        assertThat(j.get("created_at").asText()).endsWith("Z");

        TestHttp.Response done = call("GET", "/jobs/api-1?wait=5s", null);
        assertThat(done.status()).isEqualTo(200);
        JsonNode d = json(done);
        assertThat(d.get("state").asText()).isEqualTo("succeeded");
        assertThat(d.get("result").get("n").asInt()).isEqualTo(1);
        assertThat(d.get("attempt").asInt()).isEqualTo(1);
        assertThat(d.get("finished_at").isTextual()).isTrue();
    }

    @Test
    void aJobWithoutAnIdGetsAGeneratedTimeOrderedOne() throws Exception {
        String a = json(call("POST", "/jobs", "{\"kind\": \"echo\"}")).get("id").asText();
        String b = json(call("POST", "/jobs", "{\"kind\": \"echo\"}")).get("id").asText();
        assertThat(a).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(b).isGreaterThan(a);
    }

    @Test
    void aRepeatedIdReturnsTheExistingJobOrA409() throws Exception {
        String body = "{\"id\": \"api-dup\", \"kind\": \"echo\", \"payload\": {\"a\": [1, 2]}}";
        assertThat(call("POST", "/jobs", body).status()).isEqualTo(202);
        TestHttp.Response again = call("POST", "/jobs", "{\"kind\": \"echo\", \"payload\": {\"a\": [1,2]}, \"id\": \"api-dup\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(json(again).get("id").asText()).isEqualTo("api-dup");
        assertProblem(call("POST", "/jobs", "{\"id\": \"api-dup\", \"kind\": \"echo\", \"payload\": {\"a\": 3}}"), 409, "used once");
    }

    @Test
    void longPollReturnsTheCurrentStateWhenTheWaitRunsOut() throws Exception {
        call("POST", "/jobs", "{\"id\": \"api-slow\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 2000}}");
        long start = System.nanoTime();
        TestHttp.Response r = call("GET", "/jobs/api-slow?wait=300ms", null);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).get("state").asText()).isIn("queued", "running");
        assertThat(ms).isBetween(250L, 2000L);
    }

    @Test
    void aDelayedJobCanBeCancelledBeforeItRuns() throws Exception {
        TestHttp.Response r = call("POST", "/jobs", "{\"id\": \"api-later\", \"kind\": \"echo\", \"delay\": \"1m\"}");
        assertThat(json(r).get("run_at").asText()).isGreaterThan(json(r).get("created_at").asText());
        TestHttp.Response c = call("DELETE", "/jobs/api-later", null);
        assertThat(c.status()).isEqualTo(200);
        assertThat(json(c).get("state").asText()).isEqualTo("cancelled");
        assertProblem(call("DELETE", "/jobs/api-later", null), 409, "cancelled");
        assertProblem(call("DELETE", "/jobs/nope", null), 404, "no job nope");
    }

    @Test
    void aJobThatAlreadyRanCannotBeCancelled() {
        call("POST", "/jobs", "{\"id\": \"api-ran\", \"kind\": \"echo\"}");
        call("GET", "/jobs/api-ran?wait=5s", null);
        assertProblem(call("DELETE", "/jobs/api-ran", null), 409, "succeeded");
    }

    @Test
    void aDeadJobCanBeRetriedAndOnlyADeadOne() throws Exception {
        call("POST", "/jobs", "{\"id\": \"api-dead\", \"kind\": \"fail\", \"payload\": {\"fail_attempts\": 99}, \"max_attempts\": 2}");
        JsonNode dead = json(call("GET", "/jobs/api-dead?wait=10s", null));
        assertThat(dead.get("state").asText()).isEqualTo("dead");
        assertThat(dead.get("attempt").asInt()).isEqualTo(2);
        assertThat(dead.get("error").asText()).contains("planned failure");
        TestHttp.Response retried = call("POST", "/jobs/api-dead/retry", null);
        assertThat(retried.status()).isEqualTo(200);
        assertThat(json(retried).get("state").asText()).isEqualTo("queued");
        await().atMost(T).until(() -> json(call("GET", "/jobs/api-dead", null)).get("state").asText().equals("dead"));
        call("POST", "/jobs", "{\"id\": \"api-fine\", \"kind\": \"echo\"}");
        call("GET", "/jobs/api-fine?wait=5s", null);
        assertProblem(call("POST", "/jobs/api-fine/retry", null), 409, "only a dead job");
        assertProblem(call("POST", "/jobs/none/retry", null), 404, "no job none");
    }

    @Test
    void listingFiltersByStateAndKindAndPages() throws Exception {
        for (int i = 0; i < 5; i++) {
            call("POST", "/jobs", "{\"id\": \"list-" + i + "\", \"kind\": \"cpu\", \"payload\": {\"cpu_ms\": 1}}");
        }
        await().atMost(T).until(() -> json(call("GET", "/jobs?kind=cpu&state=succeeded", null)).get("jobs").size() == 5);
        JsonNode page1 = json(call("GET", "/jobs?kind=cpu&limit=2", null));
        assertThat(page1.get("jobs")).hasSize(2);
        assertThat(page1.get("jobs").get(0).get("id").asText()).isEqualTo("list-0");
        String next = page1.get("next").asText();
        JsonNode page2 = json(call("GET", "/jobs?kind=cpu&limit=2&after=" + next, null));
        assertThat(page2.get("jobs").get(0).get("id").asText()).isEqualTo("list-2");
        JsonNode page3 = json(call("GET", "/jobs?kind=cpu&limit=2&after=" + page2.get("next").asText(), null));
        assertThat(page3.get("jobs")).hasSize(1);
        assertThat(page3.get("next").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0} -> 400 \"{1}\"")
    @CsvSource(delimiter = '|', value = {
            "{\"kind\": \"teleport\"}                         | unknown job kind 'teleport'",
            "{\"payload\": {}}                               | kind is required",
            "{\"kind\": 7}                                   | kind must be a string",
            "{\"kind\": \"echo\", \"kind\": \"fail\"}        | the field 'kind' is given twice",
            "{\"kind\": \"echo\"} trailing                   | not valid JSON (line 1",
            "{\"kind\": \"echo\"}{\"kind\": \"echo\"}        | more after its JSON value",
            "{\"kind\": \"echo\", \"delay\": 9e18}          | not a number with a fraction or an exponent",
            "{\"kind\": \"echo\", \"delay\": 99999999999999999999999} | delay is at most 366 days",
            "{\"kind\": \"echo\", \"delay\": -99999999999999999999999} | delay must not be negative",
            "{\"kind\": \"echo\", \"priority\": 99999999999999999999999} | priority must be an integer from -1000 to 1000 (smaller runs first)",
            "{\"kind\": \"echo\", \"priority\": 2.0}     | not a number with a fraction or an exponent",
            "{\"kind\": \"echo\", \"delay\": 9000000000000000000} | delay is at most",
            "{\"kind\": \"echo\", \"run_at\": \"+999999999-01-01T00:00:00Z\"} | run_at is more than",
            "{\"kind\": \"echo\", \"id\": \"a\\u0007b\"}    | must not contain control characters",
            "not json                                        | not valid JSON",
            "[1]                                             | must be a JSON object",
            "{\"kind\": \"echo\", \"max_attempts\": 0}       | max_attempts must be an integer from 1 to 1000",
            "{\"kind\": \"echo\", \"max_attempts\": \"3\"}   | max_attempts must be an integer",
            "{\"kind\": \"echo\", \"id\": [1]}               | id must be a string or an integer",
            "{\"kind\": \"echo\", \"id\": \"a/b\"}           | must not contain '/'",
            "{\"kind\": \"echo\", \"run_at\": \"tomorrow\"}  | ISO-8601",
            "{\"kind\": \"echo\", \"delay\": \"soon\"}       | delay must be a duration",
            "{\"kind\": \"echo\", \"delay\": \"1s\", \"run_at\": \"2030-01-01T00:00:00Z\"} | not both",
            "{\"kind\": \"echo\", \"color\": \"red\"}        | unknown field 'color'",
            "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": -1}}   | payload: sleep_ms must be an integer number of milliseconds",
            "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": \"x\"}}  | payload: sleep_ms must be",
            "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 1.5}}  | payload: sleep_ms must be",
            "{\"kind\": \"sleep\", \"payload\": \"nap\"}             | payload: a sleep job's payload is a JSON object, got string",
            "{\"kind\": \"cpu\", \"payload\": {\"cpu_ms\": 99999999999}} | payload: cpu_ms must be",
            "{\"kind\": \"fail\", \"payload\": {\"fail_attempts\": \"a\"}} | payload: fail_attempts must be a non-negative integer",
    })
    void badSubmissionsAreRefusedWithAProblem(String body, String detail) {
        assertProblem(call("POST", "/jobs", body), 400, detail);
    }

    @Test
    void aPayloadNestedDeeperThanTheParserTakesIsSaidSoNotCalledInvalid() {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        assertProblem(call("POST", "/jobs", "{\"kind\": \"echo\", \"payload\": " + deep + "}"), 400,
                "nests its JSON deeper than 1000 levels");
    }

    @Test
    void aRefusedPayloadKeepsNothingAndAGoodOneOfTheSameKindIsTaken() throws Exception {
        assertProblem(call("POST", "/jobs", "{\"id\": \"nap-1\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": -5}}"), 400, "sleep_ms");
        assertThat(call("GET", "/jobs/nap-1", null).status()).isEqualTo(404);
        assertThat(call("POST", "/jobs", "{\"id\": \"nap-1\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 5}}").status()).isEqualTo(202);
        assertThat(call("POST", "/jobs", "{\"id\": \"echo-any\", \"kind\": \"echo\", \"payload\": \"any JSON\"}").status()).isEqualTo(202);
    }

    @Test
    void aSubmissionThatIsNotJsonIs415AndAnOversizeOneIs413() {
        String raw = "POST /jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
        assertProblem(TestHttp.raw(server.port(), raw.getBytes(StandardCharsets.US_ASCII), T), 415, "application/json");
        String big = "{\"kind\": \"echo\", \"payload\": \"" + "x".repeat(5000) + "\"}";
        assertProblem(call("POST", "/jobs", big), 413, "limit is 2048 bytes");
    }

    @Test
    void badQueriesAndMethodsAreRefused() {
        assertProblem(call("GET", "/jobs?state=sleeping", null), 400, "unknown state 'sleeping'");
        assertProblem(call("GET", "/jobs?limit=0", null), 400, "limit must be");
        assertProblem(call("GET", "/jobs?limit=lots", null), 400, "limit must be");
        // a misspelled or repeated filter is refused, not read as "every job" or as one of its values
        assertProblem(call("GET", "/jobs?stat=dead", null), 400, "unknown query parameter 'stat'; the parameters are state, kind,");
        assertProblem(call("GET", "/jobs?state=queued&state=dead", null), 400, "state is given twice");
        assertProblem(call("GET", "/jobs/x?wiat=10s", null), 400, "unknown query parameter 'wiat'; the parameters are wait");
        assertProblem(call("GET", "/jobs/x?wait=1s&wait=2s", null), 400, "wait is given twice");
        assertThat(call("GET", "/jobs?state=&kind=&queue=&id_prefix=&payload_contains=&after=", null).status()).isEqualTo(200);
        assertProblem(call("GET", "/jobs/x?wait=forever", null), 400, "wait:");
        assertProblem(call("GET", "/jobs/x?wait=5m", null), 400, "wait is at most 1m");
        assertProblem(call("GET", "/jobs/none", null), 404, "no job none");
        assertProblem(call("PUT", "/jobs", "{}"), 405, "GET, POST");
        assertProblem(call("PUT", "/jobs/x", "{}"), 405, "GET, DELETE");
        assertProblem(call("GET", "/jobs/x/retry", null), 405, "POST");
        assertProblem(call("GET", "/jobs/x/y/z", null), 404, "no route");
        assertThat(call("GET", "/healthz", null).status()).isEqualTo(200);
    }
}
