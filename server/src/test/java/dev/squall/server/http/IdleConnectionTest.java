package dev.squall.server.http;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that goes quiet, or stops halfway through a request, is let go after
 * {@code --request-timeout}; nothing it half-sent becomes a job. A connection quiet between
 * requests is closed by {@code --idle-timeout}.
 */
class IdleConnectionTest {
    private static SquallServer server;

    @BeforeAll
    static void start() {
        server = SquallServers.start(Servers.config(Stage.QUEUE).requestTimeout(Duration.ofMillis(300)).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Writes {@code sent}, then reads until the server closes the connection; returns what it answered. */
    private static String sendAndWaitForClose(String sent) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000); // far above the idle timeout: a read that waits this long fails the test
            OutputStream out = s.getOutputStream();
            out.write(sent.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII); // returns at the close
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        assertThat(sendAndWaitForClose("")).isEmpty();
    }

    @Test
    void aBodyThatStopsHalfwayIsDroppedAndNoJobIsMade() throws Exception {
        long before = server.engineStats().orElseThrow().accepted();
        String answer = sendAndWaitForClose("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"job_id\": 4");
        assertThat(answer).doesNotContain("add");
        assertThat(server.engineStats().orElseThrow().accepted()).isEqualTo(before);
    }

    @Test
    void theIdleTimeoutClosesAQuietConnectionOnAStageWithoutLongPolls() throws Exception {
        try (SquallServer hello = SquallServers.start(Servers.config(Stage.HELLO).idleTimeout(Duration.ofMillis(300))
                .requestTimeout(Duration.ZERO).build());
             Socket s = new Socket("127.0.0.1", hello.port())) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void anIdleTimeoutThatWouldCutLongPollsIsRefusedAtStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Servers.config(Stage.QUEUE).idleTimeout(Duration.ofSeconds(5)).build())
                .hasMessageStartingWith("--idle-timeout").hasMessageContaining("long poll");
    }

    @Test
    void aBusyClientIsServedAsUsual() {
        TestHttp.Response r = TestHttp.get(server.port(), "{\"job_id\": 7}", Duration.ofSeconds(5));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("7 add");
    }
}
