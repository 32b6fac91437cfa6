package dev.squall.server.metrics;

import dev.squall.server.boot.SquallServers;
import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /metrics} as Prometheus scrapes it: the format, the families, and figures that agree with the API. */
class MetricsEndpointTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)$");
    @TempDir
    Path dir;

    private static TestHttp.Response call(SquallServer s, String method, String path, String body) {
        return TestHttp.send(s.port(), method, path, body, Map.of("Content-Type", "application/json"), T);
    }

    /** Every sample by its name and labels as written, e.g. {@code squall_jobs{state="dead"}}. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertThat(out.put(key, Double.parseDouble(m.group(3)))).as("series %s appears once", key).isNull();
        }
        return out;
    }

    private static Map<String, Double> scrape(SquallServer s) {
        TestHttp.Response r = TestHttp.send(s.port(), "GET", "/metrics", null, T);
        assertThat(r.status()).isEqualTo(200);
        return samples(r.body());
    }

    @Test
    void theScrapeIsWellFormedPrometheusTextWithHelpAndTypeForEveryFamily() {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            TestHttp.send(s.port(), "GET", "/metrics", null, T); // so that the second one counts an HTTP answer
            TestHttp.Response r = TestHttp.send(s.port(), "GET", "/metrics", null, T);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            samples(r.body()); // every line parses, no series twice
            Set<String> help = new HashSet<>();
            Set<String> type = new HashSet<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("# HELP ")) {
                    String[] p = line.split(" ", 4);
                    assertThat(p).as("HELP with text: %s", line).hasSize(4);
                    help.add(p[2]);
                } else if (line.startsWith("# TYPE ")) {
                    type.add(line.split(" ")[2]);
                }
            }
            assertThat(help).isEqualTo(type);
            assertThat(type).contains("squall_jobs", "squall_jobs_submitted_total", "squall_jobs_rejected_total", "squall_job_attempts_total",
                    "squall_job_wait_seconds", "squall_job_run_seconds", "squall_queue_oldest_age_seconds", "squall_workers",
                    "squall_workers_busy", "squall_http_requests_total",
                    "squall_build_info", "jvm_memory_used_bytes", "process_cpu_seconds_total");
            // The memory store commits nothing: no writer, so no commit series (SQLite's: aDurableStoreReportsItsCommits).
            assertThat(type).doesNotContain("squall_store_commit_seconds", "squall_store_commit_jobs");
            assertThat(r.body()).contains("# TYPE squall_jobs gauge", "# TYPE squall_jobs_submitted_total counter",
                    "# TYPE squall_job_wait_seconds histogram", "# TYPE squall_workers_busy gauge");
            Map<String, Double> m = samples(r.body());
            for (String state : List.of("queued", "running", "succeeded", "failed", "dead", "cancelled")) {
                assertThat(m).as("state %s shows from the start", state).containsKey("squall_jobs{state=\"" + state + "\"}");
            }
            assertThat(m.get("squall_build_info{stage=\"queue\",store=\"memory\",version=\"" + m.keySet().stream()
                    .filter(k -> k.startsWith("squall_build_info")).findFirst().orElseThrow().replaceAll(".*version=\"([^\"]*)\".*", "$1")
                    + "\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_workers{queue=\"*\"}")).isEqualTo(20.0);

            TestHttp.Response open = TestHttp.send(s.port(), "GET", "/metrics", null,
                    Map.of("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8"), T);
            assertThat(open.header("content-type")).startsWith("application/openmetrics-text");
            assertThat(open.body()).endsWith("# EOF\n");
        }
    }

    @Test
    void countsAgreeWithWhatTheApiSaysAndNoJobIdIsALabel() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).retryBackoff(Duration.ZERO).build())) {
            for (int i = 0; i < 20; i++) {
                assertThat(call(s, "POST", "/jobs", "{\"id\":\"metric-job-" + i + "\",\"kind\":\"echo\",\"queue\":\"mail\"}").status())
                        .isEqualTo(202);
            }
            assertThat(call(s, "POST", "/jobs", "{\"id\":\"doomed-job\",\"kind\":\"fail\",\"max_attempts\":2,\"payload\":{\"fail_attempts\":5,\"sleep_ms\":0}}").status()).isEqualTo(202);
            assertThat(call(s, "POST", "/jobs", "{\"kind\":\"no-such-kind\"}").status()).isEqualTo(400);
            assertThat(call(s, "POST", "/jobs", "{\"id\":\"metric-job-0\",\"kind\":\"sleep\"}").status()).isEqualTo(409);
            await().atMost(T).until(() -> call(s, "GET", "/jobs/doomed-job", null).body().contains("\"dead\""));
            await().atMost(T).until(() -> scrape(s).getOrDefault("squall_jobs{state=\"succeeded\"}", 0.0) == 20.0);

            Map<String, Double> m = scrape(s);
            assertThat(m.get("squall_jobs_submitted_total{kind=\"echo\",queue=\"mail\"}")).isEqualTo(20.0);
            assertThat(m.get("squall_jobs_submitted_total{kind=\"fail\",queue=\"default\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_job_attempts_total{kind=\"echo\",outcome=\"succeeded\",queue=\"mail\"}")).isEqualTo(20.0);
            assertThat(m.get("squall_job_attempts_total{kind=\"fail\",outcome=\"failed\",queue=\"default\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_job_attempts_total{kind=\"fail\",outcome=\"dead\",queue=\"default\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_job_run_seconds_count{kind=\"echo\",queue=\"mail\"}")).isEqualTo(20.0);
            assertThat(m.get("squall_job_run_seconds_bucket{kind=\"echo\",queue=\"mail\",le=\"+Inf\"}")).isEqualTo(20.0);
            assertThat(m.get("squall_job_wait_seconds_count{queue=\"mail\"}")).isEqualTo(20.0);
            assertThat(m.get("squall_jobs_rejected_total{reason=\"invalid\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_jobs_rejected_total{reason=\"conflict\"}")).isEqualTo(1.0);
            assertThat(m.get("squall_http_requests_total{code=\"202\",method=\"POST\",route=\"/jobs\"}")).isEqualTo(21.0);
            for (String state : List.of("succeeded", "dead", "queued", "cancelled")) {
                JsonNode page = Json.MAPPER.readTree(call(s, "GET", "/jobs?state=" + state + "&limit=1000", null).body());
                assertThat(m.get("squall_jobs{state=\"" + state + "\"}")).as(state).isEqualTo((double) page.get("jobs").size());
            }
            String text = TestHttp.send(s.port(), "GET", "/metrics", null, T).body();
            assertThat(text).doesNotContain("metric-job-").doesNotContain("doomed-job");
        }
    }

    @Test
    void queuesPastTheFirstFiftyAreCountedAsOther() {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            for (int i = 0; i < 60; i++) {
                assertThat(call(s, "POST", "/jobs", "{\"kind\":\"echo\",\"queue\":\"q" + i + "\"}").status()).isEqualTo(202);
            }
            Map<String, Double> m = scrape(s);
            long queueValues = m.keySet().stream().filter(k -> k.startsWith("squall_jobs_submitted_total{"))
                    .map(k -> k.replaceAll(".*queue=\"([^\"]*)\".*", "$1")).distinct().count();
            assertThat(queueValues).isLessThanOrEqualTo(SquallMetrics.MAX_LABEL_VALUES + 1);
            assertThat(m.get("squall_jobs_submitted_total{kind=\"echo\",queue=\"other\"}")).isGreaterThanOrEqualTo(10.0);
            assertThat(m.entrySet().stream().filter(e -> e.getKey().startsWith("squall_jobs_submitted_total{"))
                    .mapToDouble(Map.Entry::getValue).sum()).isEqualTo(60.0);
        }
    }

    @Test
    void aDurableStoreReportsItsCommits() {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).store("sqlite:" + dir.resolve("m.db")).build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(call(s, "POST", "/jobs", "{\"kind\":\"echo\"}").status()).isEqualTo(202);
            }
            Map<String, Double> m = scrape(s);
            assertThat(m.get("squall_store_commit_seconds_count{writer=\"all\"}")).isGreaterThanOrEqualTo(1.0);
            assertThat(m.get("squall_store_commit_jobs_sum{writer=\"all\"}")).isGreaterThanOrEqualTo(5.0);
            assertThat(m.get("squall_build_info{stage=\"queue\",store=\"sqlite\",version=\"" + VersionOf.server() + "\"}")).isEqualTo(1.0);
        }
    }

    @Test
    void withTokensTheScrapeNeedsTheReadScopeAndWithMetricsOffThereIsNone() throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, "reader-token-0123456789abc read\nsubmitter-token-0123456789 submit\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).tokenFile(f).build())) {
            assertThat(TestHttp.send(s.port(), "GET", "/metrics", null, T).status()).isEqualTo(401);
            assertThat(TestHttp.send(s.port(), "GET", "/metrics", null,
                    Map.of("Authorization", "Bearer submitter-token-0123456789"), T).status()).isEqualTo(403);
            TestHttp.Response ok = TestHttp.send(s.port(), "GET", "/metrics", null,
                    Map.of("Authorization", "Bearer reader-token-0123456789abc"), T);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(samples(ok.body())).containsKey("squall_jobs_rejected_total{reason=\"unauthorized\"}");
        }
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).metrics(false).build())) {
            assertThat(TestHttp.send(s.port(), "GET", "/metrics", null, T).status()).isEqualTo(404);
        }
    }

    /** The server's version as the build wrote it. */
    static final class VersionOf {
        static String server() throws RuntimeException {
            try (var in = SquallMetrics.class.getResourceAsStream("/dev/squall/server/version.properties")) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                return p.getProperty("version");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
