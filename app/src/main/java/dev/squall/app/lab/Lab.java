package dev.squall.app.lab;

import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.LoadGenerator;
import dev.squall.core.Durations;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.http.FreePort;

import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code squall lab}: replays the article's experiments. Each row gets its own child
 * {@code squall serve} on a free port, driven like the article's client (a new connection per
 * request, GET with {@code {"job_id": N}}, a deadline), and is stopped before the next row starts.
 *
 * <pre>{@code
 * List<LabResult> results = new Lab(Lab.Scale.QUICK, launcher, logs).run(System.out::println);
 * }</pre>
 */
public final class Lab {

    /** The article's times, or the same experiments scaled down to run in seconds. */
    public enum Scale {
        FULL(Duration.ofSeconds(1), Duration.ofSeconds(3), 1.0),
        QUICK(Duration.ofMillis(100), Duration.ofMillis(300), 0.2);

        final Duration work;
        final Duration timeout;
        final double bigRuns;

        Scale(Duration work, Duration timeout, double bigRuns) {
            this.work = work;
            this.timeout = timeout;
            this.bigRuns = bigRuns;
        }
    }

    private final Scale scale;
    private final JavaLauncher squall;
    private final Path logs;
    private volatile Process current;

    public Lab(Scale scale, JavaLauncher squall, Path logs) {
        this.scale = scale;
        this.squall = squall;
        this.logs = logs;
    }

    public Scale scale() {
        return scale;
    }

    /** Runs every row, telling {@code progress} as each ends. */
    public List<LabResult> run(List<LabRow> rows, Consumer<LabResult> progress) throws IOException, InterruptedException {
        Files.createDirectories(logs);
        List<LabResult> results = new ArrayList<>();
        for (LabRow row : rows) {
            LabResult r = runRow(row);
            results.add(r);
            progress.accept(r);
        }
        return results;
    }

    private LabResult runRow(LabRow row) throws InterruptedException {
        // --quick shortens the 3000-request rows too (to 600): at 0.1 s work they still show the lesson.
        int requests = row.requests() > 1000 ? (int) Math.max(row.concurrency(), Math.round(row.requests() * scale.bigRuns)) : row.requests();
        int port = FreePort.find("127.0.0.1");
        Path log = logs.resolve(String.format(Locale.ROOT, "%s-%d-%d.log", row.stage(), row.requests(), row.concurrency()));
        List<String> args = List.of("serve", "--stage", row.stage(), "--port", Integer.toString(port),
                "--sleep", Durations.format(scale.work), "--access-log", "off", "--log-level", "warn",
                // the article's queue is in memory; a durable file would also keep ids from earlier rows
                "--store", "memory");
        try {
            current = squall.processBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!waitUntilListening(port, current, Duration.ofSeconds(120))) {
                return new LabResult(row, requests, null, "", "the server did not start; see " + log);
            }
            String url = "http://127.0.0.1:" + port + "/";
            // A few requests first, not counted: at 0.1 s work a cold JIT is a large share of the deadline.
            LoadGenerator.start(config(url, Math.min(3, requests), 1)).await();
            BenchReport report = LoadGenerator.start(config(url, requests, row.concurrency())).await();
            return new LabResult(row, requests, report, explain(row, report), null);
        } catch (IOException | RuntimeException e) {
            return new LabResult(row, requests, null, "", String.valueOf(e.getMessage()));
        } finally {
            stopCurrent();
        }
    }

    private BenchConfig config(String url, int requests, int concurrency) {
        return BenchConfig.builder().url(url).requests(requests).concurrency(concurrency).keepAlive(false)
                .timeout(scale.timeout).build();
    }

    private static boolean waitUntilListening(int port, Process p, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/healthz").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Stops the row's server (SIGTERM, then SIGKILL for it and anything it started). Safe to call from a shutdown hook. */
    public void stopCurrent() {
        Process p = current;
        current = null;
        if (p == null) {
            return;
        }
        List<ProcessHandle> family = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /** One line on why the measurement differs from the claim, or "" when it does not. */
    String explain(LabRow row, BenchReport r) {
        double s = r.successPercent();
        int cores = Runtime.getRuntime().availableProcessors();
        double perDeadline = scale.timeout.toNanos() / (double) scale.work.toNanos();
        return switch (row.stage()) {
            case "blocking" -> Math.abs(s - row.claimPercent()) > 10
                    ? String.format(Locale.ROOT, "one loop serves one %s request at a time: about %.0f of %d fit in the %s deadline",
                    Durations.format(scale.work), perDeadline, row.requests(), Durations.format(scale.timeout)) : "";
            case "multiprocess" -> s < 90
                    ? String.format(Locale.ROOT, "start(0) means one process per core: %d here, not the article's 8, so at most about %.0f of %d fit in the deadline",
                    cores, Math.min(row.requests(), cores * perDeadline), row.requests()) : "";
            default -> {
                if (row.expectLow()) {
                    yield s > 50 ? "the pool kept up: this machine was faster than the experiment assumes" : "";
                }
                yield s < 95 ? String.format(Locale.ROOT, "below the claim: %d of %d timed out or failed; the machine may be overloaded (see p99)",
                        r.completed() - r.count(dev.squall.bench.Outcome.OK), r.completed()) : "";
            }
        };
    }

    /** Prints a row's line to {@code out} as it finishes. */
    public static void printRow(PrintStream out, LabResult r) {
        out.println(LabReport.row(r));
        out.flush();
    }
}
