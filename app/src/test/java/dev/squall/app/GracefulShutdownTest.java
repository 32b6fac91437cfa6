package dev.squall.app;

import dev.squall.core.process.JavaLauncher;
import dev.squall.server.http.FreePort;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM: new work is refused with 503, running jobs finish within the grace, jobs not started
 * stay queued (attempt untouched), and the next start runs them.
 */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    private Process serve(Path db, int port) {
        return serve(db, port, "10s");
    }

    private Process serve(Path db, int port, String grace) {
        try {
            Process p = JavaLauncher.current(SquallMain.class.getName())
                    .processBuilder(List.of("serve", "--store", "sqlite:" + db, "--port", Integer.toString(port), "--workers", "2",
                            "--sleep", "1s", "--collect-every", "100ms", "--access-log", "off", "--log-level", "warn",
                            "--shutdown-grace", grace))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("serve.log").toFile())).start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> health(port).contains("\"status\":\"ok\""));
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String health(int port) {
        try {
            return TestHttp.send(port, "GET", "/healthz", null, Duration.ofSeconds(2)).body();
        } catch (RuntimeException notListening) {
            return "";
        }
    }

    @Test
    void sigtermFinishesRunningJobsKeepsTheRestAndRefusesNewWork() throws Exception {
        Path db = dir.resolve("graceful.db");
        int port = FreePort.find("127.0.0.1");
        Process first = serve(db, port);
        for (int i = 0; i < 6; i++) {
            assertThat(TestHttp.send(port, "POST", "/jobs", "{\"id\": \"g" + i + "\", \"kind\": \"sleep\"}", Duration.ofSeconds(5)).status())
                    .isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> health(port).contains("\"running\":2,"));

        first.destroy(); // SIGTERM
        // While running jobs finish, new work is refused (or, at the very end, the port is closed).
        TestHttp.Response refused = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && refused == null) {
            try {
                TestHttp.Response r = TestHttp.send(port, "POST", "/jobs", "{\"kind\": \"echo\"}", Duration.ofSeconds(2));
                if (r.status() != 202) {
                    refused = r;
                }
            } catch (RuntimeException closed) {
                break;
            }
        }
        assertThat(refused).as("a submit during the shutdown").isNotNull();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Map<String, String> states = states(db);
        assertThat(states.values().stream().filter("succeeded"::equals).count()).isEqualTo(2);
        assertThat(states.values().stream().filter("queued"::equals).count()).isEqualTo(4);
        assertThat(attemptsOfQueued(db)).containsOnly(0);

        Process second = serve(db, port);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> states(db).values().stream().allMatch("succeeded"::equals));
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLastAttemptCutShortByTheGraceIsGivenBackAndRunsAgainAtTheNextStart() throws Exception {
        Path db = dir.resolve("cut.db");
        int port = FreePort.find("127.0.0.1");
        Process first = serve(db, port, "200ms");
        String job = "{\"id\": \"g-last\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 3000}, \"max_attempts\": 1}";
        assertThat(TestHttp.send(port, "POST", "/jobs", job, Duration.ofSeconds(5)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> health(port).contains("\"running\":1,"));

        first.destroy(); // SIGTERM: the grace of 200 ms cuts the 3 s job short
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(states(db)).containsEntry("g-last", "queued");
        assertThat(attemptsOfQueued(db)).containsExactly(0);

        Process second = serve(db, port);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(states(db).get("g-last")));
            assertThat(JobsFile.column(db, "SELECT attempt FROM jobs WHERE id = 'g-last'")).containsExactly("1");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> states(Path db) throws Exception {
        return JobsFile.states(db, "id LIKE 'g%'");
    }

    private static List<Integer> attemptsOfQueued(Path db) throws Exception {
        return JobsFile.column(db, "SELECT attempt FROM jobs WHERE state = 'queued'").stream().map(Integer::valueOf).toList();
    }
}
