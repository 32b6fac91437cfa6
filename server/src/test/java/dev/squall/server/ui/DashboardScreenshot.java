package dev.squall.server.ui;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: takes the README's picture of the dashboard of a running server, in the browser the
 * tests use. {@code bench/scripts/dashboard-screenshot.sh} runs it against a server it loads with
 * a mix of jobs.
 *
 * <pre>{@code
 * java -cp ... dev.squall.server.ui.DashboardScreenshot http://127.0.0.1:8888 docs/dashboard.png
 * }</pre>
 */
public final class DashboardScreenshot {
    private DashboardScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        Path out = Path.of(args[1]);
        Path profile = Files.createTempDirectory("squall-shot");
        try (Browser b = Browser.start(profile)) {
            b.driver().get(base + "/ui");
            Thread.sleep(4000); // a few live frames
            b.screenshot(out.toAbsolutePath());
            System.out.println("wrote " + out + "; console errors: " + b.consoleErrors());
        }
    }
}
