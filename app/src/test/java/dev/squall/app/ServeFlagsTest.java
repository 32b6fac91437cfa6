package dev.squall.app;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code squall serve} flags: every bad value fails at start with a message naming the flag. */
class ServeFlagsTest {

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = SquallMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    @ParameterizedTest(name = "serve {0} {1} -> error naming {0}")
    @CsvSource({
            "--port, 99999", "--port, http", "--sleep, 5", "--sleep, soon", "--stage, turbo",
            "--workers, -3", "--io-threads, -1", "--processes, 1000", "--queue-capacity, 0",
            "--collect-every, 0", "--access-log, maybe", "--executor, gpu", "--log-level, loud",
            "--max-attempts, 0", "--max-body, 10", "--kind, teleport", "--store, nowhere", "--store, sqlite:",
            "--durability, maybe", "--retain, forever", "--retry-backoff, -1s", "--idle-timeout, -1s", "--idle-timeout, soon",
            "--async-limit, 0", "--idle-timeout, 5s", "--request-timeout, -1s", "--long-poll-limit, 0", "--queue-bytes, 10",
            "--host, 0.0.0.0", "--token-file, /nonexistent/tokens", "--tls-cert, cert.pem",
            "--store, postgresql://", "--store, postgresql://host/db", "--store, postgres://u@/db", "--store, postgresql://u@h:5432/",
            "--store, postgresql://u@127.0.0.1:99999/db", "--store, postgresql://u@127.0.0.1:0/db", "--workers, 100000",
            "--store, postgresql://u@127.0.0.1/db?sslmod=require", "--store, postgresql://u@127.0.0.1/db?sslmode=requir",
            "--lease, 10ms", "--lease, soon", "--node-id, ' '", "--notify, sometimes", "--queues, mail",
    })
    void aBadValueFailsAtStartNamingTheFlag(String flag, String value) {
        Run r = run("serve", flag, value, "--port", flag.equals("--port") ? value : "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(flag).doesNotContain("Exception in thread").doesNotContain("\tat ");
    }

    @Test
    void queuesAreForAPostgresqlStoreAndWorkerCountsMustBePositive() {
        Run onSqlite = run("serve", "--queues", "mail", "--port", "0");
        assertThat(onSqlite.code()).isEqualTo(2);
        assertThat(onSqlite.err()).contains("--queues").contains("needs a PostgreSQL store");
        Run counts = run("serve", "--queues", "mail:0", "--store", "postgresql://u@127.0.0.1:1/db", "--port", "0");
        assertThat(counts.code()).isEqualTo(2);
        assertThat(counts.err()).contains("--queues").contains("at least 1 worker");
        Run badName = run("serve", "--queues", "a b", "--store", "postgresql://u@127.0.0.1:1/db", "--port", "0");
        assertThat(badName.err()).contains("is not a queue name");
    }

    @Test
    void aPostgresqlUrlParameterTheDriverDoesNotKnowIsRefusedNotSkipped() {
        // skipped, "sslmod=require" would connect without TLS and say nothing
        Run typo = run("serve", "--store", "postgresql://u@127.0.0.1:1/db?sslmod=require", "--port", "0");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("--store").contains("parameter 'sslmod'").contains("sslmode");
        Run libpq = run("serve", "--store", "postgresql://u@127.0.0.1:1/db?application_name=x", "--port", "0");
        assertThat(libpq.err()).contains("parameter 'application_name'").contains("ApplicationName");
        Run choice = run("serve", "--store", "postgresql://u@127.0.0.1:1/db?sslmode=requir", "--port", "0");
        assertThat(choice.err()).contains("sslmode").contains("requir").contains("verify-full");
        Run good = run("serve", "--store", "postgresql://u@127.0.0.1:1/db?sslmode=disable&ApplicationName=squall", "--port", "0");
        assertThat(good.err()).as("known parameters pass: it gets as far as connecting").contains("cannot open the PostgreSQL store");
    }

    @Test
    void anUnreachableDatabaseIsAClearErrorAtStart() {
        Run r = run("serve", "--store", "postgresql://nobody@127.0.0.1:1/nothing", "--port", "0");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("cannot open the PostgreSQL store at postgresql://nobody@127.0.0.1:1/nothing")
                .doesNotContain("\tat ");
    }

    @Test
    void anUnknownFlagIsNamed() {
        Run r = run("serve", "--turbo");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--turbo");
    }

    @Test
    void goodFlagsBuildTheConfigTheyDescribe() {
        CommandLine cl = SquallMain.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("serve", "--port", "9000", "--stage", "executor", "--sleep", "1.5s",
                "--workers", "7", "--collect-every", "250ms", "--access-log", "off", "--executor", "virtual",
                "--idle-timeout", "90s");
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        var config = serve.toConfig();
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.stage().cliName()).isEqualTo("executor");
        assertThat(config.sleep()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.workers()).isEqualTo(7);
        assertThat(config.collectEvery()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.accessLog()).isFalse();
        assertThat(config.executor().cliName()).isEqualTo("virtual");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }
}
