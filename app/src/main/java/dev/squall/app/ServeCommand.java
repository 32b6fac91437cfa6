package dev.squall.app;

import dev.squall.server.boot.SquallServers;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.ExecutorKind;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code squall serve}: runs the server in one stage of the article until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the HTTP server. GET or POST / with {\"job_id\": N}; GET /healthz.",
                "Stages: hello, blocking, multiprocess, coroutine, executor, process-pool, virtual, queue (default)."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8888", description = "TCP port (0 = any free port). Default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--stage", defaultValue = "queue", converter = Converters.StageConverter.class,
            description = "Which stage of the article to run. Default: ${DEFAULT-VALUE}")
    Stage stage;

    @Option(names = "--sleep", defaultValue = "1s", converter = Converters.DurationConverter.class,
            description = "Length of the simulated work, like 0, 20ms, 1.5s, 2m. Default: ${DEFAULT-VALUE}")
    Duration sleep;

    @Option(names = "--workers", defaultValue = "0",
            description = "Worker threads / processes / virtual-thread permits (0 = 20; 10000 for virtual threads). "
                    + "At most 10000 threads or 256 processes in all, queues' own included.")
    int workers;

    @Option(names = "--io-threads", defaultValue = "0",
            description = "Event loops (0 = 1 for blocking and multiprocess, else half the cores).")
    int ioThreads;

    @Option(names = "--processes", defaultValue = "0",
            description = "Processes of the multiprocess stage (0 = one per core, like Tornado's start(0)).")
    int processes;

    @Option(names = "--queue-capacity", defaultValue = "100000",
            description = "Jobs that may wait; past it the answer is 429 with Retry-After. Default: ${DEFAULT-VALUE}")
    int queueCapacity;

    @Option(names = "--queue-bytes", defaultValue = "268435456",
            description = "Bytes of job payloads that may wait in memory (memory store) or on their way to the file (SQLite); "
                    + "past it the answer is 429 as well. Default: ${DEFAULT-VALUE} (256 MiB)")
    long queueBytes;

    @Option(names = "--collect-every", defaultValue = "2s", converter = Converters.DurationConverter.class,
            description = "How often the queue stage's collector gathers finished jobs. Default: ${DEFAULT-VALUE}")
    Duration collectEvery;

    @Option(names = "--executor", defaultValue = "threads", converter = Converters.ExecutorConverter.class,
            description = "What runs the queue stage's jobs: threads, virtual or process. Default: ${DEFAULT-VALUE}")
    ExecutorKind executor;

    @Option(names = "--kind", defaultValue = "sleep",
            description = "Job kind of the queue stage's seed-route jobs: sleep, cpu, echo, fail. Default: ${DEFAULT-VALUE}")
    String kind;

    @Option(names = "--max-attempts", defaultValue = "3",
            description = "Attempts a queued job gets before it is dead. Default: ${DEFAULT-VALUE}")
    int maxAttempts;

    @Option(names = "--max-body", defaultValue = "65536",
            description = "Largest request body in bytes; larger gets 413. Default: ${DEFAULT-VALUE}")
    int maxBody;

    @Option(names = "--shutdown-grace", defaultValue = "30s", converter = Converters.DurationConverter.class,
            description = "How long running jobs may take to finish at shutdown. Default: ${DEFAULT-VALUE}")
    Duration shutdownGrace;

    @Option(names = "--async-limit", defaultValue = "1000",
            description = "Attempts of asynchronous job kinds (plugins built with JobHandler.async) in flight at once; "
                    + "they hold no worker. Default: ${DEFAULT-VALUE}")
    int asyncLimit;

    @Option(names = "--idle-timeout", defaultValue = "2m", converter = Converters.DurationConverter.class,
            description = "Close a connection that sends and receives nothing this long (0 = never). "
                    + "On the queue stage it must be over 1m, the longest long poll. Default: ${DEFAULT-VALUE}")
    Duration idleTimeout;

    @Option(names = "--request-timeout", defaultValue = "30s", converter = Converters.DurationConverter.class,
            description = "A request's whole head and body must arrive within this of connecting or of the previous answer; "
                    + "a client that trickles is cut. A job API request the store has not answered within this of its arrival "
                    + "is answered 503 (0 = no limit). Default: ${DEFAULT-VALUE}")
    Duration requestTimeout;

    @Option(names = "--long-poll-limit", defaultValue = "10000",
            description = "Requests that may wait at once for a job to end (GET /jobs/{id}?wait=); past it: 429. Default: ${DEFAULT-VALUE}")
    int longPollLimit;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Bearer tokens, one a line: SECRET or SECRET SCOPE[,SCOPE...] (submit, read, admin). Only its owner may "
                    + "read it. Reloaded on SIGHUP. Needed to listen beyond loopback; see docs/security.md.")
    java.nio.file.Path tokenFile;

    @Option(names = "--insecure-no-auth",
            description = "Listen beyond loopback without tokens, deliberately (something in front checks callers).")
    boolean insecureNoAuth;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve HTTPS (HTTP/1.1 and HTTP/2) with this PEM certificate chain.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert.")
    java.nio.file.Path tlsKey;

    @Option(names = "--store", defaultValue = ServerConfig.DEFAULT_STORE,
            description = "Where the queue stage keeps jobs: sqlite:PATH (durable, one process), "
                    + "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (durable, any number of nodes; the password may come "
                    + "from PGPASSWORD; see docs/scale-out.md) or memory (lost on exit). Default: ${DEFAULT-VALUE}")
    String store;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "This node's id in a PostgreSQL cluster: unique, and the same across restarts so that a restarted "
                    + "node queues its own unfinished jobs again at once. Default: host name and pid")
    String nodeId;

    @Option(names = "--queues", paramLabel = "NAME[:WORKERS][,...]", split = ",",
            description = "PostgreSQL: run only jobs of these named queues (jobs of other queues are left to other nodes; "
                    + "this node still accepts them). A queue given WORKERS runs on that many workers of its own; the "
                    + "others share --workers. Default: every queue, on --workers")
    java.util.List<String> queues;

    @Option(names = "--metrics", arity = "1", defaultValue = "on", paramLabel = "on|off", converter = Converters.OnOffConverter.class,
            description = "Keep Prometheus metrics and serve them at GET /metrics (needs the read scope with tokens). "
                    + "Default: ${DEFAULT-VALUE}")
    boolean metrics;

    @Option(names = "--lease", defaultValue = "30s", converter = Converters.DurationConverter.class,
            description = "PostgreSQL: how long a node's claim on a job holds without renewal (renewed every third of it); "
                    + "a dead node's jobs run elsewhere after about this long. Default: ${DEFAULT-VALUE}")
    Duration lease;

    @Option(names = "--notify", arity = "1", paramLabel = "on|off", defaultValue = "on", converter = Converters.OnOffConverter.class,
            description = "PostgreSQL: tell other nodes of new jobs with NOTIFY (off: they find them by polling, at most "
                    + "every second; for PgBouncer in transaction mode). Default: on")
    boolean notify;

    @Option(names = "--durability", paramLabel = "fsync|none", defaultValue = "fsync", converter = Converters.DurabilityConverter.class,
            description = "fsync: a job is acknowledged once synced to disk; none: once written (survives a process crash, "
                    + "not a power loss). Default: ${DEFAULT-VALUE}")
    String durability;

    @Option(names = "--retain", defaultValue = "24h", converter = Converters.DurationConverter.class,
            description = "How long finished jobs are kept before housekeeping deletes them. Default: ${DEFAULT-VALUE}")
    Duration retain;

    @Option(names = "--retry-backoff", defaultValue = "1s", converter = Converters.DurationConverter.class,
            description = "Wait after a job's first failed attempt; doubles each attempt (with jitter), at most 10m. Default: ${DEFAULT-VALUE}")
    Duration retryBackoff;

    @Option(names = "--job-timeout", defaultValue = "30m", converter = Converters.DurationConverter.class,
            description = "How long one attempt may run; past it the attempt is abandoned as failed (0 = no limit). Default: ${DEFAULT-VALUE}")
    Duration jobTimeout;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "A folder of job handler plugin jars (ServiceLoader: META-INF/services/dev.squall.core.JobHandler).")
    java.nio.file.Path plugins;

    @Option(names = "--log-level", defaultValue = "info", converter = Converters.LogLevelConverter.class,
            description = "error, warn, info, debug, trace or off. Default: ${DEFAULT-VALUE}")
    String logLevel;

    @Option(names = "--access-log", arity = "1", paramLabel = "on|off", defaultValue = "on", converter = Converters.OnOffConverter.class,
            description = "One Tornado-style line per request: on or off. Default: on")
    boolean accessLog;

    @Option(names = "--job-log-limit", defaultValue = "1000",
            description = "Per-job lines (job add:N, scheduling N, Collected job: N, ...) written per second and kind; "
                    + "past it one summary line says how many were left out. 0 = none. Default: ${DEFAULT-VALUE}")
    int jobLogLimit;

    @Option(names = "--child", hidden = true,
            description = "Run as a child of the multiprocess stage: share the port, exit when stdin closes.")
    boolean child;

    /** The validated configuration these flags describe. */
    ServerConfig toConfig() {
        return ServerConfig.builder()
                .host(host).port(port).stage(stage).sleep(sleep).workers(workers).ioThreads(ioThreads)
                .processes(processes).queueCapacity(queueCapacity).collectEvery(collectEvery)
                .executor(executor).kind(kind).maxAttempts(maxAttempts).maxBodyBytes(maxBody)
                .shutdownGrace(shutdownGrace).accessLog(accessLog).jobLogLimit(jobLogLimit).reusePort(child)
                .queues(ServerConfig.parseQueues(queues)).store(store).nodeId(nodeId).lease(lease).notify(notify).fsync(durability.equals("fsync")).retain(retain).retryBackoff(retryBackoff).jobTimeout(jobTimeout).idleTimeout(idleTimeout).asyncLimit(asyncLimit).plugins(plugins)
                .requestTimeout(requestTimeout).longPollLimit(longPollLimit).tokenFile(tokenFile).insecureNoAuth(insecureNoAuth)
                .tls(tlsCert, tlsKey).queueBytes(queueBytes).metrics(metrics)
                .selfLauncher(JavaLauncher.current(SquallMain.class.getName()))
                .build();
    }

    @Override
    public Integer call() throws InterruptedException {
        LogSetup.level(logLevel);
        ServerConfig config = toConfig();
        SquallServer server = SquallServers.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        if (config.tokenFile() != null) {
            reloadOnHangup(server);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "squall-shutdown"));
        if (child) {
            System.out.println(ChildReady.MARKER + " pid=" + ProcessHandle.current().pid() + " port=" + server.port());
            System.out.flush();
            exitWhenStdinCloses();
        }
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP reads the token file again; connections stay open. {@code sun.misc.Signal} is the JDK's
     * only way to handle a signal (javac warns that it is internal; it is supported and exported by
     * jdk.unsupported, and nothing public replaces it).
     */
    private static void reloadOnHangup(SquallServer server) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> server.reloadTokens());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            org.slf4j.LoggerFactory.getLogger("squall.server").warn("SIGHUP cannot be handled here ({}); restart to change tokens",
                    e.getMessage());
        }
    }

    /** A child of the multiprocess stage must not outlive its parent, which holds our stdin. */
    private static void exitWhenStdinCloses() {
        Thread t = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent never writes; we only wait for the end of the stream
                }
            } catch (IOException e) {
                // a broken pipe means the same thing as the end of the stream
            }
            System.exit(0);
        }, "squall-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** The readiness line, shared with the supervisor in the server module. */
    static final class ChildReady {
        static final String MARKER = dev.squall.server.multiprocess.MultiprocessSupervisor.READY_MARKER;
    }
}
