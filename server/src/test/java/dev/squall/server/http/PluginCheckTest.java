package dev.squall.server.http;

import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A plugin's payload check: code we do not know, so never on the event loop, and a crash of it never hangs a request. */
class PluginCheckTest {
    @TempDir
    Path dir;

    private Path pluginJar() throws Exception {
        Path src = dir.resolve("src/demo/Picky.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
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
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
                src.toString())).isZero();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("picky.jar")))) {
            jar.putNextEntry(new JarEntry("demo/Picky.class"));
            Files.copy(classes.resolve("demo/Picky.class"), (OutputStream) jar);
            jar.putNextEntry(new JarEntry("META-INF/services/dev.squall.core.JobHandler"));
            jar.write("demo.Picky\n".getBytes(StandardCharsets.UTF_8));
        }
        return plugins;
    }

    @Test
    void aPluginCheckRunsOffTheEventLoopAndItsCrashIsA500NotAHang() throws Exception {
        Path plugins = pluginJar();
        try (SquallServer server = SquallServer.start(Servers.config(Stage.QUEUE).plugins(plugins).build())) {
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
