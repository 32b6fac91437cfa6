package dev.squall.server.ui;

import dev.squall.server.boot.SquallServers;
import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import dev.squall.core.testing.PluginJars;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.testing.Servers;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser (headless Chromium): live counts, finding a dead job by its id,
 * retrying it from the page and seeing it succeed; no request to another origin, no console error;
 * and the same with tokens on, through the login page.
 */
class DashboardBrowserTest {
    private static final Duration T = Duration.ofSeconds(15);
    /** Fails while its flag file exists: a downstream service that is down, then fixed. */
    private static final String DOWNSTREAM = """
            package flaky;
            import dev.squall.core.JobContext;
            import dev.squall.core.JobHandler;
            import java.nio.file.*;
            public final class Downstream implements JobHandler {
                public String kind() { return "downstream"; }
                public String run(JobContext ctx) throws Exception {
                    if (Files.exists(Path.of(ctx.payload().get("flag").asText()))) {
                        throw new IllegalStateException("downstream is down");
                    }
                    return "{\\"delivered\\":true}";
                }
            }
            """;
    @TempDir
    Path dir;

    private static TestHttp.Response post(int port, String path, String body, Map<String, String> headers) {
        java.util.Map<String, String> h = new java.util.HashMap<>(headers);
        h.put("Content-Type", "application/json");
        return TestHttp.send(port, "POST", path, body, h, T);
    }

    /** A request that leaves the browser (not its own chrome:// pages, not a data: URL). */
    private static boolean network(String url) {
        return url.startsWith("http:") || url.startsWith("https:") || url.startsWith("ws:") || url.startsWith("wss:");
    }

    private static String text(WebDriver d, String testId) {
        return d.findElement(By.cssSelector("[data-testid='" + testId + "']")).getText();
    }

    private static WebElement byTestId(WebDriver d, String testId) {
        return d.findElement(By.cssSelector("[data-testid='" + testId + "']"));
    }

    @Test
    void theOverviewIsLiveAndADeadJobFoundByItsIdIsRetriedFromThePageAndSucceeds() throws Exception {
        Path plugins = PluginJars.build(dir, "flaky.Downstream", DOWNSTREAM);
        Path flag = Files.createFile(dir.resolve("downstream-down"));
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).plugins(plugins).build());
             Browser b = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
            int port = s.port();
            String base = "http://127.0.0.1:" + port;
            Map<String, String> none = Map.of();
            for (int i = 0; i < 3; i++) {
                assertThat(post(port, "/jobs", "{\"kind\":\"echo\"}", none).status()).isEqualTo(202);
            }
            String payload = "{\"flag\":" + Json.quote(flag.toString()) + "}";
            assertThat(post(port, "/jobs", "{\"id\":\"invoice-7781\",\"kind\":\"downstream\",\"max_attempts\":1,\"payload\":"
                    + payload + "}", none).status()).isEqualTo(202);
            await().atMost(T).until(() -> TestHttp.send(port, "GET", "/jobs/invoice-7781", null, T).body().contains("\"dead\""));

            WebDriver d = b.driver();
            WebDriverWait wait = new WebDriverWait(d, T);
            d.get(base + "/ui");
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='live-badge']"), "live"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-dead']"), "1"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-succeeded']"), "3"));
            ((org.openqa.selenium.JavascriptExecutor) d).executeScript("window.squallTestMarker = 42;");

            // Counts change while the page stays open (no reload: the marker survives).
            for (int i = 0; i < 5; i++) {
                assertThat(post(port, "/jobs", "{\"kind\":\"echo\"}", none).status()).isEqualTo(202);
            }
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-succeeded']"), "8"));
            assertThat(((org.openqa.selenium.JavascriptExecutor) d).executeScript("return window.squallTestMarker;")).isEqualTo(42L);
            wait.until(dr -> !text(dr, "wait").equals("-") && !text(dr, "run").equals("-"));
            assertThat(d.findElements(By.cssSelector("#chart canvas"))).as("the throughput chart is drawn").isNotEmpty();
            b.screenshot(Path.of("target", "dashboard-overview.png"));

            // Find the dead job by its id, retry it from the page once the downstream is back.
            d.get(base + "/ui/jobs");
            byTestId(d, "search-id").sendKeys("invoice-77");
            byTestId(d, "search").click();
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[data-testid='job-row']"), 1));
            WebElement row = d.findElement(By.cssSelector("[data-testid='job-row']"));
            assertThat(row.getAttribute("data-id")).isEqualTo("invoice-7781");
            assertThat(row.getAttribute("data-state")).isEqualTo("dead");
            row.findElement(By.linkText("invoice-7781")).click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='job-state']"), "dead"));
            assertThat(text(d, "error")).contains("downstream is down");
            Files.delete(flag);
            byTestId(d, "retry").click();
            wait.until(ExpectedConditions.alertIsPresent()).accept(); // the confirmation
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='job-state']"), "succeeded"));
            List<WebElement> attempts = d.findElements(By.cssSelector("[data-testid='attempt-row']"));
            assertThat(attempts).extracting(WebElement::getText).satisfiesExactly(
                    first -> assertThat(first).contains("dead").contains("downstream is down"),
                    second -> assertThat(second).contains("succeeded"));
            JsonNode job = Json.MAPPER.readTree(TestHttp.send(port, "GET", "/jobs/invoice-7781", null, T).body());
            assertThat(job.get("state").asText()).isEqualTo("succeeded");
            assertThat(job.get("result").get("delivered").asBoolean()).isTrue();

            assertThat(b.requestedUrls()).as("every request stays on this server").isNotEmpty()
                    .filteredOn(DashboardBrowserTest::network).allMatch(u -> u.startsWith(base + "/"));
            assertThat(b.consoleErrors()).as("console errors").isEmpty();
        }
    }

    @Test
    void withTokensABrowserLogsInOnceAndOnlyAnAdminMayPressTheButtons() throws Exception {
        String admin = "admin-token-0123456789abcdef";
        String reader = "reader-token-0123456789abcdef";
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, admin + " read,admin\n" + reader + " read\nsubmit-token-0123456789abcdef submit\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).tokenFile(tokens).build());
             Browser b = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
            int port = s.port();
            String base = "http://127.0.0.1:" + port;
            Map<String, String> submitter = Map.of("Authorization", "Bearer submit-token-0123456789abcdef");
            assertThat(post(port, "/jobs", "{\"id\":\"later-1\",\"kind\":\"echo\",\"delay\":\"1h\"}", submitter).status()).isEqualTo(202);
            assertThat(post(port, "/jobs", "{\"id\":\"later-2\",\"kind\":\"echo\",\"delay\":\"1h\"}", submitter).status()).isEqualTo(202);

            WebDriver d = b.driver();
            WebDriverWait wait = new WebDriverWait(d, T);
            d.get(base + "/ui");
            wait.until(ExpectedConditions.urlToBe(base + "/ui/login"));
            byTestId(d, "token").sendKeys("not-a-token-of-this-server");
            byTestId(d, "login").click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid='login-error']"), "not valid"));

            // A reader sees everything, and a button says it may not.
            byTestId(d, "token").sendKeys(reader);
            byTestId(d, "login").click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-queued']"), "2"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='live-badge']"), "live"));
            assertThat(d.manage().getCookieNamed("squall_session").isHttpOnly()).isTrue();
            assertThat(d.manage().getCookieNamed("squall_session").getSameSite()).isEqualTo("Strict");
            d.get(base + "/ui/jobs?state=queued");
            d.findElement(By.cssSelector("[data-action='cancel'][data-id='later-1']")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid='bulk-result']"), "admin"));
            assertThat(TestHttp.send(port, "GET", "/jobs/later-1", null, Map.of("Authorization", "Bearer " + reader), T).body())
                    .contains("\"queued\"");

            // Log out, and in again as an admin: the bulk cancel of everything queued works.
            d.findElement(By.cssSelector(".logout button")).click();
            wait.until(ExpectedConditions.urlToBe(base + "/ui/login"));
            byTestId(d, "token").sendKeys(admin);
            byTestId(d, "login").click();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-queued']"), "2"));
            d.get(base + "/ui/jobs?state=queued");
            byTestId(d, "cancel-filter").click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid='bulk-result']"), "Cancelled 2 of 2"));
            assertThat(TestHttp.send(port, "GET", "/jobs/later-2", null, Map.of("Authorization", "Bearer " + admin), T).body())
                    .contains("\"cancelled\"");

            // The session's cookie alone cannot change anything: the CSRF token is needed too.
            String cookie = d.manage().getCookieNamed("squall_session").getValue();
            TestHttp.Response forged = TestHttp.send(port, "POST", "/jobs/retry", "{\"filter\":{}}",
                    Map.of("Cookie", "squall_session=" + cookie, "Content-Type", "application/json"), T);
            assertThat(forged.status()).isEqualTo(403);
            assertThat(forged.body()).contains("X-Squall-Csrf");
            assertThat(b.requestedUrls()).filteredOn(DashboardBrowserTest::network).allMatch(u -> u.startsWith(base + "/"));
            assertThat(b.consoleErrors()).as("console errors besides the refused login and the refused cancel")
                    .allMatch(m -> m.contains("/ui/login") && m.contains("401") || m.contains("/jobs/later-1") && m.contains("403"));
        }
    }

    @Test
    void theApiDocsPageShowsSquallsOwnDocumentAndAsksNoOtherOrigin() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).build());
             Browser b = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
            String base = "http://127.0.0.1:" + s.port();
            WebDriver d = b.driver();
            new WebDriverWait(d, T).until(dr -> {
                dr.get(base + "/docs");
                return true;
            });
            new WebDriverWait(d, T).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid='swagger']"),
                    "POST\n/jobs"));
            assertThat(d.findElement(By.cssSelector("[data-testid='swagger']")).getText()).contains("Squall", "/jobs/{id}/attempts");
            assertThat(b.requestedUrls()).filteredOn(DashboardBrowserTest::network).allMatch(u -> u.startsWith(base + "/"));
        }
    }

    @Test
    void whenTheServerRefusesTheStreamThePagePollsAndStaysCurrent() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).build());
             Browser b = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
            int port = s.port();
            String base = "http://127.0.0.1:" + port;
            // Every stream the server allows, held open by other viewers.
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<java.io.InputStream>>> viewers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 256; i++) {
                    viewers.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/events")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofInputStream()));
                }
                for (var v : viewers) {
                    assertThat(v.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
                assertThat(TestHttp.send(port, "GET", "/events", null, T).status()).as("the 257th stream").isEqualTo(503);

                WebDriver d = b.driver();
                WebDriverWait wait = new WebDriverWait(d, T);
                d.get(base + "/ui");
                wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='live-badge']"), "polling"));
                for (int i = 0; i < 4; i++) {
                    assertThat(post(port, "/jobs", "{\"kind\":\"echo\"}", Map.of()).status()).isEqualTo(202);
                }
                wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-succeeded']"), "4"));
                assertThat(b.consoleErrors()).as("only the refused stream").allMatch(m -> m.contains("/events") && m.contains("503"));
            } finally {
                for (var v : viewers) {
                    v.thenAccept(r -> {
                        try {
                            r.body().close();
                        } catch (java.io.IOException ignored) {
                            // closing a stream the server may have ended already
                        }
                    });
                }
            }
        }
    }

    /** The open {@code GET /events} streams and the {@code GET /stats} answers so far, from the server's own metrics. */
    private static long[] streamsAndPolls(int port) {
        String m = TestHttp.send(port, "GET", "/metrics", null, T).body();
        long streams = 0;
        long polls = 0;
        for (String line : m.split("\n")) {
            if (line.startsWith("squall_event_streams ")) {
                streams = (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            } else if (line.startsWith("squall_http_requests_total{") && line.contains("route=\"/stats\"")) {
                polls += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new long[] {streams, polls};
    }

    @Test
    void aHiddenTabClosesItsStreamAndAsksNothingUntilItIsShownAgain() throws Exception {
        try (SquallServer s = SquallServers.start(Servers.config(Stage.QUEUE).sleep(Duration.ZERO).build());
             Browser b = Browser.start(Files.createDirectories(dir.resolve("browser")))) {
            int port = s.port();
            WebDriver d = b.driver();
            WebDriverWait wait = new WebDriverWait(d, T);
            d.get("http://127.0.0.1:" + port + "/ui");
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='live-badge']"), "live"));
            await().atMost(T).until(() -> streamsAndPolls(port)[0] == 1);
            String dashboard = d.getWindowHandle();

            d.switchTo().newWindow(org.openqa.selenium.WindowType.TAB); // the dashboard's tab is now in the background
            d.get("about:blank");
            await().atMost(T).until(() -> streamsAndPolls(port)[0] == 0);
            long pollsWhileHidden = streamsAndPolls(port)[1];
            Thread.sleep(2_500); // longer than the page's 2 s polling: a page that polled would have asked by now
            long[] later = streamsAndPolls(port);
            assertThat(later[0]).as("streams while hidden").isZero();
            assertThat(later[1]).as("GET /stats while hidden").isEqualTo(pollsWhileHidden);

            d.close(); // back to the dashboard: it shows live figures again
            d.switchTo().window(dashboard);
            assertThat(post(port, "/jobs", "{\"kind\":\"echo\"}", Map.of()).status()).isEqualTo(202);
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='live-badge']"), "live"));
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid='count-succeeded']"), "1"));
            await().atMost(T).until(() -> streamsAndPolls(port)[0] == 1);
        }
    }
}
