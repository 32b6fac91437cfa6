package dev.squall.server.http;

import dev.squall.core.EngineStats;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandlers;
import dev.squall.server.ServerConfig;
import dev.squall.server.auth.Guard;
import dev.squall.server.auth.Scope;
import dev.squall.server.auth.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import dev.squall.core.StoreHealth;
import dev.squall.core.Json;

/**
 * The server's routes: {@code GET|POST /} (the seed route, handled by the stage) and
 * {@code GET /healthz}. The seed route is matched directly, without a router, because it is the
 * intake path whose every microsecond the benchmark counts.
 */
final class HttpFront implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger("squall.http");

    private final ServerConfig config;
    private final SeedStage stage;
    private final Supplier<EngineStats> stats;
    private final Supplier<StoreHealth> storeHealth;
    private final JobApi jobs;
    private final Guard guard;
    private final RequestDeadlines deadlines;
    private volatile boolean draining;
    private final dev.squall.server.metrics.SquallMetrics metrics;
    private final Watch watch;
    /** The routes counted by {@code squall_http_requests_total}, by method and template (a few dozen at most). */
    private final java.util.concurrent.ConcurrentHashMap<String, dev.squall.server.metrics.SquallMetrics.HttpRoute> routes =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final dev.squall.server.metrics.SquallMetrics.HttpRoute seedGet;
    private final dev.squall.server.metrics.SquallMetrics.HttpRoute seedPost;
    private final dev.squall.server.metrics.SquallMetrics.HttpRoute submitJob;

    HttpFront(ServerConfig config, SeedStage stage, JobEngine engine, JobHandlers handlers, Guard guard, RequestDeadlines deadlines,
              Watch watch) {
        this.watch = watch;
        this.metrics = watch.metrics();
        dev.squall.server.metrics.SquallMetrics metrics = this.metrics;
        this.seedGet = metrics == null ? null : metrics.route("/", "GET", true);
        this.seedPost = metrics == null ? null : metrics.route("/", "POST", true);
        this.submitJob = metrics == null ? null : metrics.route("/jobs", "POST", true);
        this.config = config;
        this.guard = guard;
        this.deadlines = deadlines;
        this.stage = stage;
        this.stats = engine == null ? () -> null : engine::stats;
        this.storeHealth = engine == null ? () -> StoreHealth.LOCAL : () -> engine.store().health();
        this.jobs = engine == null ? null : new JobApi(engine, handlers, config.maxAttempts(), config.maxBodyBytes(), config.longPollLimit(),
                () -> draining);
        this.dashboard = engine == null ? null : new dev.squall.server.ui.Dashboard(engine, watch.census(), guard, config.tlsCert() != null);
    }

    private final dev.squall.server.ui.Dashboard dashboard;
    private volatile io.vertx.core.buffer.Buffer openapi;

    /** From now on the seed route answers 503: the server is stopping. */
    void drain() {
        draining = true;
    }

    @Override
    public void handle(HttpServerRequest req) {
        Exchange ex = new Exchange(req, Vertx.currentContext(),
                System.nanoTime(), config.accessLog());
        try {
            ex.deadline(deadlines.requestArrived(req));
            String path = req.path();
            if (metrics != null) {
                ex.route(route(req.method(), path));
            }
            if (!sameOrigin(req, ex)) {
                return;
            }
            if (guard.enabled() && !"/healthz".equals(path) && !dev.squall.server.ui.Dashboard.isPublic(path) && !allowed(req, ex, path)) {
                return;
            }
            if ("/".equals(path)) {
                seed(req, ex);
            } else if ("/healthz".equals(path)) {
                health(req, ex);
            } else if ("/metrics".equals(path) && metrics != null) {
                metrics(req, ex);
            } else if ("/stats".equals(path) && watch.live() != null) {
                stats(req, ex);
            } else if ("/events".equals(path) && watch.live() != null) {
                events(req, ex);
            } else if (jobs != null && (path.equals("/jobs") || path.startsWith("/jobs/"))) {
                ex.answerWithin(Exchange.Late.TRY_AGAIN, null, 0);
                jobs.handle(req, ex);
            } else if ("/openapi.yaml".equals(path)) {
                openapi(req, ex);
            } else if (dashboard != null && dev.squall.server.ui.Dashboard.serves(path)) {
                ex.answerWithin(Exchange.Late.TRY_AGAIN, null, 0);
                dashboard.handle(req, ex);
            } else {
                ex.problem(404, "Not Found", "no route for " + Ids.printable(req.path()) + "; try GET / with {\"job_id\": 1}, GET /healthz"
                        + (metrics != null ? ", GET /metrics" : "") + ", GET /openapi.yaml"
                        + (jobs != null ? ", /jobs, or the dashboard at /ui" : " (the /jobs API and the dashboard are served by the queue stage)"));
            }
        } catch (Throwable e) {
            // Logged in full; the caller is told what happened in its terms, never Java's.
            LOG.error("unexpected error handling {} {}", req.method(), req.path(), e);
            ex.problem(500, "Internal Server Error", "the server failed to handle this request; nothing was accepted");
        }
    }

    /** The counter for a request: the route's template (never an id) and its method. */
    private dev.squall.server.metrics.SquallMetrics.HttpRoute route(HttpMethod m, String path) {
        if ("/".equals(path)) {
            return m == HttpMethod.POST ? seedPost : m == HttpMethod.GET ? seedGet : routeOf("/", m);
        }
        if (m == HttpMethod.POST && "/jobs".equals(path)) {
            return submitJob;
        }
        String template;
        if (path.equals("/jobs") || path.equals("/jobs/")) {
            template = "/jobs";
        } else if (path.equals("/jobs/retry") || path.equals("/jobs/cancel")) {
            template = path;
        } else if (path.startsWith("/jobs/")) {
            template = path.endsWith("/retry") ? "/jobs/{id}/retry" : path.endsWith("/attempts") ? "/jobs/{id}/attempts" : "/jobs/{id}";
        } else if (path.startsWith("/ui/jobs/")) {
            template = "/ui/jobs/{id}";
        } else if (path.startsWith("/assets/")) {
            template = "/assets/*";
        } else if (KNOWN.contains(path)) {
            template = path;
        } else {
            template = "unmatched";
        }
        return routeOf(template, m);
    }

    private static final java.util.Set<String> KNOWN = java.util.Set.of("/healthz", "/metrics", "/stats", "/events", "/ui",
            "/ui/", "/ui/jobs", "/ui/login", "/ui/logout", "/docs", "/openapi.yaml");
    private static final java.util.Set<HttpMethod> METHODS = java.util.Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE,
            HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.OPTIONS);

    private dev.squall.server.metrics.SquallMetrics.HttpRoute routeOf(String template, HttpMethod m) {
        String method = METHODS.contains(m) ? m.name() : "OTHER";
        return routes.computeIfAbsent(method + " " + template, k -> metrics.route(template, method,
                template.equals("/") && (m == HttpMethod.GET || m == HttpMethod.POST)));
    }

    private void metrics(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            ex.problem(405, "Method Not Allowed", "/metrics takes GET");
            return;
        }
        dev.squall.server.metrics.SquallMetrics.Scrape scrape = metrics.scrape(req.getHeader(HttpHeaders.ACCEPT));
        ex.bytes(200, scrape.contentType(), io.vertx.core.buffer.Buffer.buffer(scrape.body()));
    }

    private void stats(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            ex.problem(405, "Method Not Allowed", "/stats takes GET");
            return;
        }
        ex.header(HttpHeaders.CACHE_CONTROL, "no-store");
        ex.json(200, "1".equals(req.getParam("history")) ? watch.live().jsonWithHistory() : watch.live().json());
    }

    private void events(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.GET) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET");
            ex.problem(405, "Method Not Allowed", "/events takes GET");
            return;
        }
        java.util.Set<dev.squall.core.JobState> states = null;
        String state = req.getParam("state");
        if (state != null) {
            states = java.util.EnumSet.noneOf(dev.squall.core.JobState.class);
            for (String s : state.split(",")) {
                try {
                    states.add(dev.squall.core.JobState.fromWire(s.strip()));
                } catch (IllegalArgumentException e) {
                    ex.problem(400, "Bad Request", e.getMessage());
                    return;
                }
            }
        }
        String id = req.getParam("id");
        if (id != null && (id.isEmpty() || id.length() > 200)) {
            ex.problem(400, "Bad Request", "id must be 1 to 200 characters");
            return;
        }
        watch.events().subscribe(ex, states, id);
    }

    static final String CSRF_HEADER = "X-Squall-Csrf";

    /**
     * A browser sends {@code Origin} (and {@code Sec-Fetch-Site}) with every request that changes
     * something: one from another site is refused, so a page elsewhere cannot make a visitor's
     * browser cancel or retry jobs here, with or without tokens. Programs (curl, clients) send
     * neither and are not affected.
     */
    private static boolean sameOrigin(HttpServerRequest req, Exchange ex) {
        HttpMethod m = req.method();
        if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
            return true;
        }
        String site = req.getHeader("Sec-Fetch-Site");
        String origin = req.getHeader(HttpHeaders.ORIGIN);
        boolean foreign = "cross-site".equals(site) || "same-site".equals(site);
        if (!foreign && origin != null && !"null".equals(origin)) {
            String host = req.getHeader(HttpHeaders.HOST);
            foreign = host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host));
        } else if (!foreign && "null".equals(origin)) {
            foreign = true; // a sandboxed frame or a data: page
        }
        if (foreign) {
            ex.problem(403, "Forbidden", "a request from another site (Origin " + Ids.printable(String.valueOf(origin))
                    + ") may not change anything here");
            return false;
        }
        return true;
    }

    private void openapi(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET");
            ex.problem(405, "Method Not Allowed", "/openapi.yaml takes GET");
            return;
        }
        io.vertx.core.buffer.Buffer doc = openapi;
        if (doc == null) {
            try (java.io.InputStream in = HttpFront.class.getResourceAsStream("/dev/squall/server/openapi.yaml")) {
                doc = io.vertx.core.buffer.Buffer.buffer(in.readAllBytes());
            } catch (java.io.IOException | NullPointerException e) {
                throw new IllegalStateException("openapi.yaml is missing from the build", e);
            }
            openapi = doc;
        }
        ex.bytes(200, "application/yaml; charset=utf-8", doc);
    }

    /**
     * The scope a request needs: {@code submit} to add jobs (the seed route, {@code POST /jobs}),
     * {@code admin} to change them (cancel, retry), {@code read} for the rest. Answers 401 or 403
     * itself and returns false when the request may not go on.
     */
    private boolean allowed(HttpServerRequest req, Exchange ex, String path) {
        HttpMethod m = req.method();
        Scope needed;
        if ("/".equals(path) || (m == HttpMethod.POST && (path.equals("/jobs") || path.equals("/jobs/")))) {
            needed = Scope.SUBMIT;
        } else if (m == HttpMethod.DELETE || (m == HttpMethod.POST && path.startsWith("/jobs/"))) {
            needed = Scope.ADMIN;
        } else {
            needed = Scope.READ;
        }
        String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
        String cookie = authorization == null ? dev.squall.server.ui.Dashboard.sessionCookie(req) : null;
        Tokens.Verdict v;
        if (cookie != null) {
            // A browser's session: a request that changes something must also carry the session's CSRF token
            // (the logout form carries it in its body, and the dashboard checks it there).
            v = guard.checkSession(cookie, needed);
            boolean changes = m != HttpMethod.GET && m != HttpMethod.HEAD && !path.equals("/ui/logout");
            if (v == Tokens.Verdict.ALLOWED && changes) {
                dev.squall.server.auth.Sessions.Session s = guard.session(cookie);
                String sent = req.getHeader(CSRF_HEADER);
                if (s == null || sent == null || !java.security.MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.UTF_8),
                        sent.getBytes(StandardCharsets.UTF_8))) {
                    ex.problem(403, "Forbidden", "a request from a browser session that changes something needs the session's "
                            + CSRF_HEADER + " header (the dashboard's pages send it)");
                    return false;
                }
            }
        } else {
            v = guard.check(authorization, needed);
        }
        if (v != Tokens.Verdict.ALLOWED && authorization == null && m == HttpMethod.GET
                && (path.equals("/ui") || path.startsWith("/ui/") || path.equals("/docs"))) {
            ex.header(HttpHeaders.LOCATION, "/ui/login"); // a person at a browser: the login page, not a 401
            ex.text(303, "log in at /ui/login");
            return false;
        }
        switch (v) {
            case ALLOWED -> {
                return true;
            }
            case MISSING, UNKNOWN -> {
                ex.header("WWW-Authenticate", v == Tokens.Verdict.MISSING ? "Bearer realm=\"squall\""
                        : "Bearer realm=\"squall\", error=\"invalid_token\"");
                ex.problem(401, "Unauthorized", v == Tokens.Verdict.MISSING
                        ? "this server needs a token: send Authorization: Bearer TOKEN"
                        : "the token is not valid on this server");
            }
            case FORBIDDEN -> {
                ex.header("WWW-Authenticate", "Bearer realm=\"squall\", error=\"insufficient_scope\", scope=\""
                        + needed.wireName() + "\"");
                ex.problem(403, "Forbidden", "the token does not have the '" + needed.wireName() + "' scope that "
                        + m.name() + " " + (path.startsWith("/jobs") ? "/jobs..." : path) + " needs");
            }
        }
        return false;
    }

    private void seed(HttpServerRequest req, Exchange ex) {
        HttpMethod m = req.method();
        if (m != HttpMethod.GET && m != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, POST");
            ex.problem(405, "Method Not Allowed", "the seed route takes GET or POST with {\"job_id\": N}");
            return;
        }
        BodyReader.read(req, config.maxBodyBytes(), ex, body -> {
            if (draining) {
                ex.unavailable("the server is shutting down", 1);
                return;
            }
            String id;
            try {
                id = SeedBody.jobId(body);
            } catch (BadRequest bad) {
                ex.problem(bad.status(), bad.title(), bad.getMessage());
                return;
            }
            stage.handle(id, new String(body, StandardCharsets.UTF_8), ex);
        });
    }

    private void health(HttpServerRequest req, Exchange ex) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            ex.problem(405, "Method Not Allowed", "/healthz takes GET");
            return;
        }
        StoreHealth store = storeHealth.get();
        StringBuilder b = new StringBuilder(128)
                .append("{\"status\":\"").append(draining ? "stopping" : store.reachable() ? "ok" : "degraded")
                .append("\",\"stage\":\"").append(config.stage().cliName())
                .append("\",\"pid\":").append(ProcessHandle.current().pid());
        EngineStats s = stats.get();
        if (s != null) {
            b.append(",\"jobs\":{\"accepted\":").append(s.accepted()).append(",\"duplicates\":").append(s.duplicates())
                    .append(",\"rejected\":").append(s.rejected())
                    .append(",\"queued\":").append(s.queued()).append(",\"claimed\":").append(s.claimed())
                    .append(",\"running\":").append(s.running())
                    .append(",\"started\":").append(s.started()).append(",\"succeeded\":").append(s.succeeded())
                    .append(",\"retried\":").append(s.retried()).append(",\"dead\":").append(s.dead())
                    .append(",\"stuck_workers\":").append(s.stuck()).append('}');
        }
        if (jobs != null) {
            b.append(",\"long_polls\":").append(jobs.longPolls());
        }
        if (store.node() != null) {
            // A node of a cluster: the database's reachability, the live nodes (from this node's last
            // heartbeat: no query per request) and what fencing refused.
            b.append(",\"store\":{\"reachable\":").append(store.reachable())
                    .append(",\"node\":").append(Json.quote(store.node()))
                    .append(",\"stale_results\":").append(store.staleResults())
                    .append(",\"leases_lost\":").append(store.leasesLost())
                    .append(",\"rescued\":").append(store.rescued())
                    .append(",\"nodes\":[");
            for (int i = 0; i < store.nodes().size(); i++) {
                StoreHealth.Node n = store.nodes().get(i);
                b.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.quote(n.id()))
                        .append(",\"started_at\":").append(JobJson.time(n.startedAt()))
                        .append(",\"heartbeat_at\":").append(JobJson.time(n.heartbeatAt()))
                        .append('}');
            }
            b.append("]}");
        }
        b.append('}');
        ex.json(draining ? 503 : 200, b.toString());
    }
}
