package dev.squall.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code squall train}, the launcher's training run: it drives real servers through their hot paths and ends cleanly. */
class TrainCommandTest {
    @Test
    void aShortTrainingRunServesItsRequestsOnBothStoresAndExitsZero() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        try {
            // More jobs than the memory store keeps finished (10,000), as in a real training run.
            // Every request must be answered 2xx, or the run fails (a non-zero code): so a zero here
            // means both servers took POST /jobs, the seed route, reads, /healthz and /metrics.
            int code = SquallMain.commandLine().execute("train", "--requests", "6000", "--connections", "4");
            assertThat(code).isZero();
        } finally {
            root.setLevel(before);
        }
    }

    @Test
    void itIsHiddenFromTheHelp() {
        java.io.StringWriter help = new java.io.StringWriter();
        picocli.CommandLine cl = SquallMain.commandLine();
        cl.setOut(new java.io.PrintWriter(help, true));
        cl.execute("--help");
        assertThat(help.toString()).contains("serve").doesNotContain("train");
    }
}
