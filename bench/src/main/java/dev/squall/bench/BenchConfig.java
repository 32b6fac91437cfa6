package dev.squall.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code squall bench} is asked to do, validated when built.
 *
 * <pre>{@code
 * BenchConfig closed = BenchConfig.builder().url("http://127.0.0.1:8888/").requests(1000).concurrency(10).build();
 * BenchConfig open = BenchConfig.builder().rate(500).duration(Duration.ofSeconds(10)).concurrency(100).build();
 * }</pre>
 *
 * Closed loop ({@code rate == 0}): {@code concurrency} callers, each sends its next request when the
 * last one ended, until {@code requests} were sent or {@code duration} passed. Open loop
 * ({@code rate > 0}): requests are due at a fixed schedule, {@code rate} a second, whatever the
 * server does; latency is measured from when each was due, and at most {@code concurrency} are
 * in flight (the rest wait and count as late).
 *
 * @param url          where to send (http only)
 * @param method       GET, POST, ...
 * @param headers      extra headers, {@code Name: value}
 * @param body         body template: {@code {seq}} (0, 1, 2, ...), {@code {uuid}}, {@code {rand}}; empty for none
 * @param requests     how many requests to send (0 = until {@code duration})
 * @param concurrency  callers (closed loop) or the most requests in flight (open loop)
 * @param rate         requests per second (0 = closed loop)
 * @param duration     how long to send (null = until {@code requests})
 * @param timeout      the deadline of each request
 * @param keepAlive    reuse connections, or one new connection per request
 * @param warmup       a first phase with the same traffic that is left out of the figures
 * @param minSuccess   the success percentage below which the exit code is non-zero (null = none)
 * @param threads      client event loops
 */
public record BenchConfig(URI url, String method, List<String> headers, String body, long requests, int concurrency,
                          double rate, Duration duration, Duration timeout, boolean keepAlive, Duration warmup,
                          Double minSuccess, int threads) {

    public static final String DEFAULT_URL = "http://127.0.0.1:8888/";
    public static final String DEFAULT_BODY = "{\"job_id\": {seq}}";

    public BenchConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(warmup, "warmup");
        headers = List.copyOf(headers);
        body = body == null ? "" : body;
        method = method.toUpperCase(Locale.ROOT);
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("URL: only http:// is supported, got '" + url + "'");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("URL: no host in '" + url + "'");
        }
        if (!method.matches("[A-Z]{1,20}")) {
            throw new IllegalArgumentException("--method: '" + method + "' is not an HTTP method");
        }
        for (String h : headers) {
            int c = h.indexOf(':');
            if (c <= 0 || h.substring(0, c).isBlank() || h.contains("\r") || h.contains("\n")) {
                throw new IllegalArgumentException("-H: '" + h + "' is not a header; write it like 'Name: value'");
            }
        }
        if (requests < 0) {
            throw new IllegalArgumentException("--requests: must not be negative, got " + requests);
        }
        if (concurrency < 1 || concurrency > 100_000) {
            throw new IllegalArgumentException("--concurrency: must be between 1 and 100000, got " + concurrency);
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate) || rate > 10_000_000) {
            throw new IllegalArgumentException("--rate: must be between 0 and 10000000 requests a second, got " + rate);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("--duration: must be longer than 0");
        }
        if (requests == 0 && duration == null) {
            throw new IllegalArgumentException("give --requests or --duration (how much to send)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout: must be longer than 0");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup: must not be negative");
        }
        if (minSuccess != null && (minSuccess < 0 || minSuccess > 100)) {
            throw new IllegalArgumentException("--min-success: must be a percentage between 0 and 100, got " + minSuccess);
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("--threads: must be between 1 and 64, got " + threads);
        }
        if (requests > 0 && requests < concurrency && rate == 0) {
            concurrency = (int) requests; // more callers than requests would idle; not an error
        }
    }

    public boolean openLoop() {
        return rate > 0;
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : 80;
    }

    /** The request target: path and query, {@code /} when the URL has none. */
    public String target() {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link BenchConfig}; every field starts at the {@code squall bench} default. */
    public static final class Builder {
        private URI url = URI.create(DEFAULT_URL);
        private String method = "GET";
        private List<String> headers = List.of();
        private String body = DEFAULT_BODY;
        private long requests = 1000;
        private int concurrency = 10;
        private double rate;
        private Duration duration;
        private Duration timeout = Duration.ofSeconds(3);
        private boolean keepAlive = true;
        private Duration warmup = Duration.ZERO;
        private Double minSuccess;
        private int threads = 1;

        public Builder url(String v) {
            try {
                url = URI.create(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("URL: '" + v + "' is not a URL", e);
            }
            return this;
        }

        public Builder url(URI v) { url = v; return this; }
        public Builder method(String v) { method = v; return this; }
        public Builder headers(List<String> v) { headers = v; return this; }
        public Builder body(String v) { body = v; return this; }
        public Builder requests(long v) { requests = v; return this; }
        public Builder concurrency(int v) { concurrency = v; return this; }
        public Builder rate(double v) { rate = v; return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder keepAlive(boolean v) { keepAlive = v; return this; }
        public Builder warmup(Duration v) { warmup = v; return this; }
        public Builder minSuccess(Double v) { minSuccess = v; return this; }
        public Builder threads(int v) { threads = v; return this; }

        public BenchConfig build() {
            return new BenchConfig(url, method, headers, body, requests, concurrency, rate, duration, timeout, keepAlive,
                    warmup, minSuccess, threads);
        }
    }
}
