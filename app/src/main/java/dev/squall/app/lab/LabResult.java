package dev.squall.app.lab;

import dev.squall.bench.BenchReport;

/**
 * What one row measured, and why it may differ from the article.
 *
 * @param row         the experiment
 * @param requests    requests actually sent (scaled down by --quick)
 * @param report      the bench report, or null when the stage could not be run
 * @param explanation one line on why the figure differs from the claim, or "" when it agrees
 * @param error       why the row could not run, or null
 */
public record LabResult(LabRow row, int requests, BenchReport report, String explanation, String error) {

    public double success() {
        return report == null ? 0 : report.successPercent();
    }
}
