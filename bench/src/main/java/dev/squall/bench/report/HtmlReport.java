package dev.squall.bench.report;

import dev.squall.bench.BenchReport;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report as one self-contained HTML page: the text summary, latency over time, throughput over
 * time and the percentile spectrum, drawn as inline SVG. No script, no stylesheet, no font from
 * the network.
 */
public final class HtmlReport {
    private static final double[] SPECTRUM = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999};

    private HtmlReport() {
    }

    public static String render(BenchReport r) {
        List<BenchReport.Second> t = r.timeline();
        double[] xs = t.stream().mapToDouble(BenchReport.Second::second).toArray();
        String overTime = SvgChart.lines("Latency per second (all requests)", "second of the run", "ms", List.of(
                new SvgChart.Series("p50", "#1f77b4", xs, t.stream().mapToDouble(BenchReport.Second::p50Ms).toArray()),
                new SvgChart.Series("p99", "#d62728", xs, t.stream().mapToDouble(BenchReport.Second::p99Ms).toArray()),
                new SvgChart.Series("max", "#999999", xs, t.stream().mapToDouble(BenchReport.Second::maxMs).toArray())), List.of());
        String throughput = SvgChart.lines("Answers per second", "second of the run", "answers/s", List.of(
                new SvgChart.Series("ok", "#2ca02c", xs, t.stream().mapToDouble(BenchReport.Second::ok).toArray()),
                new SvgChart.Series("failed", "#d62728", xs, t.stream().mapToDouble(BenchReport.Second::failed).toArray())), List.of());
        String spectrum = SvgChart.lines("Percentile spectrum", "percentile", "ms", List.of(
                spectrum("ok", "#2ca02c", r.okHistogram()), spectrum("all", "#ff7f0e", r.allHistogram())), spectrumTicks());
        return page("squall bench: " + r.config().url(), "<pre>" + SvgChart.esc(TextReport.render(r)) + "</pre>"
                + "<div>" + overTime + "</div><div>" + throughput + "</div><div>" + spectrum + "</div>");
    }

    /** A complete page around {@code body}, with the project's one inline style. */
    public static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>" + SvgChart.esc(title) + "</title>"
                + "<style>body{font-family:sans-serif;margin:24px;max-width:820px}pre{background:#f6f6f6;padding:12px;"
                + "overflow-x:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
                + "svg{margin:12px 0;border:1px solid #eee}</style></head><body><h1>" + SvgChart.esc(title) + "</h1>"
                + body + "</body></html>\n";
    }

    private static SvgChart.Series spectrum(String name, String color, Histogram h) {
        List<double[]> pts = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (double p : SPECTRUM) {
                pts.add(new double[] {x(p), h.getValueAtPercentile(p) / 1000.0});
            }
            pts.add(new double[] {x(99.9999), h.getMaxValue() / 1000.0});
        }
        return new SvgChart.Series(name, color, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** Percentiles on a log scale of 1 / (1 - p): 90% -> 1, 99% -> 2, 99.9% -> 3. */
    private static double x(double percentile) {
        return Math.log10(1 / (1 - Math.min(percentile, 99.9999) / 100));
    }

    private static List<SvgChart.Tick> spectrumTicks() {
        List<SvgChart.Tick> ticks = new ArrayList<>();
        for (double p : new double[] {0, 90, 99, 99.9, 99.99, 99.999}) {
            ticks.add(new SvgChart.Tick(x(p), String.format(Locale.ROOT, p == Math.rint(p) ? "%.0f%%" : "%s%%", p == Math.rint(p) ? p : (Object) Double.toString(p))));
        }
        return ticks;
    }

    public static void write(BenchReport r, Path file) throws IOException {
        Files.writeString(file, render(r));
    }
}
