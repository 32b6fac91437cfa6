package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.core.testing.PluginJars;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A plugin's payload check: code we do not know, so never on the event loop, and a crash of it never hangs a request. */
class PluginCheckTest {
    @TempDir
    Path dir;

    private Path pluginJar() throws Exception {
        return PluginJars.build(dir, "demo.Picky", """
                package demo;
                public final class Picky implements dev.squall.core.JobHandler {
                    public String kind() { return "picky"; }
                    public String run(dev.squall.core.JobContext c) { return "{}"; }
                    public void checkPayload(com.fasterxml.jackson.databind.JsonNode p) {
                        System.setProperty("picky.thread", Thread.currentThread().getName());
                        if (p.has("bad")) { throw new IllegalArgumentException("bad is not allowed"); }
                        if (p.has("crash")) { throw new AssertionError("plugin bug in demo.Picky"); }
                    }
                }
                """);
    }

    @Test
    void aPluginCheckRunsOffTheEventLoopAndItsCrashIsA500NotAHang() throws Exception {
        Path plugins = pluginJar();
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).plugins(plugins).build())) {
            Duration t = Duration.ofSeconds(10);
            TestHttp.Response ok = TestHttp.send(server.port(), "POST", "/jobs", "{\"kind\": \"picky\", \"payload\": {}}", t);
            assertThat(ok.status()).isEqualTo(202);
            assertThat(System.getProperty("picky.thread")).isNotNull().doesNotContain("eventloop");

            TestHttp.Response bad = TestHttp.send(server.port(), "POST", "/jobs", "{\"kind\": \"picky\", \"payload\": {\"bad\": 1}}", t);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("payload: bad is not allowed");

            TestHttp.Response crash = TestHttp.send(server.port(), "POST", "/jobs",
                    "{\"id\": \"c1\", \"kind\": \"picky\", \"payload\": {\"crash\": 1}}", t);
            assertThat(crash.timedOut()).isFalse();
            assertThat(crash.status()).isEqualTo(500);
            assertThat(crash.body()).contains("nothing was accepted").doesNotContain("AssertionError").doesNotContain("demo.Picky");
            assertThat(TestHttp.send(server.port(), "GET", "/jobs/c1", null, t).status()).isEqualTo(404);
        }
    }
}
