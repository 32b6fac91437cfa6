package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.Yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAPI document served at {@code /openapi.yaml} against the real server: it loads as
 * OpenAPI 3.1 ({@code vertx-openapi}), it names every route, and every answer the server gives
 * to a tour of the API (successes and refusals) is declared for its operation and, where the body
 * is JSON, matches its schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {
    private static final Duration T = Duration.ofSeconds(10);
    /** Media types the validator checks bodies of; the others (text, SSE, YAML, HTML) are checked by status only. */
    private static final Set<String> JSON = Set.of("application/json", "application/problem+json");
    private SquallServer server;
    private Vertx vertx;
    private OpenAPIContract contract;
    private ResponseValidator validator;
    private final List<String> checked = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        server = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).retryBackoff(Duration.ZERO).build());
        vertx = Vertx.vertx();
        TestHttp.Response doc = TestHttp.send(server.port(), "GET", "/openapi.yaml", null, T);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.header("content-type")).startsWith("application/yaml");
        Map<String, Object> yaml = new Yaml().load(doc.body());
        contract = OpenAPIContract.from(vertx, new JsonObject(jsonOnly(yaml))).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        validator = ResponseValidator.create(vertx, contract);
    }

    /**
     * The document with only the JSON media types of each response, which is what the validator
     * checks bodies against (it does not take text/event-stream, YAML or HTML); statuses stay.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonOnly(Map<String, Object> doc) {
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        for (Object p : paths.values()) {
            for (Object op : ((Map<String, Object>) p).values()) {
                if (!(op instanceof Map<?, ?> m) || !m.containsKey("responses")) {
                    continue;
                }
                ((Map<String, Object>) m.get("responses")).values().forEach(r -> keepJson((Map<String, Object>) r));
            }
        }
        ((Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("responses")).values()
                .forEach(r -> keepJson((Map<String, Object>) r));
        return doc;
    }

    /**
     * Keeps a response's JSON content only; the validator takes {@code application/problem+json}
     * under the name {@code application/json} (the same schema, checked the same way).
     */
    @SuppressWarnings("unchecked")
    private static void keepJson(Map<String, Object> res) {
        if (res.get("content") instanceof Map<?, ?> c) {
            Map<String, Object> content = (Map<String, Object>) c;
            Object problem = content.remove("application/problem+json");
            content.keySet().removeIf(type -> !JSON.contains(type));
            if (problem != null) {
                content.put("application/json", problem);
            }
            if (content.isEmpty()) {
                res.remove("content");
            }
        }
    }

    @AfterAll
    void stop() {
        server.close();
        vertx.close();
    }

    /** Sends a request and checks the answer against operation {@code operationId}. */
    private TestHttp.Response check(String operationId, String method, String path, String body) throws Exception {
        TestHttp.Response r = TestHttp.send(server.port(), method, path, body, T);
        Operation op = contract.operation(operationId);
        assertThat(op).as("operation %s", operationId).isNotNull();
        assertThat(op.getResponse(r.status())).as("%s %s answered %d, which %s does not declare: %s", method, path, r.status(),
                operationId, r.body()).isNotNull();
        String type = r.header("content-type");
        String bare = type == null ? null : type.split(";")[0].strip();
        if (bare != null && JSON.contains(bare)) {
            validator.validate(ValidatableResponse.create(r.status(), Map.of(), Buffer.buffer(r.body()), "application/json"), operationId)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        checked.add(operationId + " " + r.status());
        return r;
    }

    @Test
    void everyRouteIsInTheDocument() {
        Object[][] routes = {
                {"/", HttpMethod.GET}, {"/", HttpMethod.POST}, {"/jobs", HttpMethod.POST}, {"/jobs", HttpMethod.GET},
                {"/jobs/x", HttpMethod.GET}, {"/jobs/x", HttpMethod.DELETE}, {"/jobs/x/retry", HttpMethod.POST},
                {"/jobs/x/attempts", HttpMethod.GET}, {"/jobs/retry", HttpMethod.POST}, {"/jobs/cancel", HttpMethod.POST},
                {"/healthz", HttpMethod.GET}, {"/metrics", HttpMethod.GET}, {"/stats", HttpMethod.GET}, {"/events", HttpMethod.GET},
                {"/openapi.yaml", HttpMethod.GET}, {"/docs", HttpMethod.GET}, {"/ui", HttpMethod.GET},
        };
        for (Object[] r : routes) {
            assertThat(contract.findOperation((String) r[0], (HttpMethod) r[1])).as("%s %s", r[1], r[0]).isNotNull();
        }
    }

    @Test
    void everyAnswerOfATourOfTheApiIsDeclaredAndMatchesItsSchema() throws Exception {
        check("submitJob", "POST", "/jobs", "{\"id\":\"doc-1\",\"kind\":\"echo\",\"payload\":{\"a\":1}}");
        check("submitJob", "POST", "/jobs", "{\"id\":\"doc-1\",\"kind\":\"echo\",\"payload\":{\"a\":1}}");
        check("submitJob", "POST", "/jobs", "{\"id\":\"doc-1\",\"kind\":\"sleep\"}");
        check("submitJob", "POST", "/jobs", "{\"kind\":\"nope\"}");
        check("submitJob", "POST", "/jobs", "[1]");
        check("submitJob", "POST", "/jobs", "{\"id\":\"doc-dead\",\"kind\":\"fail\",\"max_attempts\":1}");
        check("submitJob", "POST", "/jobs", "{\"id\":\"doc-later\",\"kind\":\"echo\",\"delay\":\"1h\"}");
        await().atMost(T).until(() -> TestHttp.send(server.port(), "GET", "/jobs/doc-dead", null, T).body().contains("\"dead\""));
        check("getJob", "GET", "/jobs/doc-1?wait=5s", null);
        check("getJob", "GET", "/jobs/nobody", null);
        check("getJob", "GET", "/jobs/doc-1?wait=forever", null);
        check("listJobs", "GET", "/jobs?limit=2", null);
        check("listJobs", "GET", "/jobs?state=dead&queue=default&id_prefix=doc-&payload_contains=%7B", null);
        check("listJobs", "GET", "/jobs?state=sleepy", null);
        check("jobAttempts", "GET", "/jobs/doc-dead/attempts", null);
        check("jobAttempts", "GET", "/jobs/doc-1/attempts", null);
        check("jobAttempts", "GET", "/jobs/nobody/attempts", null);
        check("retryJob", "POST", "/jobs/doc-1/retry", null);
        check("retryJob", "POST", "/jobs/nobody/retry", null);
        check("cancelJob", "DELETE", "/jobs/doc-later", null);
        check("cancelJob", "DELETE", "/jobs/doc-later", null);
        check("retryJobs", "POST", "/jobs/retry", "{\"filter\":{\"state\":\"dead\"}}");
        check("retryJobs", "POST", "/jobs/retry", "{}");
        check("cancelJobs", "POST", "/jobs/cancel", "{\"ids\":[\"doc-1\",\"nobody\"]}");
        check("retryJob", "POST", "/jobs/doc-dead/retry", null);
        check("health", "GET", "/healthz", null);
        check("stats", "GET", "/stats", null);
        check("stats", "GET", "/stats?history=1", null);
        check("metrics", "GET", "/metrics", null);
        check("openapi", "GET", "/openapi.yaml", null);
        check("docs", "GET", "/docs", null);
        check("dashboard", "GET", "/ui", null);
        check("events", "GET", "/events?state=sleepy", null);
        check("seedGet", "GET", "/", "{\"job_id\": 77}");
        check("seedPost", "POST", "/", "{\"job_id\": 77}");
        check("seedPost", "POST", "/", "{\"job_id\": 77, \"x\": 1}");
        assertThat(checked).contains("submitJob 202", "submitJob 200", "submitJob 409", "submitJob 400", "getJob 404",
                "cancelJob 200", "cancelJob 409", "retryJobs 200", "retryJobs 400", "jobAttempts 200", "seedPost 409");
    }
}
