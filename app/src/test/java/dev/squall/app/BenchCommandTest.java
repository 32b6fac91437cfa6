package dev.squall.app;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code squall bench} as a user runs it: output, exit codes, clear errors. */
class BenchCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        CommandLine cl = SquallMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(before);
        }
    }

    @Test
    void printsTheArticlesLineFirstAndWritesReports(@TempDir Path dir) throws Exception {
        try (SquallServer server = SquallServers.start(ServerConfig.builder().port(0).stage(Stage.HELLO).accessLog(false).build())) {
            Run r = run("bench", "http://127.0.0.1:" + server.port() + "/", "-n", "200", "-c", "4",
                    "--json", dir.resolve("r.json").toString(), "--html", dir.resolve("r.html").toString(), "--min-success", "99");
            assertThat(r.code()).isZero();
            assertThat(r.out().lines().findFirst()).contains("100.0% request success!");
            assertThat(r.out()).contains("ok 200");
            assertThat(Files.readString(dir.resolve("r.json"))).contains("\"version\" : 1");
            assertThat(Files.readString(dir.resolve("r.html"))).contains("<svg");
        }
    }

    @Test
    void exitsWithOneWhenMinSuccessIsNotMet() {
        try (SquallServer server = SquallServers.start(ServerConfig.builder().port(0).stage(Stage.BLOCKING)
                .sleep(Duration.ofMillis(200)).accessLog(false).build())) {
            Run r = run("bench", "http://127.0.0.1:" + server.port() + "/", "-n", "6", "-c", "6", "--new-connection",
                    "--timeout", "450ms", "--min-success", "90");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).contains("FAILED", "below --min-success");
        }
    }

    @Test
    void anUnreachableUrlIsOneClearLine() {
        Run r = run("bench", "http://127.0.0.1:1/", "-n", "5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("cannot connect to 127.0.0.1:1").doesNotContain("\tat ");
    }

    @ParameterizedTest(name = "bench {0} {1}")
    @CsvSource({"-c, 0", "-c, many", "--timeout, 5", "--rate, -3", "--threads, 0", "-H, bad", "--progress, maybe"})
    void aBadFlagIsNamed(String flag, String value) {
        Run r = run("bench", "http://127.0.0.1:1/", flag, value);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(flag).doesNotContain("\tat ");
    }

    @Test
    void aBadUrlIsNamed() {
        Run r = run("bench", "ftp://example/");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("only http://");
    }
}
