package dev.squall.server.stage;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import org.junit.jupiter.api.Test;

/** The article's stage 4: a timer instead of a sleep, and one loop serves everyone. */
class CoroutineStageTest {

    @Test
    void oneEventLoopAnswersTenConcurrentRequestsInAboutOneWorkTime() {
        try (SquallServer server = SquallServers.start(Servers.config(Stage.COROUTINE).ioThreads(1).build())) {
            ConcurrencyAssertions.tenConcurrentRequestsFinishInAboutOneWorkTime(server);
        }
    }
}
