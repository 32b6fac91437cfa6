package dev.squall.app;

import dev.squall.server.boot.SquallServers;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.multiprocess.MultiprocessSupervisor;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The article's stage 3: processes share the port; the parent restarts one that dies. */
class MultiprocessStageTest {

    private static ServerConfig config() {
        return Servers.config(Stage.MULTIPROCESS).processes(2).sleep(Duration.ofMillis(20))
                .selfLauncher(JavaLauncher.current(SquallMain.class.getName())).build();
    }

    @Test
    void aTokenReloadReachesEveryChild(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path tokens = dir.resolve("tokens");
        java.nio.file.Files.writeString(tokens, "first-token-0123456789abc\n");
        java.nio.file.Files.setPosixFilePermissions(tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ServerConfig cfg = Servers.config(Stage.MULTIPROCESS).processes(2).sleep(Duration.ZERO).tokenFile(tokens)
                .selfLauncher(JavaLauncher.current(SquallMain.class.getName())).build();
        try (SquallServer server = SquallServers.start(cfg)) {
            java.util.function.Function<String, Integer> seed = token -> TestHttp.send(server.port(), "GET", "/", "{\"job_id\": 1}",
                    java.util.Map.of("Authorization", "Bearer " + token), Duration.ofSeconds(10)).status();
            assertThat(seed.apply("first-token-0123456789abc")).isEqualTo(200);
            java.nio.file.Files.writeString(tokens, "second-token-0123456789ab\n");
            assertThat(server.reloadTokens()).isTrue();
            // Connections land on either child: once each has reloaded, every request takes the new token.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (int i = 0; i < 10; i++) {
                    if (seed.apply("second-token-0123456789ab") != 200 || seed.apply("first-token-0123456789abc") != 401) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    private static String pidOf(int port) {
        TestHttp.Response r = TestHttp.get(port, "{\"job_id\": 1}", Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("1 done");
        return r.header("x-squall-pid");
    }

    @Test
    void answersFromTwoProcessesAndRestartsAKilledOne() {
        try (SquallServer server = SquallServers.start(config())) {
            List<Long> children = ((MultiprocessSupervisor) server).childPids();
            assertThat(children).hasSize(2).doesNotContain(ProcessHandle.current().pid());

            // The kernel spreads new connections over both processes (bounded tries).
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 200 && seen.size() < 2; i++) {
                seen.add(pidOf(server.port()));
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(children.stream().map(String::valueOf).toList());

            long victim = children.getFirst();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<Long> now = ((MultiprocessSupervisor) server).childPids();
                return !now.contains(victim) && now.stream().allMatch(p -> p > 0);
            });
            long replacement = ((MultiprocessSupervisor) server).childPids().getFirst();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> pidOf(server.port()).equals(Long.toString(replacement)));
        }
    }

    @Test
    void stoppingTheParentStopsEveryChild() {
        List<Long> children;
        try (SquallServer server = SquallServers.start(config())) {
            children = ((MultiprocessSupervisor) server).childPids();
        }
        assertThat(children).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    }
}
