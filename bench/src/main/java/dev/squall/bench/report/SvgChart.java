package dev.squall.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws small line and bar charts as inline SVG, so that a report is one file that needs nothing
 * from the network to show.
 *
 * <pre>{@code
 * String svg = SvgChart.lines("p99 per second", "second", "ms",
 *         List.of(new SvgChart.Series("p99", "#d62728", xs, ys)), List.of());
 * }</pre>
 */
public final class SvgChart {
    private static final int W = 760;
    private static final int H = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 34;
    private static final int BOTTOM = 44;

    private SvgChart() {
    }

    /** One line: its name, colour and points. */
    public record Series(String name, String color, double[] xs, double[] ys) {
    }

    /** A tick on the x axis at {@code x}, labelled {@code label}. */
    public record Tick(double x, String label) {
    }

    /**
     * A line chart. {@code xTicks} empty means evenly spaced numeric ticks.
     */
    public static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Tick> xTicks) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.xs().length; i++) {
                minX = Math.min(minX, s.xs()[i]);
                maxX = Math.max(maxX, s.xs()[i]);
                maxY = Math.max(maxY, s.ys()[i]);
            }
        }
        if (minX == Double.MAX_VALUE) {
            minX = 0;
            maxX = 1;
        }
        if (maxX <= minX) {
            maxX = minX + 1;
        }
        maxY = niceCeil(maxY <= 0 ? 1 : maxY);
        StringBuilder b = open(title);
        axes(b, xLabel, yLabel, maxY);
        List<Tick> ticks = xTicks.isEmpty() ? evenTicks(minX, maxX) : xTicks;
        for (Tick t : ticks) {
            double px = px(t.x(), minX, maxX);
            b.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ccc'/>", px, H - BOTTOM, px, H - BOTTOM + 5));
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>", px, H - BOTTOM + 18, esc(t.label())));
        }
        int legend = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.xs().length; i++) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(s.xs()[i], minX, maxX), py(s.ys()[i], maxY)));
            }
            b.append("<polyline fill='none' stroke-width='2' stroke='").append(s.color()).append("' points='").append(pts).append("'/>");
            if (s.xs().length == 1) {
                b.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>",
                        px(s.xs()[0], minX, maxX), py(s.ys()[0], maxY), s.color()));
            }
            b.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='12' height='4' fill='%s'/>", LEFT + 8 + legend * 140, 18, s.color()));
            b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11'>%s</text>", LEFT + 24 + legend * 140, 23, esc(s.name())));
            legend++;
        }
        return b.append("</svg>").toString();
    }

    /** A bar chart: one bar per label, values in {@code 0..max}. */
    public static String bars(String title, String yLabel, List<String> labels, double[] values, double max, String color) {
        double maxY = max > 0 ? max : niceCeil(java.util.Arrays.stream(values).max().orElse(1));
        StringBuilder b = open(title);
        axes(b, "", yLabel, maxY);
        int n = Math.max(1, labels.size());
        double slot = (W - LEFT - RIGHT) / (double) n;
        for (int i = 0; i < labels.size(); i++) {
            double x = LEFT + i * slot + slot * 0.15;
            double y = py(values[i], maxY);
            b.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>",
                    x, y, slot * 0.7, H - BOTTOM - y, color));
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle'>%s</text>",
                    x + slot * 0.35, y - 3, esc(fmt(values[i]))));
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%s</text>",
                    x + slot * 0.35, H - BOTTOM + 16, esc(labels.get(i))));
        }
        return b.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        return new StringBuilder(4096)
                .append(String.format(Locale.ROOT, "<svg width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>", W, H, W, H))
                .append(String.format(Locale.ROOT, "<text x='%d' y='12' font-size='13' font-weight='bold'>%s</text>", LEFT, esc(title)));
    }

    private static void axes(StringBuilder b, String xLabel, String yLabel, double maxY) {
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", LEFT, TOP, LEFT, H - BOTTOM));
        b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            double y = py(v, maxY);
            b.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", LEFT, y, W - RIGHT, y));
            b.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%s</text>", LEFT - 6, y + 4, esc(fmt(v))));
        }
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' text-anchor='middle'>%s</text>", (LEFT + W - RIGHT) / 2, H - 6, esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x='14' y='%d' font-size='11' text-anchor='middle' transform='rotate(-90 14 %d)'>%s</text>",
                (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, esc(yLabel)));
    }

    private static List<Tick> evenTicks(double min, double max) {
        List<Tick> ticks = new ArrayList<>();
        double step = niceCeil((max - min) / 8);
        for (double x = Math.ceil(min / step) * step; x <= max + 1e-9; x += step) {
            ticks.add(new Tick(x, fmt(x)));
        }
        return ticks;
    }

    private static double px(double x, double min, double max) {
        return LEFT + (x - min) / (max - min) * (W - LEFT - RIGHT);
    }

    private static double py(double y, double maxY) {
        return H - BOTTOM - Math.min(1, Math.max(0, y / maxY)) * (H - TOP - BOTTOM);
    }

    static double niceCeil(double v) {
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * e >= v) {
                return m * e;
            }
        }
        return 10 * e;
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Escapes text for HTML and SVG. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&quot;");
    }
}
