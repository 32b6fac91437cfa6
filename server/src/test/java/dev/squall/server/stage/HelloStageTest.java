package dev.squall.server.stage;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HelloStageTest {

    @Test
    void answersJobDoneAtOnceForNumericAndStringIds() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.HELLO).build())) {
            TestHttp.Response r = TestHttp.get(server.port(), "{\"job_id\": 7}", Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("7 done");
            assertThat(r.header("content-type")).startsWith("text/plain");
            assertThat(r.header("x-squall-pid")).isEqualTo(Long.toString(ProcessHandle.current().pid()));

            TestHttp.Response post = TestHttp.send(server.port(), "POST", "/", "{\"job_id\": \"abc\", \"extra\": [1, {\"x\": 2}]}", Duration.ofSeconds(5));
            assertThat(post.body()).isEqualTo("abc done");
        }
    }

    @Test
    void healthzAnswersOkWithTheStage() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.HELLO).build())) {
            TestHttp.Response r = TestHttp.send(server.port(), "GET", "/healthz", null, Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"status\":\"ok\"", "\"stage\":\"hello\"");
        }
    }
}
