package dev.squall.store.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own, which the test may stop and start (a database restart,
 * without touching the machine's server): a fresh cluster made with this machine's PostgreSQL
 * binaries ({@code /usr/lib/postgresql/VERSION/bin}) in a temporary folder, listening on a free
 * port of 127.0.0.1, trust authentication. PostgreSQL refuses to run as root, so as root it runs as
 * the {@code postgres} user.
 *
 * <pre>{@code
 * try (OwnPostgres pg = OwnPostgres.start()) {
 *     String url = pg.url();   // postgresql://postgres@127.0.0.1:PORT/postgres
 *     pg.stop(); pg.start();   // a restart
 * }
 * }</pre>
 */
public final class OwnPostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private OwnPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Makes a fresh cluster and starts it. Fails (never skips) when no PostgreSQL binaries are installed. */
    public static OwnPostgres start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("squall-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OwnPostgres pg = new OwnPostgres(bin, dir, port, root);
        if (root) {
            pg.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
            dir.toFile().setReadable(true, false);
            dir.toFile().setExecutable(true, false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "-A", "trust", "--no-sync", "-E", "UTF8"), true);
        pg.start0();
        return pg;
    }

    private static Path binaries() {
        File[] versions = new File("/usr/lib/postgresql").listFiles();
        if (versions != null) {
            Arrays.sort(versions, Comparator.comparing(File::getName).reversed());
            for (File v : versions) {
                Path b = v.toPath().resolve("bin");
                if (Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb"))) {
                    return b;
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL server binaries under /usr/lib/postgresql: install them "
                + "(apt-get install postgresql) to run the database-restart tests");
    }

    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    /** Starts the server again after {@link #stop}. */
    public void start0() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60", "-l",
                dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 "
                        + "-c fsync=off -c max_connections=100", "start"), true);
    }

    /** Stops the server at once (fast shutdown: clients are disconnected). */
    public void stop() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60", "-m", "fast",
                "stop"), true);
    }

    /**
     * Freezes the server, every process of it (SIGSTOP), as a paused VM or a disk that stopped
     * answering would: connections stay open and nothing answers. {@link #thaw} resumes it.
     */
    public void freeze() throws IOException, InterruptedException {
        signalAll("STOP");
    }

    /** Resumes a server {@link #freeze frozen} before. */
    public void thaw() throws IOException, InterruptedException {
        signalAll("CONT");
    }

    /**
     * Sends {@code signal} to the postmaster, then to each of its processes; a backend that ended
     * between the listing and its signal (a client that disconnected) is no longer there to signal.
     */
    private void signalAll(String signal) throws IOException, InterruptedException {
        long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().trim());
        run(List.of("kill", "-" + signal, Long.toString(postmaster)), false);
        for (ProcessHandle child : ProcessHandle.of(postmaster).map(h -> h.descendants().toList()).orElse(List.of())) {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 && child.isAlive()) {
                throw new IOException("kill -" + signal + " " + child.pid() + " failed");
            }
        }
    }

    private void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } catch (IOException alreadyStopped) {
            // stopped by the test
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
