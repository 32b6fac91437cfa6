package dev.squall.app.lab;

import dev.squall.bench.report.HtmlReport;
import dev.squall.bench.report.SvgChart;
import dev.squall.core.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The lab's table, as text and as a self-contained HTML page. */
public final class LabReport {
    static final String HEADER = String.format(Locale.ROOT, "%-13s %-9s %-46s %8s %10s %10s  %s",
            "stage", "clients", "the article says", "success", "median", "p99", "why it differs");

    private LabReport() {
    }

    public static String header(Lab.Scale scale) {
        return String.format(Locale.ROOT, "squall lab (%s: work %s, client deadline %s, a new connection per request, GET {\"job_id\": N})%n%s",
                scale.name().toLowerCase(Locale.ROOT), Durations.format(scale.work), Durations.format(scale.timeout), HEADER);
    }

    static String row(LabResult r) {
        String clients = r.requests() + "/" + r.row().concurrency();
        if (r.report() == null) {
            return String.format(Locale.ROOT, "%-13s %-9s %-46s %8s %10s %10s  %s", r.row().stage(), clients, r.row().claim(),
                    "-", "-", "-", "could not run: " + r.error());
        }
        return String.format(Locale.ROOT, "%-13s %-9s %-46s %7.1f%% %10s %10s  %s", r.row().stage(), clients, r.row().claim(),
                r.success(), ms(r.report().all().p50Ms()), ms(r.report().all().p99Ms()), r.explanation());
    }

    public static String table(Lab.Scale scale, List<LabResult> results) {
        StringBuilder b = new StringBuilder(header(scale)).append('\n');
        results.forEach(r -> b.append(row(r)).append('\n'));
        return b.toString();
    }

    private static String ms(double ms) {
        return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    public static void writeHtml(Lab.Scale scale, List<LabResult> results, Path file) throws IOException {
        StringBuilder t = new StringBuilder("<table><tr><th>stage</th><th>clients</th><th>the article says</th><th>success</th>"
                + "<th>median</th><th>p99</th><th>why it differs</th></tr>");
        for (LabResult r : results) {
            t.append("<tr><td>").append(SvgChart.esc(r.row().stage())).append("</td><td>").append(r.requests()).append('/')
                    .append(r.row().concurrency()).append("</td><td>").append(SvgChart.esc(r.row().claim())).append("</td>");
            if (r.report() == null) {
                t.append("<td colspan='3'>could not run</td><td>").append(SvgChart.esc(String.valueOf(r.error()))).append("</td></tr>");
            } else {
                t.append(String.format(Locale.ROOT, "<td>%.1f%%</td><td>%s</td><td>%s</td><td>%s</td></tr>", r.success(),
                        ms(r.report().all().p50Ms()), ms(r.report().all().p99Ms()), SvgChart.esc(r.explanation())));
            }
        }
        t.append("</table>");
        List<String> labels = results.stream().map(r -> r.row().stage() + " " + r.requests() + "/" + r.row().concurrency()).toList();
        String success = SvgChart.bars("Success (%)", "%", labels, results.stream().mapToDouble(LabResult::success).toArray(), 100, "#2ca02c");
        String p99 = SvgChart.bars("p99 latency (ms)", "ms", labels,
                results.stream().mapToDouble(r -> r.report() == null ? 0 : r.report().all().p99Ms()).toArray(), 0, "#d62728");
        Files.writeString(file, HtmlReport.page("squall lab (" + scale.name().toLowerCase(Locale.ROOT) + ")",
                "<p>" + SvgChart.esc(header(scale).lines().findFirst().orElse("")) + "</p>" + t + "<div>" + success + "</div><div>" + p99 + "</div>"));
    }
}
