package dev.squall.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the command line and the docs tell a new user is true. */
class HelpAndVersionTest {

    private record Output(int code, String out, String err) {
    }

    private static synchronized Output run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            picocli.CommandLine cl = SquallMain.commandLine();
            java.io.StringWriter help = new java.io.StringWriter();
            java.io.StringWriter problems = new java.io.StringWriter();
            cl.setOut(new java.io.PrintWriter(help, true));
            cl.setErr(new java.io.PrintWriter(problems, true));
            int code = cl.execute(args);
            // picocli's own warnings go to System.err, not to the command's err writer
            return new Output(code, help + o.toString(StandardCharsets.UTF_8), problems + e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void serveHelpSaysAFullQueueIsAnswered429() {
        Output r = run("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("429 with Retry-After").doesNotContain("503 with Retry-After")
                .contains("--token-file").contains("--insecure-no-auth").contains("--tls-cert").contains("--request-timeout");
    }

    @Test
    void everyHelpPrintsWithoutAPicocliWarning() {
        for (String command : List.of("serve", "bench", "lab")) {
            Output r = run(command, "--help");
            assertThat(r.err()).as(command + " --help").doesNotContain("picocli WARN").doesNotContain("Exception");
            assertThat(r.out()).as(command + " --help").doesNotContain("%n").isNotBlank();
        }
        assertThat(run("bench", "--help").out().replaceAll("\\s+", " ")).contains("'100.0% request success!'");
    }

    @Test
    void theVersionIsTheProjectsNotDev() throws IOException {
        Output r = run("--version");
        String pom = Files.readString(Path.of("pom.xml"));
        String version = pom.substring(pom.indexOf("<version>", pom.indexOf("<parent>")) + 9);
        version = version.substring(0, version.indexOf('<'));
        assertThat(r.out()).startsWith("squall " + version + " ").doesNotContain("dev ");
    }

    @Test
    void theRepositoryHasALicenseAndTheDocsPointOnlyInsideIt() throws IOException {
        Path root = Path.of("..");
        assertThat(Files.readString(root.resolve("LICENSE"))).contains("Apache License");
        assertThat(root.resolve("peers/tornado-seed/client.py")).exists();
        List<Path> docs;
        try (Stream<Path> files = Files.walk(root.resolve("docs"))) {
            docs = Stream.concat(Stream.of(root.resolve("README.md")), files.filter(f -> f.toString().endsWith(".md"))).toList();
        }
        for (Path doc : docs) {
            assertThat(Files.readString(doc)).as(doc.toString()).doesNotContain("../shared");
        }
    }
}
