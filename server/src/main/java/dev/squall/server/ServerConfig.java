package dev.squall.server;

import dev.squall.core.Durations;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.store.StoreSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code squall serve} is told, immutable and validated when built: a bad value fails
 * here with a message that names the flag, and nothing is silently "corrected".
 *
 * <pre>{@code
 * ServerConfig cfg = ServerConfig.builder().stage(Stage.QUEUE).port(0).sleep(Duration.ofMillis(200)).build();
 * try (SquallServer server = SquallServers.start(cfg)) { ... server.port() ... }
 * }</pre>
 *
 * Zero means "automatic" for {@code ioThreads} (1 for the stages whose lesson is a single loop,
 * else half the cores), {@code workers} (20; 10,000 for virtual threads) and {@code processes}
 * (one per core, like Tornado's {@code start(0)}).
 */
public record ServerConfig(
        String host,
        int port,
        Stage stage,
        Duration sleep,
        int workers,
        int ioThreads,
        int processes,
        int queueCapacity,
        Duration collectEvery,
        boolean accessLog,
        int jobLogLimit,
        ExecutorKind executor,
        String kind,
        int maxAttempts,
        int maxBodyBytes,
        Duration shutdownGrace,
        StoreSpec store,
        boolean fsync,
        Duration retain,
        Duration retryBackoff,
        Duration jobTimeout,
        Duration idleTimeout,
        int asyncLimit,
        java.nio.file.Path plugins,
        boolean reusePort,
        JavaLauncher selfLauncher,
        Duration requestTimeout,
        int longPollLimit,
        java.nio.file.Path tokenFile,
        boolean insecureNoAuth,
        java.nio.file.Path tlsCert,
        java.nio.file.Path tlsKey,
        long queueBytes,
        java.util.Map<String, Integer> queues,
        boolean metrics) {

    public static final int DEFAULT_PORT = 8888;
    /** The most workers one queue may have of its own ({@code --queues NAME:WORKERS}). */
    public static final int MAX_QUEUE_WORKERS = 100_000;
    public static final int DEFAULT_WORKERS = 20;
    /** The most worker threads a server makes ({@code --executor threads} and the executor stage), every lane together. */
    public static final int MAX_WORKER_THREADS = 10_000;
    /** The most worker processes ({@code --executor process} and the process-pool stage), as {@code --processes}. */
    public static final int MAX_WORKER_PROCESSES = 256;
    public static final int DEFAULT_VIRTUAL_PERMITS = 10_000;
    public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
    public static final int DEFAULT_MAX_BODY = 64 * 1024;
    public static final int DEFAULT_JOB_LOG_LIMIT = 1000;
    public static final String DEFAULT_STORE = "sqlite:squall-data/squall.db";
    /** Longer than the longest long poll ({@code ?wait=} is at most 1 minute), so none is cut. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** The longest long poll, {@code GET /jobs/{id}?wait=}: a connection quiet this long is not idle yet. */
    public static final Duration LONGEST_LONG_POLL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_LONG_POLL_LIMIT = 10_000;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(sleep, "sleep");
        Objects.requireNonNull(collectEvery, "collectEvery");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(retain, "retain");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        check(!retain.isNegative(), "--retain", "must not be negative");
        check(!retryBackoff.isNegative(), "--retry-backoff", "must not be negative");
        Objects.requireNonNull(jobTimeout, "jobTimeout");
        check(!jobTimeout.isNegative(), "--job-timeout", "must not be negative (0 = no limit)");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        check(!idleTimeout.isNegative(), "--idle-timeout", "must not be negative (0 = never)");
        check(asyncLimit >= 1 && asyncLimit <= 1_000_000, "--async-limit", "must be between 1 and 1000000, got " + asyncLimit);
        check(!host.isBlank(), "--host", "must not be empty");
        check(port >= 0 && port <= 65535, "--port", "must be between 0 and 65535, got " + port);
        check(!sleep.isNegative(), "--sleep", "must not be negative");
        check(workers >= 0 && workers <= 1_000_000, "--workers", "must be between 1 and 1000000 (0 = automatic), got " + workers);
        check(ioThreads >= 0 && ioThreads <= 1024, "--io-threads", "must be between 1 and 1024 (0 = automatic), got " + ioThreads);
        check(processes >= 0 && processes <= 256, "--processes", "must be between 1 and 256 (0 = one per core), got " + processes);
        check(queueCapacity >= 1 && queueCapacity <= 100_000_000, "--queue-capacity", "must be between 1 and 100000000, got " + queueCapacity);
        check(collectEvery.toNanos() > 0, "--collect-every", "must be longer than 0");
        check(maxAttempts >= 1 && maxAttempts <= 1000, "--max-attempts", "must be between 1 and 1000, got " + maxAttempts);
        check(maxBodyBytes >= 64, "--max-body", "must be at least 64 bytes");
        check(!shutdownGrace.isNegative(), "--shutdown-grace", "must not be negative");
        check(!kind.isBlank(), "--kind", "must not be empty");
        check(jobLogLimit >= 0, "--job-log-limit", "must not be negative (0 = no per-job lines), got " + jobLogLimit);
        check(stage != Stage.MULTIPROCESS || selfLauncher != null, "--stage", "multiprocess needs a launcher for its child processes");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        check(!requestTimeout.isNegative(), "--request-timeout", "must not be negative (0 = no limit)");
        check(queueBytes >= 1024 && queueBytes <= Integer.MAX_VALUE, "--queue-bytes",
                "must be between 1024 and " + Integer.MAX_VALUE + ", got " + queueBytes);
        check(longPollLimit >= 1 && longPollLimit <= 1_000_000, "--long-poll-limit", "must be between 1 and 1000000, got " + longPollLimit);
        check(stage != Stage.QUEUE || idleTimeout.isZero() || idleTimeout.compareTo(LONGEST_LONG_POLL) > 0, "--idle-timeout",
                Durations.format(idleTimeout) + " is not longer than the longest long poll (GET /jobs/{id}?wait= up to "
                        + Durations.format(LONGEST_LONG_POLL) + "), which it would cut; give more than "
                        + Durations.format(LONGEST_LONG_POLL) + ", or 0 for never");
        if (queues != null) {
            check(!queues.isEmpty(), "--queues", "name at least one queue");
            for (var q : queues.entrySet()) {
                check(dev.squall.core.JobRecord.validQueue(q.getKey()), "--queues",
                        "'" + q.getKey() + "' is not a queue name: 1-100 letters, digits, '.', '_', ':' or '-'");
                check(q.getValue() >= 0 && q.getValue() <= MAX_QUEUE_WORKERS, "--queues", "queue '" + q.getKey()
                        + "' may have 1 to " + MAX_QUEUE_WORKERS + " workers of its own, got " + q.getValue());
            }
            check(store instanceof StoreSpec.Postgres, "--queues", "needs a PostgreSQL store: on " + store
                    + " this process is the only one, and the jobs of the queues it left out would wait forever");
            check(stage == Stage.QUEUE, "--queues", "is for the queue stage (the job API), not the " + stage.cliName() + " stage");
            queues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(queues));
        }
        checkWorkerBounds(stage, executor, workers, queues);
        check(tokenFile == null || !insecureNoAuth, "--insecure-no-auth", "contradicts --token-file: give one or the other");
        check((tlsCert == null) == (tlsKey == null), tlsCert == null ? "--tls-cert" : "--tls-key",
                "TLS needs both --tls-cert FILE and --tls-key FILE (PEM)");
        check(tokenFile != null || insecureNoAuth || isLoopback(host), "--host",
                "'" + host + "' lets other machines reach the server, and without tokens anyone who reaches the port can submit, "
                        + "read, cancel and retry every job. Give --token-file FILE (see docs/security.md), or --insecure-no-auth "
                        + "if something in front of Squall already checks who may call it");
    }

    /** Whether {@code host} is a loopback address (127.0.0.0/8, ::1, or a name that resolves only to those). */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            java.net.InetAddress[] all = java.net.InetAddress.getAllByName(h);
            for (java.net.InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false; // cannot tell: treat as exposed
        }
    }

    /**
     * {@code --queues} as given, {@code NAME[:WORKERS]} each: the queues in order, with the workers
     * of their own (0 for none). A name that ends in {@code :DIGITS} is read as a count, so such a
     * queue cannot be named here.
     */
    public static java.util.Map<String, Integer> parseQueues(java.util.List<String> entries) {
        if (entries == null) {
            return null;
        }
        java.util.Map<String, Integer> queues = new java.util.LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.strip();
            int colon = e.lastIndexOf(':');
            String count = colon < 0 ? "" : e.substring(colon + 1);
            boolean counted = !count.isEmpty() && count.chars().allMatch(Character::isDigit);
            String name = counted ? e.substring(0, colon) : e;
            int workers = 0;
            if (counted) {
                check(count.length() <= 6, "--queues", "'" + entry + "': at most " + MAX_QUEUE_WORKERS + " workers per queue");
                workers = Integer.parseInt(count);
                check(workers >= 1, "--queues", "'" + entry + "': a queue of its own needs at least 1 worker");
            }
            check(queues.put(name, workers) == null, "--queues", "queue '" + name + "' is named twice");
        }
        return queues;
    }

    /** The queues served (null: all). */
    public java.util.Set<String> queueNames() {
        return queues == null ? null : java.util.Set.copyOf(queues.keySet());
    }

    /** The queues that have workers of their own, with how many. */
    public java.util.Map<String, Integer> queueLanes() {
        if (queues == null) {
            return java.util.Map.of();
        }
        java.util.Map<String, Integer> lanes = new java.util.TreeMap<>();
        queues.forEach((q, n) -> {
            if (n > 0) {
                lanes.put(q, n);
            }
        });
        return lanes;
    }

    /** Whether some served queues share the {@code --workers} pool (true when every queue is served). */
    public boolean sharedLane() {
        return queues == null || queues.containsValue(0);
    }

    /**
     * Threads and processes are made at start, every one: 100,000 platform threads took minutes
     * before the server said a word, and as many worker JVMs would take the machine. A virtual
     * thread's permit costs nothing until used, so only the overall bound applies to it.
     */
    private static void checkWorkerBounds(Stage stage, ExecutorKind executor, int workers, java.util.Map<String, Integer> queues) {
        boolean queue = stage == Stage.QUEUE;
        boolean processes = stage == Stage.PROCESS_POOL || queue && executor == ExecutorKind.PROCESS;
        boolean threads = stage == Stage.EXECUTOR || queue && executor == ExecutorKind.THREADS;
        if (!processes && !threads) {
            return; // virtual threads, or a stage without workers
        }
        long shared = queues == null || queues.containsValue(0) ? (workers > 0 ? workers : DEFAULT_WORKERS) : 0;
        long own = queues == null ? 0 : queues.values().stream().mapToLong(Integer::longValue).sum();
        int max = processes ? MAX_WORKER_PROCESSES : MAX_WORKER_THREADS;
        String what = processes ? "worker processes (one JVM each)" : "worker threads (--executor virtual has no such bound)";
        check(shared + own <= max, own > 0 ? "--queues" : "--workers", "at most " + max + " " + what + " in all, got "
                + (shared + own) + (own > 0 ? " (" + shared + " shared by --workers, " + own + " of queues' own)" : ""));
    }

    private static void check(boolean ok, String flag, String message) {
        if (!ok) {
            throw new InvalidConfigException(flag, message);
        }
    }

    /** The bad value of one flag. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private final String flag;

        public InvalidConfigException(String flag, String message) {
            super(flag + ": " + message);
            this.flag = flag;
        }

        public String flag() {
            return flag;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Event loops to run, with "automatic" resolved. */
    public int effectiveIoThreads() {
        if (ioThreads > 0) {
            return ioThreads;
        }
        // Half the cores: the loops only take requests in; the other half is for the work itself
        // (workers, collector, GC). Measured in docs/benchmarks.md.
        return stage == Stage.BLOCKING || stage == Stage.MULTIPROCESS ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** Workers (threads, processes or virtual-thread permits) to run, with "automatic" resolved. */
    public int effectiveWorkers() {
        if (workers > 0) {
            return workers;
        }
        boolean virtual = stage == Stage.VIRTUAL || (stage == Stage.QUEUE && executor == ExecutorKind.VIRTUAL);
        return virtual ? DEFAULT_VIRTUAL_PERMITS : DEFAULT_WORKERS;
    }

    /** Processes of the multiprocess stage, with "one per core" resolved. */
    public int effectiveProcesses() {
        return processes > 0 ? processes : Runtime.getRuntime().availableProcessors();
    }

    /** The arguments that start one child of the multiprocess stage on the same port. */
    public List<String> childServeArgs(int actualPort) {
        List<String> args = new ArrayList<>(List.of("serve", "--child",
                "--stage", Stage.BLOCKING.cliName(),
                "--host", host, "--port", Integer.toString(actualPort),
                "--sleep", Durations.format(sleep),
                "--io-threads", Integer.toString(effectiveIoThreads()),
                "--access-log", accessLog ? "on" : "off",
                "--job-log-limit", Integer.toString(jobLogLimit),
                "--max-body", Integer.toString(maxBodyBytes),
                "--idle-timeout", Durations.format(idleTimeout),
                "--request-timeout", Durations.format(requestTimeout)));
        if (tokenFile != null) {
            args.addAll(List.of("--token-file", tokenFile.toAbsolutePath().toString()));
        }
        if (insecureNoAuth) {
            args.add("--insecure-no-auth");
        }
        if (tlsCert != null) {
            args.addAll(List.of("--tls-cert", tlsCert.toAbsolutePath().toString(), "--tls-key", tlsKey.toAbsolutePath().toString()));
        }
        return args;
    }

    public Builder toBuilder() {
        return new Builder().host(host).port(port).stage(stage).sleep(sleep).workers(workers).ioThreads(ioThreads)
                .processes(processes).queueCapacity(queueCapacity).collectEvery(collectEvery).accessLog(accessLog)
                .jobLogLimit(jobLogLimit).executor(executor).kind(kind).maxAttempts(maxAttempts).maxBodyBytes(maxBodyBytes)
                .shutdownGrace(shutdownGrace).store(store).fsync(fsync).retain(retain).retryBackoff(retryBackoff)
                .jobTimeout(jobTimeout).idleTimeout(idleTimeout).asyncLimit(asyncLimit).plugins(plugins).reusePort(reusePort).selfLauncher(selfLauncher)
                .requestTimeout(requestTimeout).longPollLimit(longPollLimit).tokenFile(tokenFile).insecureNoAuth(insecureNoAuth)
                .tls(tlsCert, tlsKey).queueBytes(queueBytes).queues(queues).metrics(metrics);
    }

    /** Builds a {@link ServerConfig}; every field starts at the {@code squall serve} default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Stage stage = Stage.QUEUE;
        private Duration sleep = Duration.ofSeconds(1);
        private int workers;
        private int ioThreads;
        private int processes;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private Duration collectEvery = Duration.ofSeconds(2);
        private boolean accessLog = true;
        private int jobLogLimit = DEFAULT_JOB_LOG_LIMIT;
        private ExecutorKind executor = ExecutorKind.THREADS;
        private String kind = "sleep";
        private int maxAttempts = 3;
        private int maxBodyBytes = DEFAULT_MAX_BODY;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private String store = DEFAULT_STORE;
        private StoreSpec storeSpec;
        private String nodeId;
        private Duration lease = StoreSpec.Cluster.DEFAULT_LEASE;
        private boolean notify = true;
        private String pgPassword = System.getenv("PGPASSWORD");
        private boolean fsync = true;
        private Duration retain = Duration.ofHours(24);
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Duration jobTimeout = Duration.ofMinutes(30);
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int asyncLimit = dev.squall.core.EngineConfig.DEFAULT_ASYNC_LIMIT;
        private java.nio.file.Path plugins;
        private boolean reusePort;
        private JavaLauncher selfLauncher;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int longPollLimit = DEFAULT_LONG_POLL_LIMIT;
        private java.nio.file.Path tokenFile;
        private boolean insecureNoAuth;
        private java.nio.file.Path tlsCert;
        private java.nio.file.Path tlsKey;
        private long queueBytes = dev.squall.core.JobStore.DEFAULT_MAX_WAITING_CHARS;
        private boolean metrics = true;
        private java.util.Map<String, Integer> queues;

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder stage(Stage v) { stage = v; return this; }
        public Builder sleep(Duration v) { sleep = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder processes(int v) { processes = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder collectEvery(Duration v) { collectEvery = v; return this; }
        public Builder accessLog(boolean v) { accessLog = v; return this; }
        public Builder jobLogLimit(int v) { jobLogLimit = v; return this; }
        public Builder executor(ExecutorKind v) { executor = v; return this; }
        public Builder kind(String v) { kind = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
        public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }
        /** {@code memory} or {@code sqlite:PATH}. */
        public Builder store(String v) { store = v; storeSpec = null; return this; }
        public Builder store(StoreSpec v) { storeSpec = v; return this; }
        /** This node's id in a PostgreSQL cluster (default: host name and pid). */
        public Builder nodeId(String v) { nodeId = v; return this; }
        /** How long a PostgreSQL claim holds without renewal. */
        public Builder lease(Duration v) { lease = v; return this; }
        /** Whether a PostgreSQL node sends and hears NOTIFY on new work (polling stays either way). */
        public Builder notify(boolean v) { notify = v; return this; }
        /** The password for a PostgreSQL URL that has none (default: {@code PGPASSWORD}). */
        public Builder pgPassword(String v) { pgPassword = v; return this; }
        /** {@code --durability fsync} (true) or {@code none} (false). */
        public Builder fsync(boolean v) { fsync = v; return this; }
        public Builder retain(Duration v) { retain = v; return this; }
        public Builder retryBackoff(Duration v) { retryBackoff = v; return this; }
        public Builder jobTimeout(Duration v) { jobTimeout = v; return this; }
        /** A connection that sends and receives nothing this long is closed; zero: never. */
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        /** How many attempts of asynchronous job kinds may be in flight at once (they hold no worker). */
        public Builder asyncLimit(int v) { asyncLimit = v; return this; }
        /** A folder of job handler plugin jars, or null. */
        public Builder plugins(java.nio.file.Path v) { plugins = v; return this; }
        public Builder reusePort(boolean v) { reusePort = v; return this; }
        /** How to start this program again (for worker processes and multiprocess children). */
        public Builder selfLauncher(JavaLauncher v) { selfLauncher = v; return this; }
        /** The whole head and body of a request must arrive within this (0 = no limit). */
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        /** Long polls ({@code ?wait=}) waiting at once; past it: 429. */
        public Builder longPollLimit(int v) { longPollLimit = v; return this; }
        /** Bearer tokens and their scopes (see docs/security.md), or null for no authentication. */
        public Builder tokenFile(java.nio.file.Path v) { tokenFile = v; return this; }
        /** Serve a non-loopback address without tokens, deliberately. */
        public Builder insecureNoAuth(boolean v) { insecureNoAuth = v; return this; }
        /** HTTPS with this PEM certificate chain and key; both null: plain HTTP. */
        public Builder tls(java.nio.file.Path cert, java.nio.file.Path key) { tlsCert = cert; tlsKey = key; return this; }
        /** Bytes of job payloads held in memory waiting (memory store) or on their way to the file (SQLite); past it: 429. */
        public Builder queueBytes(long v) { queueBytes = v; return this; }
        /** Whether the server keeps Prometheus metrics and serves {@code /metrics} (on by default). */
        public Builder metrics(boolean v) { metrics = v; return this; }
        /**
         * The named queues this node runs jobs of (null: all), each with the workers it has of its
         * own (0: it shares {@code --workers} with the others); PostgreSQL only. See {@link #parseQueues}.
         */
        public Builder queues(java.util.Map<String, Integer> v) { queues = v; return this; }

        public ServerConfig build() {
            StoreSpec spec = storeSpec != null ? storeSpec : parseStore();
            return new ServerConfig(host, port, stage, sleep, workers, ioThreads, processes, queueCapacity, collectEvery,
                    accessLog, jobLogLimit, executor, kind, maxAttempts, maxBodyBytes, shutdownGrace, spec, fsync, retain,
                    retryBackoff, jobTimeout, idleTimeout, asyncLimit, plugins, reusePort, selfLauncher, requestTimeout, longPollLimit,
                    tokenFile, insecureNoAuth, tlsCert, tlsKey, queueBytes, queues, metrics);
        }

        private StoreSpec parseStore() {
            StoreSpec.Cluster cluster;
            try {
                cluster = new StoreSpec.Cluster(nodeId == null ? StoreSpec.Cluster.defaultNodeId() : nodeId, lease, notify);
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage();
                String flag = msg.startsWith("--lease") ? "--lease" : "--node-id";
                throw new InvalidConfigException(flag, msg.substring(flag.length() + 1));
            } catch (NullPointerException e) {
                throw new InvalidConfigException("--lease", "must be given");
            }
            try {
                return StoreSpec.parse(store, cluster, pgPassword);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidConfigException("--store", String.valueOf(e.getMessage()));
            }
        }
    }
}
