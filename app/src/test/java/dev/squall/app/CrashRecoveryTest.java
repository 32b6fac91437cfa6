package dev.squall.app;

import dev.squall.core.process.JavaLauncher;
import dev.squall.server.http.FreePort;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durability promise, end to end: a real {@code squall serve} on SQLite is killed with SIGKILL
 * while jobs pour in and run; restarted on the same file, it finishes every job it acknowledged,
 * and the only jobs that ran twice are ones that were running when it died.
 */
class CrashRecoveryTest {
    private static final int JOBS = 3000;

    @TempDir
    Path dir;

    private Process serve(Path db, int port, Path log) throws Exception {
        Process p = JavaLauncher.current(SquallMain.class.getName())
                .processBuilder(List.of("serve", "--stage", "queue", "--store", "sqlite:" + db, "--port", Integer.toString(port),
                        "--sleep", "2ms", "--workers", "20", "--collect-every", "100ms", "--access-log", "off",
                        "--log-level", "warn", "--retry-backoff", "0"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                return TestHttp.send(port, "GET", "/healthz", null, Duration.ofSeconds(1)).status() == 200;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
        return p;
    }

    @Test
    void everyAcknowledgedJobSucceedsAfterAKillAndOnlyRunningJobsRunTwice() throws Exception {
        Path db = dir.resolve("crash.db");
        Path log = dir.resolve("serve.log");
        int port = FreePort.find("127.0.0.1");
        Process first = serve(db, port, log);

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean killed = new AtomicBoolean();
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int lane = t;
                fs.add(clients.submit(() -> {
                    for (int i = lane; i < JOBS && !killed.get(); i += 8) {
                        try {
                            TestHttp.Response r = TestHttp.send(port, "POST", "/jobs",
                                    "{\"id\": \"job-" + i + "\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 2}}", Duration.ofSeconds(10));
                            if (r.status() == 202) {
                                acknowledged.add("job-" + i);
                            }
                        } catch (RuntimeException e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            // Kill mid-way: once half the jobs are acknowledged, while more are arriving and running.
            await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= JOBS / 2);
            first.destroyForcibly();
            killed.set(true);
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (Future<?> f : fs) {
                f.get();
            }
        }
        Set<String> runningAtKill = idsWhere(db, "state = 'running'");
        Map<String, String> beforeRestart = states(db);
        assertThat(beforeRestart.keySet()).containsAll(acknowledged); // every acknowledged job is on disk

        Process second = serve(db, port, log);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                String h = TestHttp.send(port, "GET", "/healthz", null, Duration.ofSeconds(5)).body();
                return h.contains("\"queued\":0,") && h.contains("\"running\":0,");
            });
        } finally {
            second.destroy(); // SIGTERM: a graceful stop
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        Map<String, String> after = states(db);
        for (String id : acknowledged) {
            assertThat(after.get(id)).as(id).isEqualTo("succeeded");
        }
        Set<String> ranTwice = idsWhere(db, "attempt > 1");
        assertThat(runningAtKill).as("some jobs were running at the kill").isNotEmpty();
        assertThat(ranTwice).isSubsetOf(runningAtKill);
        System.out.printf("crash test: %d acknowledged, %d on disk at the kill, %d running at the kill, %d succeeded after restart, %d ran twice%n",
                acknowledged.size(), beforeRestart.size(), runningAtKill.size(),
                after.values().stream().filter("succeeded"::equals).count(), ranTwice.size());
    }

    private static Map<String, String> states(Path db) throws Exception {
        return JobsFile.states(db, "1 = 1");
    }

    private static Set<String> idsWhere(Path db, String condition) throws Exception {
        return new HashSet<>(JobsFile.column(db, "SELECT id FROM jobs WHERE " + condition));
    }
}
