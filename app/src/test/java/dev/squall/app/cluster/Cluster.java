package dev.squall.app.cluster;

import dev.squall.app.SquallMain;
import dev.squall.core.process.JavaLauncher;
import dev.squall.core.testing.PluginJars;
import dev.squall.server.http.FreePort;
import dev.squall.server.testing.TestHttp;
import dev.squall.store.testing.TestPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Real {@code squall serve} nodes on one PostgreSQL database, for the chaos tests. Every node loads
 * a {@code ledger} handler plugin that appends "id attempt pid" to one shared file each time it
 * starts an attempt (one short O_APPEND write: lines of different processes never mix), so a test
 * can tell exactly which jobs ran more than once, and where.
 */
final class Cluster implements AutoCloseable {
    static final String LEDGER_HANDLER = """
            package ledger;
            import dev.squall.core.JobContext;
            import dev.squall.core.JobHandler;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.*;
            public final class Ledger implements JobHandler {
                public String kind() { return "ledger"; }
                public String run(JobContext ctx) throws Exception {
                    String line = ctx.job().id() + " " + ctx.job().attempt() + " " + ProcessHandle.current().pid() + "\\n";
                    Files.write(Path.of(System.getenv("SQUALL_TEST_LEDGER")), line.getBytes(StandardCharsets.UTF_8),
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                    Thread.sleep(Long.parseLong(System.getenv("SQUALL_TEST_LEDGER_SLEEP_MS")));
                    return "{\\"pid\\":" + ProcessHandle.current().pid() + "}";
                }
            }
            """;

    final String dbUrl;
    final Path dir;
    final Path ledger;
    private final Path plugins;
    private final long sleepMillis;
    final List<Node> nodes = new ArrayList<>();

    /** One node: its process, port and id. */
    record Node(String id, int port, Process process, Path log) {
        long pid() {
            return process.pid();
        }
    }

    Cluster(String dbUrl, Path dir, long sleepMillis) throws IOException {
        this.dbUrl = dbUrl;
        this.dir = dir;
        this.ledger = dir.resolve("ledger.txt");
        this.sleepMillis = sleepMillis;
        this.plugins = PluginJars.build(dir, "ledger.Ledger", LEDGER_HANDLER);
    }

    /** Starts a node and waits for its /healthz. */
    Node start(String id, String... flags) throws Exception {
        Node n = launch(id, flags);
        awaitHealthy(n);
        return n;
    }

    /** Starts a node without waiting for it. */
    Node launch(String id, String... flags) throws Exception {
        int port = FreePort.find("127.0.0.1");
        Path log = dir.resolve(id + ".log");
        List<String> args = new ArrayList<>(List.of("serve", "--stage", "queue", "--store", dbUrl, "--node-id", id,
                "--port", Integer.toString(port), "--workers", "8", "--collect-every", "50ms", "--access-log", "off",
                "--log-level", "warn", "--retry-backoff", "0", "--plugins", plugins.toString(), "--shutdown-grace", "5s"));
        args.addAll(List.of(flags));
        ProcessBuilder pb = JavaLauncher.current(SquallMain.class.getName()).processBuilder(args)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SQUALL_TEST_LEDGER", ledger.toString());
        pb.environment().put("SQUALL_TEST_LEDGER_SLEEP_MS", Long.toString(sleepMillis));
        Node n = new Node(id, port, pb.start(), log);
        nodes.add(n);
        return n;
    }

    static void awaitHealthy(Node n) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!n.process().isAlive()) {
                throw new AssertionError("node " + n.id() + " exited: " + Files.readString(n.log()));
            }
            try {
                return TestHttp.send(n.port(), "GET", "/healthz", null, Duration.ofSeconds(2)).status() == 200;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /**
     * Submits job {@code id} through {@code n}; true when acknowledged: 202, or 200 when an earlier try
     * whose answer was lost had created it. False on any other answer or error.
     */
    static boolean submit(Node n, String id) {
        try {
            int status = TestHttp.send(n.port(), "POST", "/jobs", "{\"id\": \"" + id + "\", \"kind\": \"ledger\", \"payload\": {}}",
                    Duration.ofSeconds(10)).status();
            return status == 202 || status == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    String health(Node n) {
        return TestHttp.send(n.port(), "GET", "/healthz", null, Duration.ofSeconds(5)).body();
    }

    /** How many times each job started, from the ledger. */
    Map<String, Integer> runs() throws IOException {
        Map<String, Integer> m = new HashMap<>();
        if (Files.exists(ledger)) {
            for (String line : Files.readAllLines(ledger)) {
                if (!line.isBlank()) {
                    m.merge(line.split(" ")[0], 1, Integer::sum);
                }
            }
        }
        return m;
    }

    /** The pids each job started in, from the ledger. */
    Map<String, Set<Long>> ranIn() throws IOException {
        Map<String, Set<Long>> m = new HashMap<>();
        for (String line : Files.readAllLines(ledger)) {
            if (!line.isBlank()) {
                String[] f = line.split(" ");
                m.computeIfAbsent(f[0], k -> ConcurrentHashMap.newKeySet()).add(Long.parseLong(f[2]));
            }
        }
        return m;
    }

    /** The first column of each row of {@code sql}, on the cluster's database. */
    List<String> column(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(dbUrl); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    long count(String sql) throws Exception {
        return Long.parseLong(column(sql).getFirst());
    }

    /** Each job's state, by id. */
    Map<String, String> states() throws Exception {
        Map<String, String> m = new HashMap<>();
        try (Connection c = TestPostgres.connect(dbUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, state FROM squall_job")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getString(2));
            }
        }
        return m;
    }

    void signal(Node n, String signal) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(n.pid())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + n.pid() + " failed");
        }
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            try {
                b.append("---- ").append(n.id()).append('\n').append(Files.readString(n.log()));
            } catch (IOException e) {
                b.append("(no log)\n");
            }
        }
        return b.toString();
    }

    /** Stops every node it started that still runs: SIGCONT first (a frozen one), then SIGTERM, then SIGKILL. */
    @Override
    public void close() throws Exception {
        for (Node n : nodes) {
            if (n.process().isAlive()) {
                new ProcessBuilder("kill", "-CONT", Long.toString(n.pid())).start().waitFor();
                n.process().destroy();
            }
        }
        for (Node n : nodes) {
            if (!n.process().waitFor(30, TimeUnit.SECONDS)) {
                n.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
