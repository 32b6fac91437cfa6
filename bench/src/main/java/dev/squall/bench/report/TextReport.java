package dev.squall.bench.report;

import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.Latency;
import dev.squall.bench.Outcome;
import dev.squall.core.Durations;

import java.util.Locale;
import java.util.stream.Collectors;

/** The report as text; its first line is exactly the article's success line. */
public final class TextReport {
    private TextReport() {
    }

    public static String render(BenchReport r) {
        BenchConfig c = r.config();
        StringBuilder b = new StringBuilder();
        b.append(r.successLine()).append('\n');
        b.append(String.format(Locale.ROOT, "requests   %d sent, %d done in %.3f s: %.1f req/s (%s, %s, deadline %s)%n",
                r.sent(), r.completed(), r.elapsed().toNanos() / 1e9, r.throughput(), mode(c),
                c.keepAlive() ? "keep-alive" : "a new connection per request", Durations.format(c.timeout())));
        if (c.openLoop()) {
            b.append(String.format(Locale.ROOT, "schedule   %.1f req/s asked, %d sent late%n", c.rate(), r.late()));
        }
        b.append("outcomes   ok ").append(r.count(Outcome.OK));
        r.statuses().forEach((code, n) -> {
            if (code / 100 != 2) {
                b.append(" | ").append(code).append(' ').append(n);
            }
        });
        for (Outcome o : new Outcome[] {Outcome.TIMEOUT, Outcome.REFUSED, Outcome.RESET, Outcome.OTHER}) {
            b.append(" | ").append(o.label()).append(' ').append(r.count(o));
        }
        b.append('\n');
        if (!r.statuses().isEmpty()) {
            b.append("statuses   ").append(r.statuses().entrySet().stream()
                    .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        }
        b.append(latency("latency ok ", r.ok()));
        b.append(latency("latency all", r.all()));
        for (String w : r.warnings()) {
            b.append("warning    ").append(w).append('\n');
        }
        if (c.minSuccess() != null && !r.meetsMinSuccess()) {
            b.append(String.format(Locale.ROOT, "FAILED     success %.2f%% is below --min-success %.2f%%%n", r.successPercent(), c.minSuccess()));
        }
        return b.toString();
    }

    static String mode(BenchConfig c) {
        return c.openLoop()
                ? String.format(Locale.ROOT, "open loop at %.1f req/s, at most %d in flight", c.rate(), c.concurrency())
                : "closed loop, " + c.concurrency() + " caller" + (c.concurrency() == 1 ? "" : "s");
    }

    private static String latency(String label, Latency l) {
        if (l.count() == 0) {
            return label + "  (none)\n";
        }
        return String.format(Locale.ROOT, "%s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%d)%n", label,
                ms(l.p50Ms()), ms(l.p90Ms()), ms(l.p99Ms()), ms(l.p999Ms()), ms(l.maxMs()), l.count());
    }

    static String ms(double ms) {
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2fs", ms / 1000);
        }
        return ms >= 10 ? String.format(Locale.ROOT, "%.1fms", ms) : String.format(Locale.ROOT, "%.3fms", ms);
    }
}
