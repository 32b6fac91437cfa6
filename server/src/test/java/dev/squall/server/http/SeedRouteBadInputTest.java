package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of bad request gets a clear 4xx problem document; none is a 500, a hang, or a dead server. */
class SeedRouteBadInputTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static SquallServer server;

    @BeforeAll
    static void start() {
        server = SquallServers.start(Servers.config(Stage.QUEUE).maxBodyBytes(1024).build());
    }

    @AfterAll
    static void stop() {
        server.close();
        // Nothing bad was accepted as a job.
        assertThat(server.engineStats().orElseThrow().accepted()).isEqualTo(1);
    }

    private static void assertProblem(TestHttp.Response r, int status, String detailPart) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        assertThat(r.body()).contains("\"status\":" + status).contains("\"detail\":").contains(detailPart);
    }

    @ParameterizedTest(name = "{0} -> 400 mentioning \"{1}\"")
    @CsvSource(delimiter = '|', value = {
            "{\"job_id\": 1                | not valid JSON",
            "not json at all               | not valid JSON",
            "{\"id\": 1}                   | has no job_id",
            "{}                            | has no job_id",
            "[1, 2]                        | must be a JSON object",
            "42                            | must be a JSON object",
            "{\"job_id\": [1]}             | not an array",
            "{\"job_id\": {\"a\": 1}}      | not an object",
            "{\"job_id\": true}            | not a boolean",
            "{\"job_id\": null}            | job_id is null",
            "{\"job_id\": \"\"}            | 1 to 200 characters",
            "{\"job_id\": 1} {\"job_id\": 2} | data after the JSON object",
    })
    void rejectsMalformedBodiesWithProblemDetail(String body, String detail) {
        assertProblem(TestHttp.get(server.port(), body, T), 400, detail);
    }

    @Test
    void rejectsARequestWithNoBody() {
        assertProblem(TestHttp.send(server.port(), "GET", "/", null, T), 400, "has no body");
        assertProblem(TestHttp.send(server.port(), "POST", "/", "   ", T), 400, "has no body");
    }

    @Test
    void rejectsADeclaredOversizeBodyWith413BeforeReadingIt() {
        String head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{\"job_id\":";
        assertProblem(TestHttp.raw(server.port(), head.getBytes(StandardCharsets.US_ASCII), T), 413, "limit is 1024 bytes");
    }

    @Test
    void rejectsAStreamedOversizeBodyWith413() {
        StringBuilder chunked = new StringBuilder("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "x".repeat(1000);
        for (int i = 0; i < 3; i++) {
            chunked.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        assertProblem(TestHttp.raw(server.port(), chunked.toString().getBytes(StandardCharsets.US_ASCII), T), 413, "over the limit");
    }

    @Test
    void acceptsAChunkedBodyUnderTheLimit() {
        String body = "{\"job_id\": 99}";
        String req = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        TestHttp.Response r = TestHttp.raw(server.port(), req.getBytes(StandardCharsets.US_ASCII), T);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("99 add");
    }

    @Test
    void rejectsOtherMethodsWith405AndSaysWhichAreAllowed() {
        TestHttp.Response r = TestHttp.send(server.port(), "DELETE", "/", null, T);
        assertProblem(r, 405, "GET or POST");
        assertThat(r.header("allow")).isEqualTo("GET, POST");
    }

    @Test
    void answersUnknownPathsWith404() {
        assertProblem(TestHttp.send(server.port(), "GET", "/nope", null, T), 404, "no route for /nope");
    }

    @Test
    void staysAliveAfterAGarbageRequestLine() {
        TestHttp.Response r = TestHttp.raw(server.port(), "\u0001\u0002 garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), T);
        assertThat(r.status()).isBetween(400, 499);
        assertThat(TestHttp.send(server.port(), "GET", "/healthz", null, T).status()).isEqualTo(200);
    }
}
