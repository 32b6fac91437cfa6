package dev.squall.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.JobEngine;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.Json;
import dev.squall.server.auth.Guard;
import dev.squall.server.auth.Sessions;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.Listings;
import dev.squall.server.live.CensusKeeper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The dashboard at {@code /ui}: server-rendered pages (they show real figures without
 * JavaScript, and {@code curl} can check them) made live by {@code /assets/squall.js}, which reads
 * {@code /events} and falls back to polling {@code /stats}. Every asset is Squall's own, under a
 * Content-Security-Policy of {@code 'self'}.
 *
 * <ul>
 *   <li>{@code /ui}: a card per state, throughput by outcome over ten minutes, wait and run
 *   percentiles, saturation, workers per lane, the oldest waiting job, intake and rejects, nodes;</li>
 *   <li>{@code /ui/jobs}: the listing with filters, search by id prefix and payload text, paging,
 *   and retry or cancel of a selection or of everything the filter matches;</li>
 *   <li>{@code /ui/jobs/{id}}: payload and result, every attempt, retry and cancel;</li>
 *   <li>{@code /ui/login}: with tokens on, a browser logs in once with a token and keeps a session
 *   cookie (HttpOnly, SameSite=Strict); its state-changing requests carry the session's CSRF token.</li>
 * </ul>
 */
public final class Dashboard {
    private static final Logger LOG = LoggerFactory.getLogger("squall.http");
    public static final String COOKIE = "squall_session";
    static final int PAGE = 50;

    private final JobEngine engine;
    private final CensusKeeper census;
    private final Guard guard;
    private final boolean tls;
    private final Assets assets = new Assets();

    public Dashboard(JobEngine engine, CensusKeeper census, Guard guard, boolean tls) {
        this.engine = engine;
        this.census = census;
        this.guard = guard;
        this.tls = tls;
    }

    /** Whether {@code path} is served here without any token: logging in and out (which checks its own CSRF token), the static files. */
    public static boolean isPublic(String path) {
        return path.equals("/ui/login") || path.equals("/ui/logout") || path.startsWith("/assets/");
    }

    /** Whether this serves {@code path}. */
    public static boolean serves(String path) {
        return path.equals("/ui") || path.startsWith("/ui/") || path.startsWith("/assets/") || path.equals("/docs");
    }

    /** The session cookie's value in {@code req}, or null. */
    public static String sessionCookie(HttpServerRequest req) {
        io.vertx.core.http.Cookie c = req.getCookie(COOKIE);
        return c == null ? null : c.getValue();
    }

    public void handle(HttpServerRequest req, Exchange ex) {
        String path = req.path();
        if (path.startsWith("/assets/")) {
            asset(req, ex, path);
            return;
        }
        if (path.equals("/ui/login")) {
            login(req, ex);
            return;
        }
        if (path.equals("/ui/logout")) {
            logout(req, ex);
            return;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET");
            ex.problem(405, "Method Not Allowed", path + " takes GET");
            return;
        }
        Sessions.Session session = guard.session(sessionCookie(req));
        String csrf = session == null ? null : session.csrf();
        boolean loggedIn = session != null;
        if (path.equals("/docs")) {
            html(ex, 200, docs());
        } else if (path.equals("/ui") || path.equals("/ui/")) {
            html(ex, 200, Html.page("Overview", "overview", csrf, loggedIn, overview(), "/assets/uplot.js", "/assets/squall.js"));
        } else if (path.equals("/ui/jobs") || path.equals("/ui/jobs/")) {
            jobs(req, ex, csrf, loggedIn);
        } else if (path.startsWith("/ui/jobs/")) {
            String id;
            try {
                id = URLDecoder.decode(path.substring("/ui/jobs/".length()).replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException bad) {
                ex.problem(400, "Bad Request", "the job id in the path is not properly percent-encoded");
                return;
            }
            job(ex, id, csrf, loggedIn);
        } else {
            ex.problem(404, "Not Found", "no page " + path + "; the dashboard is at /ui");
        }
    }

    private void html(Exchange ex, int status, String page) {
        ex.header("Content-Security-Policy", Html.CSP).header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin").header(HttpHeaders.CACHE_CONTROL, "no-store");
        ex.bytes(status, "text/html; charset=utf-8", Buffer.buffer(page));
    }

    private void asset(HttpServerRequest req, Exchange ex, String path) {
        String type = assets.contentType(path);
        if (type == null) {
            ex.problem(404, "Not Found", "no asset " + path);
            return;
        }
        ex.header(HttpHeaders.CACHE_CONTROL, "public, max-age=300").header("X-Content-Type-Options", "nosniff");
        ex.bytes(200, type, assets.bytes(path));
    }

    // ---- login ----

    private void login(HttpServerRequest req, Exchange ex) {
        if (!guard.enabled()) {
            redirect(ex, "/ui");
            return;
        }
        if (req.method() == HttpMethod.GET) {
            html(ex, 200, loginPage(null));
            return;
        }
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, POST");
            ex.problem(405, "Method Not Allowed", "/ui/login takes GET or POST");
            return;
        }
        afterForm(req, () -> {
            Sessions.Session s = guard.login(req.getFormAttribute("token"));
            if (s == null) {
                html(ex, 401, loginPage("That token is not valid on this server."));
                return;
            }
            ex.header(HttpHeaders.SET_COOKIE, COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"
                    + (tls ? "; Secure" : ""));
            redirect(ex, "/ui");
        });
    }

    private void logout(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "POST");
            ex.problem(405, "Method Not Allowed", "/ui/logout takes POST");
            return;
        }
        afterForm(req, () -> {
            String cookie = sessionCookie(req);
            Sessions.Session s = guard.session(cookie);
            if (s != null && s.csrf().equals(req.getFormAttribute("csrf"))) {
                guard.logout(cookie);
            }
            ex.header(HttpHeaders.SET_COOKIE, COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            redirect(ex, guard.enabled() ? "/ui/login" : "/ui");
        });
    }

    /** Runs {@code then} once the form body of {@code req} is read (Vert.x bounds its fields and size); its fields are null if it was not. */
    private static void afterForm(HttpServerRequest req, Runnable then) {
        req.setExpectMultipart(true);
        req.end().onComplete(done -> then.run());
    }

    private static void redirect(Exchange ex, String to) {
        ex.header(HttpHeaders.LOCATION, to);
        ex.text(303, "see " + to);
    }

    private static String loginPage(String error) {
        String main = "<section class=\"login\"><h1>Log in</h1>"
                + (error == null ? "" : "<p class=\"error\" data-testid=\"login-error\">" + Html.esc(error) + "</p>")
                + "<form method=\"post\" action=\"/ui/login\"><label>Token <input type=\"password\" name=\"token\" "
                + "autocomplete=\"current-password\" required data-testid=\"token\"></label>"
                + "<button type=\"submit\" data-testid=\"login\">Log in</button></form>"
                + "<p class=\"hint\">A token of the server's <code>--token-file</code>: <code>read</code> to look, "
                + "<code>admin</code> for the buttons.</p></section>";
        return Html.page("Log in", "login", null, false, main);
    }

    // ---- the overview ----

    private String overview() {
        CensusKeeper.Snapshot c = census.latest();
        // On a cluster every figure is the whole cluster's (LiveStats adds the other nodes'), but
        // the workers, which are this node's lanes.
        dev.squall.core.StoreHealth health = engine.store().health();
        String node = health.node();
        String here = node == null ? "" : ", whole cluster";
        String mine = node == null ? "" : " (cluster)";
        StringBuilder b = new StringBuilder(4096).append("<section class=\"cards\">");
        for (JobState s : JobState.stored()) {
            String n = s.wireName();
            b.append("<a class=\"card state-").append(n).append("\" href=\"/ui/jobs?state=").append(n).append("\" data-testid=\"card-")
                    .append(n).append("\"><span class=\"label\">").append(n).append("</span><span class=\"count\" data-testid=\"count-")
                    .append(n).append("\">").append(c.count(s)).append("</span></a>");
        }
        b.append("</section><p class=\"counted\">Counted at <time data-testid=\"counted-at\">")
                .append(c.takenAt() == 0 ? "not yet" : Instant.ofEpochMilli(c.takenAt()).toString())
                .append("</time> (about every second; on PostgreSQL, the whole cluster, its finished jobs every 10 s or so).</p>")
                .append("<section class=\"grid\">")
                .append("<div class=\"panel wide\"><h2>Throughput").append(here).append(", jobs/s, last 10 minutes</h2>")
                .append("<div id=\"chart\" data-testid=\"chart\"></div></div>")
                .append("<div class=\"panel\"><h2>Now</h2><dl class=\"figures\">")
                .append("<dt>Wait p50 / p95 / p99").append(mine).append("</dt><dd data-testid=\"wait\">-</dd>")
                .append("<dt>Run p50 / p95 / p99").append(mine).append("</dt><dd data-testid=\"run\">-</dd>")
                .append("<dt>Waiting / capacity</dt><dd><meter id=\"saturation-meter\" min=\"0\" max=\"1\" value=\"0\"></meter> ")
                .append("<span data-testid=\"saturation\">-</span></dd>")
                .append("<dt>Oldest waiting</dt><dd data-testid=\"oldest\">-</dd>")
                .append("<dt>Intake, last second").append(mine).append("</dt><dd data-testid=\"intake\">-</dd>")
                .append("<dt>Rejected, since start").append(mine).append("</dt><dd data-testid=\"rejected\">-</dd>")
                .append("</dl></div>")
                .append("<div class=\"panel\"><h2>Workers").append(node == null ? "" : " on this node (" + Html.esc(node) + ")").append("</h2><table class=\"lanes\" data-testid=\"lanes\"><thead><tr><th>queues</th>")
                .append("<th>busy</th><th>workers</th></tr></thead><tbody>");
        for (JobEngine.Lane l : engine.lanes()) {
            b.append("<tr><td>").append(Html.esc(l.name())).append("</td><td>").append(l.busy()).append("</td><td>").append(l.workers())
                    .append("</td></tr>");
        }
        b.append("</tbody></table></div>");
        List<dev.squall.core.StoreHealth.Node> nodes = health.nodes();
        b.append("<div class=\"panel\"").append(nodes.isEmpty() ? " hidden" : "").append(" id=\"nodes-panel\"><h2>Nodes</h2>")
                .append("<table class=\"nodes\" data-testid=\"nodes\"><thead><tr><th>node</th><th>last heartbeat</th></tr></thead><tbody>");
        for (dev.squall.core.StoreHealth.Node n : nodes) {
            b.append("<tr><td>").append(Html.esc(n.id())).append("</td><td>").append(Instant.ofEpochMilli(n.heartbeatAt())).append("</td></tr>");
        }
        return b.append("</tbody></table></div></section>").toString();
    }

    // ---- the job list ----

    private void jobs(HttpServerRequest req, Exchange ex, String csrf, boolean loggedIn) {
        JobStore.JobQuery q;
        try {
            q = Listings.query(req, 4L << 20);
        } catch (IllegalArgumentException bad) {
            ex.problem(400, "Bad Request", bad.getMessage());
            return;
        }
        JobStore.JobQuery page = new JobStore.JobQuery(q.state(), q.kind(), Math.min(q.limit(), PAGE), q.after(), q.maxChars(), q.queue(),
                q.idPrefix(), q.payloadContains());
        ex.context().executeBlocking(() -> engine.list(page), false).onComplete(done -> {
            if (done.failed()) {
                LOG.warn("the dashboard's listing failed: {}", done.cause().toString());
                ex.unavailable("the store could not answer; try again", 1);
                return;
            }
            html(ex, 200, Html.page("Jobs", "jobs", csrf, loggedIn, jobList(page, done.result()), "/assets/squall.js"));
        });
    }

    private static String jobList(JobStore.JobQuery q, JobStore.Page page) {
        StringBuilder b = new StringBuilder(8192).append("<h1>Jobs</h1><form class=\"filters\" method=\"get\" action=\"/ui/jobs\">")
                .append("<label>State <select name=\"state\" data-testid=\"filter-state\"><option value=\"\">any</option>");
        for (JobState s : JobState.values()) {
            b.append("<option").append(s == q.state() ? " selected" : "").append(">").append(s.wireName()).append("</option>");
        }
        b.append("</select></label>")
                .append(input("Queue", "queue", q.queue(), "filter-queue"))
                .append(input("Kind", "kind", q.kind(), "filter-kind"))
                .append(input("Id starts with", "id_prefix", q.idPrefix(), "search-id"))
                .append(input("Payload contains", "payload_contains", q.payloadContains(), "search-payload"))
                .append("<button type=\"submit\" data-testid=\"search\">Search</button></form>");
        StringBuilder filter = new StringBuilder("{");
        appendField(filter, "state", q.state() == null ? null : q.state().wireName());
        appendField(filter, "queue", q.queue());
        appendField(filter, "kind", q.kind());
        appendField(filter, "id_prefix", q.idPrefix());
        appendField(filter, "payload_contains", q.payloadContains());
        filter.append('}');
        b.append("<div class=\"bulk\" data-filter=\"").append(Html.esc(filter.toString())).append("\">")
                .append("<button type=\"button\" data-action=\"retry-selected\" data-testid=\"retry-selected\">Retry selected</button>")
                .append("<button type=\"button\" data-action=\"cancel-selected\" data-testid=\"cancel-selected\">Cancel selected</button>")
                .append("<button type=\"button\" data-action=\"retry-filter\" data-testid=\"retry-filter\">Retry all dead matching</button>")
                .append("<button type=\"button\" data-action=\"cancel-filter\" data-testid=\"cancel-filter\">Cancel all waiting matching</button>")
                .append("<output data-testid=\"bulk-result\" id=\"bulk-result\"></output></div>")
                .append("<table class=\"jobs\" data-testid=\"jobs\"><thead><tr><th><input type=\"checkbox\" data-action=\"select-all\" ")
                .append("aria-label=\"select all\"></th><th>id</th><th>state</th><th>kind</th><th>queue</th><th>attempt</th>")
                .append("<th>created</th><th>finished</th><th></th></tr></thead><tbody>");
        for (JobRecord r : page.jobs()) {
            String id = Html.esc(r.id());
            String state = r.state().wireName();
            b.append("<tr data-testid=\"job-row\" data-id=\"").append(id).append("\" data-state=\"").append(state).append("\">")
                    .append("<td><input type=\"checkbox\" name=\"select\" value=\"").append(id).append("\" aria-label=\"select ").append(id)
                    .append("\"></td><td><a href=\"/ui/jobs/").append(Html.url(r.id())).append("\">").append(id).append("</a></td>")
                    .append("<td><span class=\"state state-").append(state).append("\">").append(state).append("</span></td>")
                    .append("<td>").append(Html.esc(r.kind())).append("</td><td>").append(Html.esc(r.queue())).append("</td>")
                    .append("<td>").append(r.attempt()).append('/').append(r.maxAttempts()).append("</td>")
                    .append("<td>").append(time(r.createdAt())).append("</td><td>").append(time(r.finishedAt())).append("</td><td>");
            if (r.state() == JobState.DEAD) {
                b.append("<button type=\"button\" data-action=\"retry\" data-id=\"").append(id).append("\">Retry</button>");
            } else if (r.state().waiting()) {
                b.append("<button type=\"button\" data-action=\"cancel\" data-id=\"").append(id).append("\">Cancel</button>");
            }
            b.append("</td></tr>");
        }
        if (page.jobs().isEmpty()) {
            // A page of a long history may end where its reading stopped, with more to read (PostgreSQL).
            b.append("<tr><td colspan=\"9\" class=\"empty\" data-testid=\"no-jobs\">")
                    .append(page.next() == null ? "No job matches." : "No job matches in this part of the history; the next page reads on.")
                    .append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (page.next() != null) {
            StringBuilder next = new StringBuilder("/ui/jobs?after=").append(Html.url(page.next()));
            param(next, "state", q.state() == null ? null : q.state().wireName());
            param(next, "queue", q.queue());
            param(next, "kind", q.kind());
            param(next, "id_prefix", q.idPrefix());
            param(next, "payload_contains", q.payloadContains());
            b.append("<nav class=\"pager\"><a data-testid=\"next-page\" href=\"").append(Html.esc(next.toString())).append("\">Next ")
                    .append(PAGE).append(" →</a></nav>");
        }
        return b.toString();
    }

    private static String input(String label, String name, String value, String testId) {
        return "<label>" + label + " <input name=\"" + name + "\" value=\"" + Html.esc(value) + "\" data-testid=\"" + testId + "\"></label>";
    }

    private static void appendField(StringBuilder json, String name, String value) {
        if (value != null) {
            json.append(json.length() > 1 ? "," : "").append('"').append(name).append("\":").append(Json.quote(value));
        }
    }

    private static void param(StringBuilder url, String name, String value) {
        if (value != null) {
            url.append('&').append(name).append('=').append(Html.url(value));
        }
    }

    private static String time(long millis) {
        return millis <= 0 ? "" : "<time>" + Instant.ofEpochMilli(millis) + "</time>";
    }

    // ---- one job ----

    private record Detail(JobRecord job, List<JobStore.Attempt> attempts) {
    }

    private void job(Exchange ex, String id, String csrf, boolean loggedIn) {
        ex.context().executeBlocking(() -> {
            Optional<JobRecord> r = engine.get(id);
            return r.map(j -> new Detail(j, engine.attempts(id).orElse(List.of()))).orElse(null);
        }, false).onComplete(done -> {
            if (done.failed()) {
                LOG.warn("the dashboard could not read job {}: {}", id, done.cause().toString());
                ex.unavailable("the store could not answer; try again", 1);
            } else if (done.result() == null) {
                html(ex, 404, Html.page("No such job", "job", csrf, loggedIn, "<h1>No job <code>" + Html.esc(id)
                        + "</code></h1><p><a href=\"/ui/jobs\">All jobs</a></p>", "/assets/squall.js"));
            } else {
                html(ex, 200, Html.page("Job " + id, "job", csrf, loggedIn, jobDetail(done.result()), "/assets/squall.js"));
            }
        });
    }

    private static String jobDetail(Detail d) {
        JobRecord r = d.job();
        String id = Html.esc(r.id());
        String state = r.state().wireName();
        StringBuilder b = new StringBuilder(4096).append("<h1 data-id=\"").append(id).append("\">Job <code>").append(id)
                .append("</code> <span class=\"state state-").append(state).append("\" data-testid=\"job-state\">").append(state)
                .append("</span></h1><div class=\"actions\">");
        if (r.state() == JobState.DEAD) {
            b.append("<button type=\"button\" data-action=\"retry\" data-id=\"").append(id).append("\" data-testid=\"retry\">Retry</button>");
        }
        if (r.state().waiting()) {
            b.append("<button type=\"button\" data-action=\"cancel\" data-id=\"").append(id).append("\" data-testid=\"cancel\">Cancel</button>");
        }
        b.append("<output id=\"bulk-result\" data-testid=\"action-result\"></output></div><dl class=\"facts\">")
                .append("<dt>kind</dt><dd>").append(Html.esc(r.kind())).append("</dd>")
                .append("<dt>queue</dt><dd>").append(Html.esc(r.queue())).append("</dd>")
                .append("<dt>priority</dt><dd>").append(r.priority()).append("</dd>")
                .append("<dt>attempt</dt><dd data-testid=\"job-attempt\">").append(r.attempt()).append(" of ").append(r.maxAttempts()).append("</dd>")
                .append("<dt>created</dt><dd>").append(time(r.createdAt())).append("</dd>")
                .append("<dt>due</dt><dd>").append(time(r.runAt())).append("</dd>")
                .append("<dt>started</dt><dd>").append(time(r.startedAt())).append("</dd>")
                .append("<dt>finished</dt><dd>").append(time(r.finishedAt())).append("</dd></dl>")
                .append("<h2>Payload</h2><pre data-testid=\"payload\">").append(Html.esc(pretty(r.payloadJson()))).append("</pre>");
        if (r.resultJson() != null) {
            b.append("<h2>Result</h2><pre data-testid=\"result\">").append(Html.esc(pretty(r.resultJson()))).append("</pre>");
        }
        if (r.lastError() != null) {
            b.append("<h2>Last error</h2><pre class=\"error\" data-testid=\"error\">").append(Html.esc(r.lastError())).append("</pre>");
        }
        b.append("<h2>Attempts</h2><table class=\"attempts\" data-testid=\"attempts\"><thead><tr><th>#</th><th>outcome</th>")
                .append("<th>started</th><th>duration</th><th>node</th><th>error</th></tr></thead><tbody>");
        for (JobStore.Attempt a : d.attempts()) {
            b.append("<tr data-testid=\"attempt-row\"><td>").append(a.attempt()).append("</td><td><span class=\"state state-")
                    .append(Html.esc(a.outcome())).append("\">").append(Html.esc(a.outcome())).append("</span></td><td>")
                    .append(time(a.startedAt())).append("</td><td>")
                    .append(a.startedAt() > 0 && a.endedAt() >= a.startedAt() ? (a.endedAt() - a.startedAt()) + " ms" : "")
                    .append("</td><td>").append(Html.esc(a.node())).append("</td><td class=\"error\">").append(Html.esc(a.error()))
                    .append("</td></tr>");
        }
        if (d.attempts().isEmpty()) {
            b.append("<tr><td colspan=\"6\" class=\"empty\">Not run yet.</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    /** JSON indented for reading; text that is not JSON as it is. */
    private static String pretty(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n == null ? json : n.toPrettyString();
        } catch (java.io.IOException e) {
            return json;
        }
    }

    // ---- /docs ----

    private static String docs() {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Squall API</title>"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<link rel=\"icon\" href=\"/assets/favicon.svg\"><link rel=\"stylesheet\" href=\"/assets/swagger-ui.css\">"
                + "<script src=\"/assets/swagger-ui.js\" defer></script><script src=\"/assets/docs.js\" defer></script>"
                + "</head><body><div id=\"swagger\" data-testid=\"swagger\"></div></body></html>";
    }
}
