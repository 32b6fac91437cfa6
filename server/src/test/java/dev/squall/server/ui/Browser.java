package dev.squall.server.ui;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * A real, headless Chromium for the dashboard's tests: Debian's {@code chromium} driven through
 * {@code chromium-driver}, both named explicitly so that Selenium never looks for (or downloads) a
 * browser. {@code ./test.sh} installs both when they are missing. The browser keeps its console
 * and its network log, so a test can say that the page logged no error and asked no other origin.
 *
 * <pre>{@code
 * try (Browser b = Browser.start(tempDir)) {
 *     b.driver().get(base + "/ui");
 *     assertThat(b.consoleErrors()).isEmpty();
 * }
 * }</pre>
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final List<LogEntry> performance = new ArrayList<>();
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    static Browser start(Path profile) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver: ./test.sh installs them "
                    + "(or: apt-get install -y chromium chromium-driver fonts-liberation)");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                .withLogFile(profile.resolve("chromedriver.log").toFile()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--disable-extensions", "--user-data-dir=" + profile.resolve("profile"), "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        try {
            return new Browser(service, new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Every URL the browser requested so far (from its network log). */
    List<String> requestedUrls() {
        performance.addAll(driver.manage().logs().get(LogType.PERFORMANCE).getAll());
        List<String> urls = new ArrayList<>();
        for (LogEntry e : performance) {
            String m = e.getMessage();
            if (m.contains("\"Network.requestWillBeSent\"")) {
                int i = m.indexOf("\"url\":\"", m.indexOf("\"request\":"));
                if (i > 0) {
                    urls.add(m.substring(i + 7, m.indexOf('"', i + 7)));
                }
            }
        }
        return urls;
    }

    /** The console messages at level SEVERE (errors, CSP violations, failed loads) so far. */
    List<String> consoleErrors() {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        return console.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    void screenshot(Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
