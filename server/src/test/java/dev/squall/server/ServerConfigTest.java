package dev.squall.server;

import dev.squall.server.boot.SquallServers;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig c = ServerConfig.builder().build();
        assertThat(c.port()).isEqualTo(8888);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.stage()).isEqualTo(Stage.QUEUE);
        assertThat(c.sleep()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.effectiveWorkers()).isEqualTo(20);
        assertThat(c.collectEvery()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.accessLog()).isTrue();
    }

    @Test
    void automaticValuesDependOnTheStage() {
        assertThat(ServerConfig.builder().stage(Stage.VIRTUAL).build().effectiveWorkers()).isEqualTo(10_000);
        assertThat(ServerConfig.builder().executor(ExecutorKind.VIRTUAL).build().effectiveWorkers()).isEqualTo(10_000);
        assertThat(ServerConfig.builder().stage(Stage.BLOCKING).build().effectiveIoThreads()).isEqualTo(1);
        assertThat(ServerConfig.builder().stage(Stage.COROUTINE).build().effectiveIoThreads())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(ServerConfig.builder().workers(3).stage(Stage.VIRTUAL).build().effectiveWorkers()).isEqualTo(3);
    }

    @Test
    void badValuesFailWithTheFlagInTheMessage() {
        assertThatThrownBy(() -> ServerConfig.builder().port(70000).build()).hasMessageStartingWith("--port:");
        assertThatThrownBy(() -> ServerConfig.builder().workers(-1).build()).hasMessageStartingWith("--workers:");
        assertThatThrownBy(() -> ServerConfig.builder().collectEvery(Duration.ZERO).build()).hasMessageStartingWith("--collect-every:");
        assertThatThrownBy(() -> ServerConfig.builder().queueCapacity(0).build()).hasMessageStartingWith("--queue-capacity:");
        assertThatThrownBy(() -> ServerConfig.builder().sleep(Duration.ofSeconds(-1)).build()).hasMessageStartingWith("--sleep:");
        assertThatThrownBy(() -> ServerConfig.builder().stage(Stage.MULTIPROCESS).build()).hasMessageStartingWith("--stage:");
    }

    @Test
    void workersThatAreThreadsOrProcessesAreBoundedAtStartNotByAHangWhileTheyAreMade() {
        // 100,000 platform threads took minutes to make before the server said a word
        assertThatThrownBy(() -> ServerConfig.builder().workers(100_000).build())
                .hasMessageStartingWith("--workers:").hasMessageContaining("at most 10000 worker threads").hasMessageContaining("virtual");
        assertThatThrownBy(() -> ServerConfig.builder().stage(Stage.EXECUTOR).workers(10_001).build())
                .hasMessageStartingWith("--workers:");
        assertThatThrownBy(() -> ServerConfig.builder().executor(ExecutorKind.PROCESS).workers(257).build())
                .hasMessageStartingWith("--workers:").hasMessageContaining("at most 256 worker processes");
        assertThatThrownBy(() -> ServerConfig.builder().stage(Stage.PROCESS_POOL).workers(1000).build())
                .hasMessageStartingWith("--workers:");
        assertThat(ServerConfig.builder().workers(10_000).build().effectiveWorkers()).isEqualTo(10_000);
        assertThat(ServerConfig.builder().executor(ExecutorKind.VIRTUAL).workers(1_000_000).build().effectiveWorkers()).isEqualTo(1_000_000);
        assertThat(ServerConfig.builder().stage(Stage.VIRTUAL).workers(200_000).build().effectiveWorkers()).isEqualTo(200_000);
        // every lane's threads count: --workers for the shared lane, and each queue's own
        assertThatThrownBy(() -> ServerConfig.builder().store("postgresql://u@h/db").workers(5_000)
                .queues(ServerConfig.parseQueues(java.util.List.of("a:4000", "b:1001", "c"))).build())
                .hasMessageStartingWith("--queues:").hasMessageContaining("10001");
        assertThat(ServerConfig.builder().store("postgresql://u@h/db").workers(5_000)
                .queues(ServerConfig.parseQueues(java.util.List.of("a:4000", "b:1001"))).build().queueLanes()).hasSize(2);
        // stages without workers ignore the flag, as before
        assertThat(ServerConfig.builder().stage(Stage.COROUTINE).workers(100_000).build().workers()).isEqualTo(100_000);
    }

    @Test
    void anUnknownJobKindFailsAtStart() {
        assertThatThrownBy(() -> SquallServers.start(ServerConfig.builder().port(0).kind("nope").build()))
                .isInstanceOf(ServerConfig.InvalidConfigException.class)
                .hasMessageContaining("--kind").hasMessageContaining("sleep");
    }

    @Test
    void aTakenPortFailsWithAClearMessage() {
        try (SquallServer first = SquallServers.start(ServerConfig.builder().port(0).stage(Stage.HELLO).build())) {
            assertThatThrownBy(() -> SquallServers.start(ServerConfig.builder().port(first.port()).stage(Stage.HELLO).build()))
                    .hasMessageContaining("could not start the HTTP server");
        }
    }

    @Test
    void queuesAreParsedOnceIntoNamesAndWorkersOfTheirOwn() {
        java.util.Map<String, Integer> q = ServerConfig.parseQueues(java.util.List.of("mail:4", "reports", " batch:1 "));
        assertThat(q).containsExactly(java.util.Map.entry("mail", 4), java.util.Map.entry("reports", 0), java.util.Map.entry("batch", 1));
        ServerConfig c = ServerConfig.builder().store("postgresql://u@h/db")
                .queues(q).build();
        assertThat(c.queueNames()).containsExactlyInAnyOrder("mail", "reports", "batch");
        assertThat(c.queueLanes()).containsExactly(java.util.Map.entry("batch", 1), java.util.Map.entry("mail", 4));
        assertThat(c.sharedLane()).as("reports shares --workers").isTrue();
        assertThat(ServerConfig.builder().store("postgresql://u@h/db")
                .queues(ServerConfig.parseQueues(java.util.List.of("a:2", "b:3"))).build().sharedLane()).isFalse();
        assertThat(ServerConfig.builder().build().sharedLane()).as("every queue, on --workers").isTrue();
        assertThat(ServerConfig.parseQueues(java.util.List.of("tenant:eu"))).as("a name with a colon, no count")
                .containsExactly(java.util.Map.entry("tenant:eu", 0));
    }

    @Test
    void badQueueListsFailNamingTheFlag() {
        assertThatThrownBy(() -> ServerConfig.parseQueues(java.util.List.of("mail:0"))).hasMessageStartingWith("--queues:")
                .hasMessageContaining("at least 1 worker");
        assertThatThrownBy(() -> ServerConfig.parseQueues(java.util.List.of("mail:99999999"))).hasMessageStartingWith("--queues:");
        assertThatThrownBy(() -> ServerConfig.parseQueues(java.util.List.of("mail", "mail:2"))).hasMessageStartingWith("--queues:")
                .hasMessageContaining("named twice");
        assertThatThrownBy(() -> ServerConfig.builder().store("postgresql://u@h/db")
                .queues(ServerConfig.parseQueues(java.util.List.of(":3"))).build()).hasMessageContaining("is not a queue name");
    }
}
