package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random bytes and random JSON at the seed route and {@code POST /jobs}: never a 5xx, never a hang,
 * and every job the server accepted is there afterwards.
 */
class IntakePropertiesTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static SquallServer server;
    private static final Set<String> accepted = ConcurrentHashMap.newKeySet();

    @BeforeContainer
    static void start() {
        server = SquallServers.start(Servers.config(Stage.QUEUE).kind("echo").build());
    }

    @AfterContainer
    static void stop() {
        try {
            assertThat(accepted).as("some random inputs were valid jobs").isNotEmpty();
            for (String id : accepted) {
                TestHttp.Response r = TestHttp.send(server.port(), "GET", "/jobs/" + java.net.URLEncoder.encode(id,
                        StandardCharsets.UTF_8).replace("+", "%20"), null, T);
                assertThat(r.status()).as("accepted job %s is kept", id).isEqualTo(200);
            }
        } finally {
            server.close();
        }
    }

    private static void assertSane(TestHttp.Response r) {
        assertThat(r.timedOut()).as("answered").isFalse();
        assertThat(r.status()).as("status").isBetween(200, 499);
        if (r.status() >= 400) {
            assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("com.fasterxml").doesNotContain("java.");
        }
    }

    @Property(tries = 150)
    void randomBytesAtTheSeedRoute(@ForAll("bodies") byte[] body) {
        TestHttp.Response r = TestHttp.raw(server.port(), request("POST", "/", body), T);
        assertSane(r);
        if (r.status() == 200) {
            accepted.add(r.body().substring(0, r.body().length() - " add".length()));
        }
    }

    @Property(tries = 150)
    void randomJsonAtPostJobs(@ForAll("submissions") String body) {
        TestHttp.Response r = TestHttp.raw(server.port(), request("POST", "/jobs", body.getBytes(StandardCharsets.UTF_8)), T);
        assertSane(r);
        if (r.status() == 202) {
            String id = r.body().substring(r.body().indexOf("\"id\":\"") + 6);
            accepted.add(id.substring(0, id.indexOf('"')));
        }
    }

    private static byte[] request(String method, String path, byte[] body) {
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> seedLike = json().map(v -> ("{\"job_id\": " + v + "}").getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(random, seedLike);
    }

    @Provide
    Arbitrary<String> submissions() {
        Arbitrary<String> field = Arbitraries.of("id", "kind", "payload", "max_attempts", "run_at", "delay", "color", "kind");
        Arbitrary<String> kindValue = Arbitraries.of("\"echo\"", "\"sleep\"", "\"fail\"", "\"nope\"", "5", "null", "[]");
        Arbitrary<String> member = Combinators.combine(field, Arbitraries.oneOf(json(), kindValue))
                .as((f, v) -> "\"" + f + "\": " + v);
        Arbitrary<String> object = member.list().ofMaxSize(5).map(ms -> "{" + String.join(", ", ms) + "}");
        Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(40);
        return Arbitraries.oneOf(object, object.map(o -> o + " " + "}"), Combinators.combine(object, garbage).as((o, g) -> o + g),
                json());
    }

    /** Random JSON values, nested a little. */
    private static Arbitrary<String> json() {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
                Arbitraries.strings().ofMaxLength(30).map(dev.squall.core.Json::quote),
                Arbitraries.of("true", "false", "null", "9e18", "-0", "1e400", "\"a/b\"", "\"\\u0007\""));
        return Arbitraries.lazyOf(
                () -> scalars,
                () -> json().list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                () -> Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8), json())
                        .as((k, v) -> "{\"" + k + "\": " + v + "}"));
    }
}
