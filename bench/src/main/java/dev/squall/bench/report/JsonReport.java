package dev.squall.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.Latency;
import dev.squall.bench.Outcome;
import dev.squall.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report as a versioned JSON document; its shape is documented in docs/bench.md and checked by
 * the tests. Version 1. Times are seconds, latencies milliseconds.
 */
public final class JsonReport {
    public static final int VERSION = 1;

    private JsonReport() {
    }

    public static ObjectNode toJson(BenchReport r) {
        BenchConfig c = r.config();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("report", "squall-bench");
        root.put("version", VERSION);
        ObjectNode s = root.putObject("settings");
        s.put("url", c.url().toString());
        s.put("method", c.method());
        ArrayNode headers = s.putArray("headers");
        c.headers().forEach(headers::add);
        s.put("body", c.body());
        s.put("mode", c.openLoop() ? "open" : "closed");
        s.put("requests", c.requests());
        s.put("concurrency", c.concurrency());
        s.put("rate", c.rate());
        if (c.duration() == null) {
            s.putNull("duration_s");
        } else {
            s.put("duration_s", c.duration().toNanos() / 1e9);
        }
        s.put("timeout_s", c.timeout().toNanos() / 1e9);
        s.put("keep_alive", c.keepAlive());
        s.put("warmup_s", c.warmup().toNanos() / 1e9);
        s.put("threads", c.threads());
        if (c.minSuccess() == null) {
            s.putNull("min_success");
        } else {
            s.put("min_success", c.minSuccess());
        }
        root.put("started", r.started().toString());
        root.put("elapsed_s", r.elapsed().toNanos() / 1e9);
        root.put("sent", r.sent());
        root.put("late", r.late());
        root.put("completed", r.completed());
        root.put("success_percent", r.successPercent());
        root.put("throughput_rps", r.throughput());
        ObjectNode outcomes = root.putObject("outcomes");
        for (Outcome o : Outcome.values()) {
            outcomes.put(o.name().toLowerCase(java.util.Locale.ROOT), r.count(o));
        }
        ObjectNode statuses = root.putObject("statuses");
        r.statuses().forEach((code, n) -> statuses.put(Integer.toString(code), n));
        ObjectNode lat = root.putObject("latency_ms");
        latency(lat.putObject("ok"), r.ok());
        latency(lat.putObject("all"), r.all());
        ArrayNode timeline = root.putArray("timeline");
        for (BenchReport.Second sec : r.timeline()) {
            ObjectNode t = timeline.addObject();
            t.put("second", sec.second());
            t.put("sent", sec.sent());
            t.put("ok", sec.ok());
            t.put("failed", sec.failed());
            t.put("p50_ms", sec.p50Ms());
            t.put("p99_ms", sec.p99Ms());
            t.put("max_ms", sec.maxMs());
        }
        ArrayNode warnings = root.putArray("warnings");
        r.warnings().forEach(warnings::add);
        root.put("client_busy", r.clientBusy());
        return root;
    }

    private static void latency(ObjectNode n, Latency l) {
        n.put("count", l.count());
        n.put("mean", l.meanMs());
        n.put("p50", l.p50Ms());
        n.put("p90", l.p90Ms());
        n.put("p99", l.p99Ms());
        n.put("p99_9", l.p999Ms());
        n.put("max", l.maxMs());
    }

    public static void write(BenchReport r, Path file) throws IOException {
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(r)) + "\n");
    }
}
