package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import ch.qos.logback.classic.Level;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.CapturedLog;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The log lines the article shows: Tornado's access line, the job lines, Vert.x's blocked-loop warning. */
class LogLinesTest {
    private CapturedLog log;

    @BeforeEach
    void capture() {
        log = CapturedLog.of(Level.INFO, "squall.access", "squall.jobs", "io.vertx.core.impl.BlockedThreadChecker");
    }

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void writesOneTornadoStyleAccessLinePerRequest() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.HELLO).accessLog(true).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 5}", Duration.ofSeconds(5));
            TestHttp.get(server.port(), "{\"job_id\": [5]}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream().filter(l -> l.contains(" GET / ")).count() == 2);
            assertThat(log.lines()).anyMatch(l -> l.matches("200 GET / \\(127\\.0\\.0\\.1\\) \\d+\\.\\d{2}ms"));
            assertThat(log.lines()).anyMatch(l -> l.matches("400 GET / \\(127\\.0\\.0\\.1\\) \\d+\\.\\d{2}ms"));
            assertThat(log.lines()).contains("do job:5");
        }
    }

    @Test
    void writesNoAccessLineWhenTurnedOff() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.HELLO).accessLog(false).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 5}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().contains("do job:5"));
            assertThat(log.lines()).noneMatch(l -> l.contains(" GET / "));
        }
    }

    @Test
    void theQueueStageWritesTheArticlesJobLines() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 12}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> log.lines().contains("Collected job: 12"));
            assertThat(log.lines()).contains("job add:12", "scheduling 12");
        }
    }

    @Test
    void theBlockingStageMakesVertxWarnAboutTheBlockedLoop() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.BLOCKING).sleep(Duration.ofMillis(600)).build())) {
            TestHttp.get(server.port(), "{\"job_id\": 1}", Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream()
                    .anyMatch(l -> l.contains("vert.x-eventloop-thread") && l.contains("has been blocked")));
        }
    }
}
