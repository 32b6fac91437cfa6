package dev.squall.server.metrics;

import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobEvents;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.server.live.CensusKeeper;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Squall's Prometheus metrics ({@code GET /metrics}): what the engine tells through
 * {@link JobEvents}, what the store tells of its commits, what the HTTP front answers, and gauges
 * read at scrape time from memory (the {@link CensusKeeper}'s latest count, the engine's lanes),
 * never from the store. Series are bounded: kinds and queues past the first
 * {@value #MAX_LABEL_VALUES} are counted as {@code other}, and no job id or error text is a label.
 *
 * <pre>{@code
 * SquallMetrics metrics = SquallMetrics.create("0.1.0", "sqlite", "queue");
 * JobEngine engine = Engines.start(config, store, workers, metrics);   // it listens to jobs
 * metrics.watch(engine, census);                                        // gauges read at scrape time
 * SquallMetrics.Scrape s = metrics.scrape(request.getHeader("Accept"));
 * }</pre>
 */
public final class SquallMetrics implements JobEvents, JobStore.CommitListener {
    public static final int MAX_LABEL_VALUES = 50;
    /** Wait and run time buckets, seconds: 1 ms to 5 min. */
    private static final double[] JOB_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    private static final double[] COMMIT_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
    private static final double[] COMMIT_JOBS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

    /** A scrape: the exposition's content type and its bytes. */
    public record Scrape(String contentType, byte[] body) {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final BoundedLabels kinds = new BoundedLabels(MAX_LABEL_VALUES);
    private final BoundedLabels queues = new BoundedLabels(MAX_LABEL_VALUES);

    private final Counter submitted;
    private final Counter rejected;
    private final Counter attempts;
    private final Counter httpRequests;
    private final Histogram wait;
    private final Histogram run;
    private final Histogram commitSeconds;
    private final Histogram commitJobs;
    private final Map<String, Map<String, CounterDataPoint>> submittedPoints = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> rejectedPoints = new ConcurrentHashMap<>();
    /**
     * The data points an attempt's end updates, per queue and kind: looked up once, not three label
     * lookups per attempt (which, with the state's name, were a fifth of the collector's CPU).
     */
    private final Map<String, Map<String, AttemptPoints>> attemptPoints = new ConcurrentHashMap<>();

    private record AttemptPoints(String queue, String kind, CounterDataPoint[] byOutcome, DistributionDataPoint waited,
                                 DistributionDataPoint run) {
    }
    private final java.util.Set<String> knownQueues = ConcurrentHashMap.newKeySet();

    private SquallMetrics(String version, String store, String stage) {
        // Every JVM family of JvmMetrics but native memory: that one asks the DiagnosticCommand MBean
        // at registration (JMX's platform server started for it, ~a sixth of a cold start), and it
        // reports nothing unless the JVM runs with -XX:NativeMemoryTracking anyway.
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        Info.builder().name("squall_build_info").help("The running Squall: version, store kind and stage (always 1)")
                .labelNames("version", "store", "stage").register(registry).setLabelValues(version, store, stage);
        submitted = Counter.builder().name("squall_jobs_submitted_total").help("Jobs accepted (stored) by this node, by queue and kind")
                .labelNames("queue", "kind").register(registry);
        rejected = Counter.builder().name("squall_jobs_rejected_total")
                .help("Submits refused by this node: full (429), invalid (400, 413, 415), conflict (409), unavailable (503), unauthorized (401, 403)")
                .labelNames("reason").register(registry);
        for (String reason : new String[] {"full", "invalid", "conflict", "unavailable", "unauthorized"}) {
            rejectedPoints.put(reason, rejected.labelValues(reason)); // every reason shows, at 0
        }
        attempts = Counter.builder().name("squall_job_attempts_total")
                .help("Attempts ended and recorded on this node, by queue, kind and outcome (succeeded, failed: will run again, dead)")
                .labelNames("queue", "kind", "outcome").register(registry);
        wait = Histogram.builder().name("squall_job_wait_seconds").help("From when an attempt was due to when a worker started it")
                .labelNames("queue").classicOnly().classicUpperBounds(JOB_SECONDS).register(registry);
        run = Histogram.builder().name("squall_job_run_seconds").help("How long attempts ran, from their start to their end")
                .labelNames("queue", "kind").classicOnly().classicUpperBounds(JOB_SECONDS).register(registry);
        commitSeconds = Histogram.builder().name("squall_store_commit_seconds")
                .help("How long each store transaction took to run and commit (one per group of writes), by writer: all (SQLite),"
                        + " jobs and results (PostgreSQL)")
                .labelNames("writer").classicOnly().classicUpperBounds(COMMIT_SECONDS).register(registry);
        commitJobs = Histogram.builder().name("squall_store_commit_jobs").help("Writes carried by each store transaction (group commit), by writer")
                .labelNames("writer").classicOnly().classicUpperBounds(COMMIT_JOBS).register(registry);
        httpRequests = Counter.builder().name("squall_http_requests_total").help("HTTP answers by route, method and status code")
                .labelNames("route", "method", "code").register(registry);
    }

    /** Metrics for a server of this version, store kind and stage, with the JVM and process families. */
    public static SquallMetrics create(String version, String store, String stage) {
        return new SquallMetrics(version, store, stage);
    }

    /**
     * Registers the gauges read at scrape time: jobs by state and the oldest waiting job's age by
     * queue (from {@code census}), and workers and busy workers by lane (from {@code engine}).
     */
    public void watch(JobEngine engine, CensusKeeper census, int queueCapacity) {
        GaugeWithCallback.builder().name("squall_jobs").help("Jobs kept by the store, by state: a count of the store taken about every second (on PostgreSQL, the "
                        + "cluster's) plus this node's transitions since, kept in memory")
                .labelNames("state").callback(cb -> {
                    CensusKeeper.Snapshot c = census.latest();
                    for (JobState s : JobState.stored()) {
                        cb.call(c.count(s), s.wireName());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("squall_queue_oldest_age_seconds")
                .help("Age of the oldest job waiting in each queue, from when it was due (0: none waits)")
                .labelNames("queue").callback(cb -> {
                    long now = System.currentTimeMillis();
                    Map<String, Long> oldest = new java.util.TreeMap<>();
                    knownQueues.forEach(q -> oldest.put(q, 0L));
                    for (JobStore.Census.Row r : census.latest().census().rows()) {
                        if (r.oldestDue() > 0 && (r.state() == JobState.QUEUED || r.state() == JobState.FAILED)) {
                            oldest.merge(queues.of(r.queue()), r.oldestDue(), Math::min);
                        } else {
                            oldest.putIfAbsent(queues.of(r.queue()), 0L);
                        }
                    }
                    oldest.forEach((q, due) -> cb.call(due == 0 ? 0 : Math.max(0, now - due) / 1000.0, q));
                }).register(registry);
        GaugeWithCallback.builder().name("squall_queue_capacity").help("How many jobs may wait before a submit is answered 429 (--queue-capacity)")
                .callback(cb -> cb.call(queueCapacity)).register(registry);
        GaugeWithCallback.builder().name("squall_workers").help("Workers of this node by lane (the queues a lane serves; * for every queue)")
                .labelNames("queue").callback(cb -> engine.lanes().forEach(l -> cb.call(l.workers(), l.name()))).register(registry);
        GaugeWithCallback.builder().name("squall_workers_busy").help("Workers of this node running an attempt now, by lane")
                .labelNames("queue").callback(cb -> engine.lanes().forEach(l -> cb.call(l.busy(), l.name()))).register(registry);
    }

    /**
     * Starts the series of the known kinds and queues at 0, so that they show (and rates work) from
     * the first scrape rather than from the first job of each.
     */
    public void known(java.util.Collection<String> kindNames, java.util.Collection<String> queueNames) {
        for (String q : queueNames) {
            String queue = queues.of(q);
            knownQueues.add(queue);
            wait.labelValues(queue);
            for (String k : kindNames) {
                String kind = kinds.of(k);
                submittedPoints.computeIfAbsent(q, x -> new ConcurrentHashMap<>()).computeIfAbsent(k, x -> submitted.labelValues(queue, kind));
                run.labelValues(queue, kind);
                for (JobState outcome : new JobState[] {JobState.SUCCEEDED, JobState.FAILED, JobState.DEAD}) {
                    attempts.labelValues(queue, kind, outcome.wireName());
                }
            }
        }
    }

    /** Registers one more counter read at scrape time (for the server's own figures). */
    public void counter(String name, String help, java.util.function.LongSupplier value) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    /** Registers one more gauge read at scrape time (for the server's own figures). */
    public void gauge(String name, String help, Supplier<Double> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.get())).register(registry);
    }

    // ---- told by the engine ----

    /** The data point of the last submit's queue and kind: a stream of one kind (the seed route) skips the maps. */
    private record LastSubmit(String queue, String kind, CounterDataPoint point) {
    }

    private volatile LastSubmit lastSubmit;

    @Override
    public void submitted(JobRecord job) {
        LastSubmit last = lastSubmit;
        if (last != null && last.queue().equals(job.queue()) && last.kind().equals(job.kind())) {
            last.point().inc();
            return;
        }
        CounterDataPoint p = submittedPoints.computeIfAbsent(job.queue(), q -> new ConcurrentHashMap<>())
                .computeIfAbsent(job.kind(), k -> submitted.labelValues(queues.of(job.queue()), kinds.of(k)));
        p.inc();
        lastSubmit = new LastSubmit(job.queue(), job.kind(), p);
    }

    @Override
    public void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
        AttemptPoints p = attemptPoints(job);
        CounterDataPoint c = p.byOutcome()[outcome.ordinal()];
        if (c == null) { // an outcome's series is made at its first attempt (a race makes the same point twice: harmless)
            c = attempts.labelValues(p.queue(), p.kind(), outcome.wireName());
            p.byOutcome()[outcome.ordinal()] = c;
        }
        c.inc();
        if (startedAt > 0) {
            p.waited().observe(Math.max(0, startedAt - job.dueAtMillis()) / 1000.0);
            p.run().observe(Math.max(0, endedAt - startedAt) / 1000.0);
        }
    }

    /** Read first, made once: {@code computeIfAbsent} on a key that exists still cost a fifth of the collector's CPU. */
    private AttemptPoints attemptPoints(Job job) {
        Map<String, AttemptPoints> byKind = attemptPoints.get(job.queue());
        if (byKind == null) {
            byKind = attemptPoints.computeIfAbsent(job.queue(), q -> new ConcurrentHashMap<>());
        }
        AttemptPoints p = byKind.get(job.kind());
        if (p == null) {
            p = byKind.computeIfAbsent(job.kind(), k -> {
                String queue = queues.of(job.queue());
                String kind = kinds.of(k);
                return new AttemptPoints(queue, kind, new CounterDataPoint[JobState.values().length], wait.labelValues(queue),
                        run.labelValues(queue, kind));
            });
        }
        return p;
    }

    // ---- told by the store ----

    @Override
    public void committed(String writer, long nanos, int writes) {
        commitSeconds.labelValues(writer).observe(nanos / 1e9);
        commitJobs.labelValues(writer).observe(writes);
    }

    // ---- told by the HTTP front ----

    /** A submit refused for {@code reason} (full, invalid, conflict, unavailable, unauthorized). */
    public void rejected(String reason) {
        CounterDataPoint p = rejectedPoints.get(reason);
        if (p != null) {
            p.inc();
        }
    }

    /**
     * The counter of one route and method: cached per status code, so an answer costs an array read.
     * On an {@code intake} route (the seed route, {@code POST /jobs}) a refusal also counts in
     * {@code squall_jobs_rejected_total} by its reason.
     */
    public HttpRoute route(String route, String method, boolean intake) {
        return new HttpRoute(route, method, intake);
    }

    /** Counts the answers of one route and method by status. */
    public final class HttpRoute {
        private final String route;
        private final String method;
        private final boolean intake;
        private final CounterDataPoint[] byStatus = new CounterDataPoint[600];

        private HttpRoute(String route, String method, boolean intake) {
            this.route = route;
            this.method = method;
            this.intake = intake;
        }

        public void answered(int status) {
            if (status < 100 || status >= 600) {
                return;
            }
            if (intake && status >= 400) {
                String reason = switch (status) {
                    case 429 -> "full";
                    case 409 -> "conflict";
                    case 503 -> "unavailable";
                    case 401, 403 -> "unauthorized";
                    case 400, 413, 415, 422 -> "invalid";
                    default -> null;
                };
                if (reason != null) {
                    rejected(reason);
                }
            }
            CounterDataPoint p = byStatus[status];
            if (p == null) {
                p = httpRequests.labelValues(route, method, Integer.toString(status));
                byStatus[status] = p; // a racing write stores the same data point
            }
            p.inc();
        }
    }

    /** The exposition the scraper asked for ({@code Accept}: OpenMetrics when it says so, else Prometheus text). */
    public Scrape scrape(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (writer.getContentType().contains("protobuf")) {
            writer = formats.getPrometheusTextFormatWriter(); // text only: the protobuf format is not offered
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("could not write the metrics", e);
        }
        return new Scrape(writer.getContentType(), out.toByteArray());
    }
}
