package dev.squall.server.stage;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The article's ProcessPoolExecutor: the work runs in worker JVMs that receive the job as JSON. */
class ProcessPoolStageTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void theWorkRunsInAnotherProcess() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.PROCESS_POOL).workers(2).build())) {
            List<TestHttp.Response> rs = TestHttp.concurrently(4,
                    i -> TestHttp.get(server.port(), "{\"job_id\": " + i + "}", Duration.ofSeconds(10)));
            assertThat(rs).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).endsWith(" done");
                long worker = Long.parseLong(r.header("x-squall-worker-pid"));
                assertThat(worker).isNotEqualTo(SELF);
                assertThat(ProcessHandle.of(worker)).hasValueSatisfying(p ->
                        assertThat(p.parent().map(ProcessHandle::pid)).contains(SELF));
            });
        }
    }

    @Test
    void aPrettyPrintedSeedBodyRunsInAWorkerProcess() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.PROCESS_POOL).workers(1).build())) {
            TestHttp.Response r = TestHttp.get(server.port(), "{\n \"job_id\": \"x\"\n}", Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("x done");
        }
    }

    @Test
    void aPrettyPrintedSeedBodyQueuedForWorkerProcessesSucceeds() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.QUEUE).executor(dev.squall.server.ExecutorKind.PROCESS)
                .workers(1).sleep(Duration.ofMillis(10)).build())) {
            Duration t = Duration.ofSeconds(20);
            assertThat(TestHttp.get(server.port(), "{\n \"job_id\": \"x\"\n}", t).body()).isEqualTo("x add");
            TestHttp.Response done = TestHttp.send(server.port(), "GET", "/jobs/x?wait=15s", null, t);
            assertThat(done.body()).contains("\"state\":\"succeeded\"").contains("\"attempt\":1");
        }
    }

    @Test
    void aJobThatFailsInTheWorkerIsAnsweredWithAProblem() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.PROCESS_POOL).workers(1).build())) {
            TestHttp.Response r = TestHttp.get(server.port(), "{\"job_id\": 1, \"sleep_ms\": \"soon\"}", Duration.ofSeconds(10));
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.body()).contains("sleep_ms must be a non-negative number");
        }
    }
}
