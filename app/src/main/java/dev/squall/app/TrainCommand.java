package dev.squall.app;

import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.boot.SquallServers;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code squall train}: the training run of the launcher's ahead-of-time cache. Not for people.
 *
 * <p>Under {@code -XX:AOTCacheOutput} the JVM records the classes this run loads and links and the
 * profiles of the methods it runs, and writes them to the cache when it exits; a later
 * {@code serve} with {@code -XX:AOTCache} then starts from them (classes ready, hot methods compiled
 * sooner). So the run does what a server does in its first seconds: it starts {@code serve} as the
 * flags make it (the default SQLite store, then the memory store), sends the requests a busy
 * server answers ({@code POST /jobs}, the seed route, reads of jobs, {@code /healthz},
 * {@code /metrics}), lets the workers run them, and stops. Only 127.0.0.1 is used; every loop is
 * bounded in count.
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

    private void drive(int port, String token) throws Exception {
        AtomicLong ids = new AtomicLong(System.nanoTime() % 1_000_000_000L * 1000);
        String auth = "Authorization: Bearer " + token + "\r\n";
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        int each = Math.max(1, requests / connections);
        for (int c = 0; c < connections; c++) {
            Thread t = Thread.ofPlatform().name("squall-train-" + c).start(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    String lastId = null;
                    for (int i = 0; i < each; i++) {
                        String post = "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 0}}";
                        String body = exchange(out, in, "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                                + "Content-Type: application/json\r\nContent-Length: " + post.length() + "\r\n\r\n" + post);
                        int at = body.indexOf("\"id\":\"");
                        if (at >= 0) {
                            lastId = body.substring(at + 6, body.indexOf('"', at + 6));
                        }
                        String seed = "{\"job_id\": " + ids.incrementAndGet() + "}";
                        exchange(out, in, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Content-Type: application/json\r\n"
                                + "Content-Length: " + seed.length() + "\r\n\r\n" + seed);
                        if (i % 8 == 0 && lastId != null) {
                            exchange(out, in, "GET /jobs/" + lastId + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
                        }
                        if (i % 500 == 0) {
                            exchange(out, in, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                            exchange(out, in, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
                            exchange(out, in, "GET /jobs?state=succeeded&limit=20 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IOException("the training requests failed: " + failures.getFirst(), failures.getFirst());
        }
    }

    /** Sends one request and reads its answer (status line, headers, a Content-Length body); returns the body. */
    private static String exchange(OutputStream out, InputStream in, String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int last = 0; // the last four bytes read: the head ends at CR LF CR LF
        while (last != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            head.write(b);
            last = last << 8 | b;
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (!headers.startsWith("HTTP/1.1 2")) {
            throw new IOException("the server answered " + headers.lines().findFirst().orElse("") + " to "
                    + request.lines().findFirst().orElse(""));
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
