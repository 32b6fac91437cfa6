package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Who can reach what: tokens and scopes on every route, refusing to listen openly, TLS, trickling clients. */
class ExposureTest {
    private static final String ALL = "all-scopes-token-0123456789";
    private static final String SUBMIT = "submit-only-token-012345678";
    private static final String READ = "read-only-token-0123456789";
    private static final String ADMIN = "admin-only-token-0123456789";
    private static final Duration T = Duration.ofSeconds(10);
    @TempDir
    Path dir;

    private Path tokens(String text) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static TestHttp.Response call(int port, String method, String path, String body, String token) {
        return TestHttp.send(port, method, path, body, token == null ? Map.of() : bearer(token), T);
    }

    @Test
    void everyRouteNeedsItsScopeAndHealthzStaysOpen() throws Exception {
        Path f = tokens(ALL + "\n" + SUBMIT + " submit\n" + READ + " read\n" + ADMIN + " admin\n");
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).tokenFile(f).build())) {
            int p = server.port();
            String job = "{\"id\": \"j1\", \"kind\": \"echo\", \"payload\": {\"secret\": \"payload\"}}";
            // route, method, body, the one scope that may
            record Route(String method, String path, String body, String scope) {
            }
            List<Route> routes = List.of(
                    new Route("POST", "/jobs", job, SUBMIT),
                    new Route("GET", "/", "{\"job_id\": 7}", SUBMIT),
                    new Route("POST", "/", "{\"job_id\": 8}", SUBMIT),
                    new Route("GET", "/jobs/j1", null, READ),
                    new Route("GET", "/jobs", null, READ),
                    new Route("DELETE", "/jobs/j1", null, ADMIN),
                    new Route("POST", "/jobs/j1/retry", null, ADMIN));
            for (Route r : routes) {
                TestHttp.Response none = call(p, r.method(), r.path(), r.body(), null);
                assertThat(none.status()).as("%s %s without a token", r.method(), r.path()).isEqualTo(401);
                assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
                assertThat(none.header("Content-Type")).isEqualTo("application/problem+json");
                TestHttp.Response wrong = call(p, r.method(), r.path(), r.body(), "wrong-token-wrong-token-wrong");
                assertThat(wrong.status()).as("%s %s with a wrong token", r.method(), r.path()).isEqualTo(401);
                assertThat(wrong.body()).doesNotContain("wrong-token");
                for (String t : List.of(SUBMIT, READ, ADMIN)) {
                    TestHttp.Response res = call(p, r.method(), r.path(), r.body(), t);
                    if (t.equals(r.scope())) {
                        assertThat(res.status()).as("%s %s with its scope", r.method(), r.path()).isNotIn(401, 403);
                    } else {
                        assertThat(res.status()).as("%s %s with another scope", r.method(), r.path()).isEqualTo(403);
                        assertThat(res.header("WWW-Authenticate")).contains("insufficient_scope");
                    }
                }
                assertThat(call(p, r.method(), r.path(), r.body(), ALL).status()).isNotIn(401, 403);
            }
            TestHttp.Response health = call(p, "GET", "/healthz", null, null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).doesNotContain(ALL).doesNotContain("payload");
        }
    }

    @Test
    void aReloadTakesNewTokensAndABrokenFileKeepsTheOldOnes() throws Exception {
        Path f = tokens(READ + " read\n");
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).tokenFile(f).build())) {
            int p = server.port();
            assertThat(call(p, "GET", "/jobs", null, READ).status()).isEqualTo(200);
            Files.writeString(f, ALL + " read\n");
            assertThat(server.reloadTokens()).isTrue();
            assertThat(call(p, "GET", "/jobs", null, READ).status()).isEqualTo(401);
            assertThat(call(p, "GET", "/jobs", null, ALL).status()).isEqualTo(200);
            Files.writeString(f, "short\n");
            assertThat(server.reloadTokens()).isFalse();
            assertThat(call(p, "GET", "/jobs", null, ALL).status()).isEqualTo(200);
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutTokensIsRefusedUnlessDeliberate() throws Exception {
        assertThatThrownBy(() -> Servers.config(Stage.QUEUE).host("0.0.0.0").build())
                .isInstanceOf(ServerConfig.InvalidConfigException.class).hasMessageContaining("--token-file")
                .hasMessageContaining("--insecure-no-auth");
        assertThat(Servers.config(Stage.QUEUE).host("0.0.0.0").insecureNoAuth(true).build().host()).isEqualTo("0.0.0.0");
        assertThat(Servers.config(Stage.QUEUE).host("0.0.0.0").tokenFile(tokens(ALL)).build().host()).isEqualTo("0.0.0.0");
        assertThat(Servers.config(Stage.QUEUE).host("::1").build().host()).isEqualTo("::1");
        assertThat(Servers.config(Stage.QUEUE).host("localhost").build().host()).isEqualTo("localhost");
    }

    @Test
    void listeningOpenlyOnPurposeSaysSoInOneWarningLine() {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        ch.qos.logback.classic.Logger server = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("squall.server");
        server.addAppender(log);
        try (SquallServer s = SquallServers.start(Servers.config(Stage.HELLO).host("0.0.0.0").insecureNoAuth(true).build())) {
            // only loopback traffic: the server's own health, through 127.0.0.1
            assertThat(TestHttp.send(s.port(), "GET", "/healthz", null, T).status()).isEqualTo(200);
        } finally {
            server.detachAppender(log);
        }
        assertThat(log.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filteredOn(m -> m.contains("--insecure-no-auth")).hasSize(1);
    }

    @Test
    void aTokenFileOthersCanReadStopsTheStartNamingTheFlag() throws Exception {
        Path f = tokens(ALL);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SquallServers.start(Servers.config(Stage.QUEUE).tokenFile(f).build()))
                .isInstanceOf(ServerConfig.InvalidConfigException.class).hasMessageStartingWith("--token-file");
    }

    @Test
    void aPluginFolderOthersCanWriteIsRefusedNamingIt() throws Exception {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> SquallServers.start(Servers.config(Stage.QUEUE).plugins(plugins).build()))
                .hasMessageStartingWith("--plugins").hasMessageContaining(plugins.toString()).hasMessageContaining("written by group or others");
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.writeString(plugins.resolve("evil.jar"), "");
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> SquallServers.start(Servers.config(Stage.QUEUE).plugins(plugins).build()))
                .hasMessageContaining("evil.jar");
    }

    @Test
    void tlsServesHttp2AndHttp11OnOnePort() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        Path f = tokens(ALL);
        ServerConfig cfg = Servers.config(Stage.QUEUE).tokenFile(f)
                .tls(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath())).build();
        Vertx vertx = Vertx.vertx();
        try (SquallServer server = SquallServers.start(cfg)) {
            for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
                var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                        .setUseAlpn(true).setProtocolVersion(version));
                var answer = client.request(HttpMethod.POST, server.port(), "localhost", "/jobs")
                        .compose(req -> req.putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer " + ALL)
                                .send("{\"kind\": \"echo\"}")
                                .compose(res -> res.body().map(b -> res.version() + " " + res.statusCode() + " " + b)))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(answer).startsWith(version + " 202 ").contains("\"kind\":\"echo\"");
                client.close();
            }
            // Plain HTTP on the TLS port gets no answer as if it were served.
            TestHttp.Response plain = TestHttp.send(server.port(), "GET", "/healthz", null, Duration.ofSeconds(3));
            assertThat(plain.status()).isNotEqualTo(200);
        } catch (java.io.UncheckedIOException closed) {
            // the TLS port closed the plain connection: also a refusal
        } finally {
            vertx.close();
        }
    }

    @Test
    void anHttp2RequestWhoseBodyTricklesHasItsStreamResetAndTheConnectionServesOn() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        ServerConfig cfg = Servers.config(Stage.QUEUE).requestTimeout(Duration.ofMillis(800))
                .tls(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath())).build();
        Vertx vertx = Vertx.vertx();
        try (SquallServer server = SquallServers.start(cfg)) {
            var client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                    .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
            var slow = client.request(HttpMethod.POST, server.port(), "localhost", "/jobs").compose(req -> {
                req.putHeader("Content-Type", "application/json").putHeader("Content-Length", "100");
                req.write("{\"kind\"");     // and never the rest
                return req.response();
            }).toCompletionStage().toCompletableFuture();
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(io.vertx.core.http.StreamResetException.class);
            // Past two request timeouts the HTTP/2 connection itself is still served: only the late stream went.
            await().pollDelay(Duration.ofMillis(1800)).atMost(Duration.ofSeconds(5)).until(() -> true);
            String ok = client.request(HttpMethod.GET, server.port(), "localhost", "/healthz")
                    .compose(req -> req.send().compose(res -> res.body().map(b -> res.statusCode() + " " + res.version())))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(ok).isEqualTo("200 HTTP_2");
            client.close();
        } finally {
            vertx.close();
        }
    }

    @Test
    void tricklingClientsAreCutAndDoNotDelayANormalRequest() throws Exception {
        ServerConfig cfg = Servers.config(Stage.QUEUE).requestTimeout(Duration.ofMillis(800)).build();
        try (SquallServer server = SquallServers.start(cfg)) {
            List<Socket> tricklers = new ArrayList<>();
            try {
                for (int i = 0; i < 2000; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    tricklers.add(s);
                }
                long start = System.nanoTime();
                TestHttp.Response normal = TestHttp.send(server.port(), "GET", "/healthz", null, Duration.ofSeconds(5));
                assertThat(normal.status()).isEqualTo(200);
                assertThat((System.nanoTime() - start) / 1_000_000).as("ms for a normal request").isLessThan(2000);
                // Each trickler goes on sending a header byte now and then; the server cuts them all.
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    int open = 0;
                    for (Socket s : tricklers) {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write('X');
                            out.flush();
                            s.setSoTimeout(1);
                            if (s.getInputStream().read() != -1) {
                                open++;
                            }
                        } catch (java.net.SocketTimeoutException stillOpen) {
                            open++;
                        } catch (java.io.IOException closed) {
                            // cut by the server
                        }
                    }
                    return open == 0;
                });
            } finally {
                for (Socket s : tricklers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aPageOfAnotherSiteCannotChangeJobsThroughAVisitorsBrowserEvenWithoutTokens() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).build())) {
            int port = server.port();
            assertThat(TestHttp.send(port, "POST", "/jobs", "{\"id\":\"x-site\",\"kind\":\"echo\",\"delay\":\"1h\"}", T).status())
                    .isEqualTo(202);
            // What a form on evil.example makes a browser send: no JSON needed for a retry or a cancel.
            TestHttp.Response forged = TestHttp.send(port, "DELETE", "/jobs/x-site", null, Map.of("Origin", "http://evil.example"), T);
            assertThat(forged.status()).isEqualTo(403);
            assertThat(forged.body()).contains("another site");
            assertThat(TestHttp.send(port, "POST", "/jobs/x-site/retry", null, Map.of("Sec-Fetch-Site", "cross-site"), T).status())
                    .isEqualTo(403);
            assertThat(TestHttp.send(port, "GET", "/jobs/x-site", null, T).body()).contains("\"queued\"");
            // The dashboard's own pages (same origin) and programs (no Origin) go on as before.
            assertThat(TestHttp.send(port, "DELETE", "/jobs/x-site", null, Map.of("Origin", "http://127.0.0.1:" + port), T).status())
                    .isEqualTo(200);
            assertThat(TestHttp.send(port, "DELETE", "/jobs/x-site", null, T).status()).as("already cancelled").isEqualTo(409);
        }
    }
}
