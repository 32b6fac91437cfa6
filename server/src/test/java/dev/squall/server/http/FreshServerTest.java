package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A fresh server driven by the README's examples, on its default store: no blocked event loop on the way. */
class FreshServerTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExamplesOnAFreshServerBlockNoEventLoop() {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).store("sqlite:" + dir.resolve("squall.db")).build())) {
            Duration t = Duration.ofSeconds(10);
            int p = server.port();
            assertThat(TestHttp.get(p, "{\"job_id\": 1}", t).body()).isEqualTo("1 add");
            assertThat(TestHttp.send(p, "POST", "/jobs", "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 200}}", t).status())
                    .isEqualTo(202);
            assertThat(TestHttp.send(p, "GET", "/jobs/1?wait=5s", null, t).status()).isEqualTo(200);
            assertThat(TestHttp.send(p, "GET", "/healthz", null, t).status()).isEqualTo(200);
            assertThat(TestHttp.send(p, "GET", "/jobs?state=succeeded", null, t).status()).isEqualTo(200);
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains("has been blocked"))
                .noneMatch(m -> m.toLowerCase(java.util.Locale.ROOT).contains("blocked for"));
    }
}
