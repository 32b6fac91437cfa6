package dev.squall.app;

import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.BenchRun;
import dev.squall.bench.LoadGenerator;
import dev.squall.bench.report.HtmlReport;
import dev.squall.bench.report.JsonReport;
import dev.squall.bench.report.TextReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code squall bench}: the article's client, made into an instrument. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sends HTTP load and reports success, throughput and latency (HdrHistogram).",
                "Closed loop: -n and -c. Open loop: --rate with --duration (latency from each request's due time).",
                "The first line of the report is the article's: '100.0%% request success!'."})
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", defaultValue = BenchConfig.DEFAULT_URL, description = "Target URL. Default: ${DEFAULT-VALUE}")
    String url;

    @Option(names = {"-n", "--requests"}, description = "Requests to send (default 1000, or unbounded with --duration).")
    Long requests;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "10", description = "Callers (closed loop) or most requests in flight (open loop). Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0", description = "Open loop: requests per second (0 = closed loop).")
    double rate;

    @Option(names = {"-d", "--duration"}, converter = Converters.DurationConverter.class, description = "How long to send, like 10s.")
    Duration duration;

    @Option(names = "--timeout", defaultValue = "3s", converter = Converters.DurationConverter.class,
            description = "Deadline of each request; an unanswered request is aborted then and counts as a timeout. Default: ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = {"-m", "--method"}, defaultValue = "GET", description = "HTTP method. Default: ${DEFAULT-VALUE} (like the article)")
    String method;

    @Option(names = {"-H", "--header"}, description = "Extra header 'Name: value' (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-b", "--body"}, defaultValue = BenchConfig.DEFAULT_BODY,
            description = "Body template: {seq} (0,1,2,...), {uuid}, {rand}. Default: ${DEFAULT-VALUE}; '' for none.")
    String body;

    @Option(names = "--keep-alive", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reuse connections (default), or --no-keep-alive.")
    boolean keepAlive;

    @Option(names = "--new-connection", description = "One new TCP connection per request, like the article's requests.get.")
    boolean newConnection;

    @Option(names = "--warmup", defaultValue = "0", converter = Converters.DurationConverter.class,
            description = "Send the same traffic this long first, left out of the figures.")
    Duration warmup;

    @Option(names = "--threads", defaultValue = "1", description = "Client event loops. Default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--min-success", description = "Exit with code 1 when the success percentage is below this.")
    Double minSuccess;

    @Option(names = "--json", description = "Also write the report as JSON to this file.")
    Path json;

    @Option(names = "--html", description = "Also write the report as one self-contained HTML page with charts.")
    Path html;

    @Option(names = "--progress", defaultValue = "auto", description = "Live progress on stderr: auto (when it is a terminal), on, off.")
    String progress;

    BenchConfig toConfig() {
        long n = requests != null ? requests : (duration != null ? 0 : 1000);
        return BenchConfig.builder().url(url).method(method).headers(headers).body(body).requests(n)
                .concurrency(concurrency).rate(rate).duration(duration).timeout(timeout)
                .keepAlive(keepAlive && !newConnection).warmup(warmup).minSuccess(minSuccess).threads(threads).build();
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config = toConfig();
        boolean live = switch (progress.toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> Terminal.isInteractive();
            default -> throw new IllegalArgumentException("--progress: one of auto, on, off");
        };
        BenchRun run = LoadGenerator.start(config);
        Thread hook = new Thread(run::cancel, "squall-bench-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread ticker = live ? startProgress(run, System.err) : null;
        BenchReport report;
        try {
            report = run.await();
        } finally {
            if (ticker != null) {
                ticker.interrupt();
                ticker.join(1000);
                System.err.print("\r\033[K");
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already exiting: the hook has run
            }
        }
        System.out.print(TextReport.render(report));
        if (json != null) {
            JsonReport.write(report, json);
        }
        if (html != null) {
            HtmlReport.write(report, html);
        }
        return report.meetsMinSuccess() ? 0 : 1;
    }

    private static Thread startProgress(BenchRun run, PrintStream err) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                BenchRun.Progress p = run.progress();
                err.printf(Locale.ROOT, "\r\033[K%s%.0fs  done %d  in flight %d  %.0f req/s  success %.1f%%  p99 (last s) %.1f ms",
                        p.warmingUp() ? "warm-up " : "", p.elapsedSeconds(), p.done(), p.inFlight(), p.rate(), p.successPercent(),
                        p.lastSecondP99Ms());
                err.flush();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "squall-bench-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
