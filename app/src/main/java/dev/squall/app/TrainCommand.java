package dev.squall.app;

import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.LoadGenerator;
import dev.squall.bench.Outcome;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.boot.SquallServers;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code squall train}: the training run of the launcher's ahead-of-time cache. Not for people.
 *
 * <p>Under {@code -XX:AOTCacheOutput} the JVM records the classes this run loads and links and the
 * profiles of the methods it runs, and writes them to the cache when it exits; a later
 * {@code serve} with {@code -XX:AOTCache} then starts from them (classes ready, hot methods compiled
 * sooner). So the run does what a server does in its first seconds: it starts {@code serve} as the
 * flags make it (the default SQLite store, then the memory store), sends the requests a busy
 * server answers ({@code POST /jobs}, the seed route, reads of jobs, {@code /healthz},
 * {@code /metrics}) with the load generator of {@code squall bench}, lets the workers run them,
 * and stops. Only 127.0.0.1 is used; every run is bounded in count.
 */
@Command(name = "train", hidden = true,
        description = "Runs a server through its hot paths once, for the launcher's ahead-of-time cache. Not for people.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--requests", description = "Requests of each kind per store (default: ${DEFAULT-VALUE}).")
    int requests = 12_000;

    @CommandLine.Option(names = "--connections", description = "Connections at once (default: ${DEFAULT-VALUE}).")
    int connections = 16;

    @Override
    public Integer call() throws Exception {
        LogSetup.level("warn");
        Path dir = Files.createTempDirectory("squall-train");
        try {
            Path tokens = dir.resolve("tokens");
            String token = "train-" + Long.toHexString(System.nanoTime()) + Long.toHexString(ProcessHandle.current().pid());
            Files.writeString(tokens, token + "\n");
            Files.setPosixFilePermissions(tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            for (String store : List.of("sqlite:" + dir.resolve("train.db"), "memory")) {
                ServerConfig config = serveConfig("--port", "0", "--store", store, "--token-file", tokens.toString(),
                        "--access-log", "off", "--sleep", "0");
                try (SquallServer server = SquallServers.start(config)) {
                    drive(server.port(), token);
                }
            }
            return 0;
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The configuration {@code squall serve ARGS} would run with. */
    private static ServerConfig serveConfig(String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args);
        return serve.toConfig();
    }

    /** The hot requests, through the load generator of {@code squall bench}; every answer must be a 2xx. */
    private void drive(int port, String token) throws IOException, InterruptedException {
        String base = "http://127.0.0.1:" + port;
        List<String> json = List.of("Authorization: Bearer " + token, "Content-Type: application/json");
        List<String> auth = List.of("Authorization: Bearer " + token);
        send(base + "/jobs", "POST", json, "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 0}}", requests);
        send(base + "/", "GET", json, "{\"job_id\": {seq}}", requests);
        // Made last: the memory store keeps only the latest 10,000 finished jobs.
        send(base + "/jobs", "POST", json, "{\"id\": \"train-read\", \"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 0}}", 1);
        send(base + "/jobs/train-read", "GET", auth, "", Math.max(1, requests / 8));
        send(base + "/jobs?state=succeeded&limit=20", "GET", auth, "", Math.max(1, requests / 100));
        send(base + "/metrics", "GET", auth, "", Math.max(1, requests / 500));
        send(base + "/healthz", "GET", List.of(), "", Math.max(1, requests / 500));
    }

    private void send(String url, String method, List<String> headers, String body, int count) throws IOException, InterruptedException {
        BenchReport report = LoadGenerator.start(BenchConfig.builder().url(url).method(method).headers(headers).body(body)
                .requests(count).concurrency(Math.min(connections, count)).timeout(Duration.ofSeconds(10)).build()).await();
        if (report.count(Outcome.OK) != count) {
            throw new IOException("the training requests failed: " + method + " " + url + ": " + report.count(Outcome.OK)
                    + " of " + count + " answered 2xx (" + report.outcomes() + ", statuses " + report.statuses() + ")");
        }
    }
}
