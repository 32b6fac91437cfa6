package dev.squall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.bench.report.HtmlReport;
import dev.squall.bench.report.JsonReport;
import dev.squall.bench.report.TextReport;
import dev.squall.core.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The report formats: the text's first line, the JSON shape documented in docs/bench.md, a self-contained HTML page. */
class ReportsTest {
    private static BenchReport report;

    @BeforeAll
    static void measure() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> r.index() % 4 == 0 ? ScriptedServer.status(500) : new ScriptedServer.Answer(200, 2))) {
            report = LoadGenerator.start(BenchConfig.builder().url(server.url("/")).requests(0).duration(Duration.ofMillis(2200))
                    .concurrency(4).build()).await();
        }
    }

    @Test
    void textStartsWithTheArticlesSuccessLine() {
        String text = TextReport.render(report);
        assertThat(text.lines().findFirst().orElseThrow()).matches("\\d+\\.\\d+% request success!");
        assertThat(text).contains("outcomes   ok ", "| 500 ", "| timeout 0", "| connection refused 0", "| reset 0", "| other 0",
                "latency ok ", "latency all", "p99.9");
    }

    @Test
    void jsonHasTheDocumentedShape() {
        JsonNode j = JsonReport.toJson(report);
        assertThat(j.get("report").asText()).isEqualTo("squall-bench");
        assertThat(j.get("version").asInt()).isEqualTo(1);
        JsonNode s = j.get("settings");
        for (String f : List.of("url", "method", "body", "mode")) {
            assertThat(s.get(f).isTextual()).as(f).isTrue();
        }
        for (String f : List.of("requests", "concurrency", "rate", "timeout_s", "warmup_s", "threads")) {
            assertThat(s.get(f).isNumber()).as(f).isTrue();
        }
        assertThat(s.get("headers").isArray()).isTrue();
        assertThat(s.get("keep_alive").isBoolean()).isTrue();
        assertThat(s.get("duration_s").asDouble()).isEqualTo(2.2);
        for (String f : List.of("elapsed_s", "sent", "late", "completed", "success_percent", "throughput_rps", "client_busy")) {
            assertThat(j.get(f).isNumber()).as(f).isTrue();
        }
        assertThat(j.get("started").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        for (String f : List.of("ok", "status", "timeout", "refused", "reset", "other")) {
            assertThat(j.get("outcomes").get(f).isIntegralNumber()).as(f).isTrue();
        }
        assertThat(j.get("statuses").get("500").asLong()).isEqualTo(report.statuses().get(500));
        for (String which : List.of("ok", "all")) {
            for (String f : List.of("count", "mean", "p50", "p90", "p99", "p99_9", "max")) {
                assertThat(j.get("latency_ms").get(which).get(f).isNumber()).as(which + "." + f).isTrue();
            }
        }
        assertThat(j.get("timeline").size()).isBetween(2, 4);
        for (JsonNode t : j.get("timeline")) {
            for (String f : List.of("second", "sent", "ok", "failed", "p50_ms", "p99_ms", "max_ms")) {
                assertThat(t.get(f).isNumber()).as("timeline." + f).isTrue();
            }
        }
        long perSecondAnswers = 0;
        for (JsonNode t : j.get("timeline")) {
            perSecondAnswers += t.get("ok").asLong() + t.get("failed").asLong();
        }
        assertThat(perSecondAnswers).isEqualTo(j.get("completed").asLong());
        assertThat(j.get("warnings").isArray()).isTrue();
        assertThat(j.get("success_percent").asDouble()).isBetween(70.0, 80.0);
    }

    @Test
    void htmlIsOneSelfContainedPageWithCharts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.html");
        HtmlReport.write(report, file);
        String html = Files.readString(file);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("% request success!");
        assertThat(html.split("<svg", -1)).hasSize(4);
        assertThat(html).doesNotContain("<script", "<link", "src=", "href=", "url(", "@import");
        assertThat(Json.MAPPER.readTree(Json.quote(html)).asText()).isEqualTo(html); // plain text, no binary
    }
}
