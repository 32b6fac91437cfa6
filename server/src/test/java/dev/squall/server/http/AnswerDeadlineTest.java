package dev.squall.server.http;

import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.boot.SquallServers;
import dev.squall.server.testing.Servers;
import dev.squall.store.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database that stops answering (here: a lock another session holds on the job table; in life a
 * paused VM or a hung disk) holds no client past {@code --request-timeout}: the request is answered
 * {@code 503} with what may still happen, the work goes on, and what the database stores once it
 * answers is stored once. Over HTTP/1.1 and HTTP/2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnswerDeadlineTest {
    private static final Duration TIMEOUT = Duration.ofMillis(700);
    private static final Duration T = Duration.ofSeconds(20);
    private TestPostgres.Database db;
    private SquallServer server;
    private Vertx vertx;

    /** One answer: status, the Retry-After header, the body, and how long it took. */
    record Answer(int status, String retryAfter, String body, long millis) {
    }

    @BeforeAll
    void start() {
        db = TestPostgres.database();
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        ServerConfig cfg = Servers.config(Stage.QUEUE).sleep(Duration.ofMillis(10)).requestTimeout(TIMEOUT).store(db.url())
                .tls(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath())).build();
        server = SquallServers.start(cfg);
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stop() {
        vertx.close();
        server.close();
        db.close();
    }

    private HttpClient client(HttpVersion version) {
        return vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                .setUseAlpn(true).setProtocolVersion(version));
    }

    private Answer call(HttpClient client, HttpMethod method, String path, String body) throws Exception {
        long start = System.nanoTime();
        Future<Answer> f = client.request(method, server.port(), "localhost", path).compose(req -> {
            if (body != null) {
                req.putHeader("Content-Type", "application/json");
            }
            return (body == null ? req.send() : req.send(body)).compose(res -> res.body().map(b -> new Answer(res.statusCode(),
                    res.getHeader("Retry-After"), b.toString(), (System.nanoTime() - start) / 1_000_000)));
        });
        return f.toCompletionStage().toCompletableFuture().get(T.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSubmitTheDatabaseHoldsIsAnswered503AtTheRequestTimeoutAndIsStoredOnceWhenTheDatabaseAnswers() throws Exception {
        for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
            HttpClient client = client(version);
            String id = "held-" + version;
            String generated;
            try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("LOCK TABLE squall_job IN ACCESS EXCLUSIVE MODE"); // every read and write of jobs now waits

                Answer held = call(client, HttpMethod.POST, "/jobs", "{\"id\": \"" + id + "\", \"kind\": \"echo\"}");
                assertThat(held.status()).as(version + ": " + held).isEqualTo(503);
                assertThat(held.retryAfter()).isEqualTo("1");
                assertThat(held.body()).contains("not answered within 700ms (--request-timeout)")
                        .contains("job " + id + " may still be stored").contains("again with its id never makes a second job");
                assertThat(held.millis()).as("ms to the 503").isBetween(TIMEOUT.toMillis() - 50, 10_000L);

                // A submit without an id is told the id it was given, so that it too can ask and repeat.
                Answer anonymous = call(client, HttpMethod.POST, "/jobs", "{\"kind\": \"echo\"}");
                assertThat(anonymous.status()).isEqualTo(503);
                Matcher m = Pattern.compile("job (\\S+) may still be stored").matcher(anonymous.body());
                assertThat(m.find()).as(anonymous.body()).isTrue();
                generated = m.group(1);

                // The article's seed route stores its job the same way, and is answered the same way.
                String seedId = version == HttpVersion.HTTP_2 ? "72" : "71";
                Answer seed = call(client, HttpMethod.POST, "/", "{\"job_id\": " + seedId + "}");
                assertThat(seed.status()).isEqualTo(503);
                assertThat(seed.body()).contains("job " + seedId + " may still be stored");

                // Reads wait for the same database and get the same deadline.
                Answer read = call(client, HttpMethod.GET, "/jobs/" + id, null);
                assertThat(read.status()).isEqualTo(503);
                assertThat(read.body()).contains("(--request-timeout); try again");
                c.rollback(); // the database answers again
            }
            // The held submits were committed after their 503: each job is stored once and runs.
            for (String stored : List.of(id, generated, version == HttpVersion.HTTP_2 ? "72" : "71")) {
                await().atMost(T).until(() -> call(client, HttpMethod.GET, "/jobs/" + stored, null).body().contains("\"succeeded\""));
            }
            Answer again = call(client, HttpMethod.POST, "/jobs", "{\"id\": \"" + id + "\", \"kind\": \"echo\"}");
            assertThat(again.status()).as("the same request again finds the stored job").isEqualTo(200);
            assertThat(again.body()).contains("\"attempt\":1,");
            // The connection that carried the late answers serves on.
            assertThat(call(client, HttpMethod.GET, "/healthz", null).status()).isEqualTo(200);
            client.close();
        }
        // Operators see how many requests the store kept past the deadline: four a protocol above.
        HttpClient client = client(HttpVersion.HTTP_1_1);
        assertThat(call(client, HttpMethod.GET, "/metrics", null).body()).contains("\nsquall_http_late_answers_total 8.0\n");
        client.close();
    }

    @Test
    void aLongPollWaitsItsWholeWaitPastTheRequestTimeout() throws Exception {
        for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
            HttpClient client = client(version);
            String id = "later-" + version;
            assertThat(call(client, HttpMethod.POST, "/jobs", "{\"id\": \"" + id + "\", \"kind\": \"echo\", \"delay\": \"1h\"}").status())
                    .isEqualTo(202);
            Answer polled = call(client, HttpMethod.GET, "/jobs/" + id + "?wait=1500ms", null);
            assertThat(polled.status()).as(version + ": " + polled).isEqualTo(200);
            assertThat(polled.body()).contains("\"queued\"");
            assertThat(polled.millis()).as("ms the poll waited").isGreaterThanOrEqualTo(1400);
            client.close();
        }
    }
}
