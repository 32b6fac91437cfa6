package dev.squall.server.http;

import dev.squall.core.engine.Engines;
import dev.squall.core.Backoff;
import dev.squall.core.EngineConfig;
import dev.squall.core.EngineStats;
import dev.squall.core.JobEngine;
import dev.squall.core.Workers;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobRunner;
import dev.squall.core.process.JavaLauncher;
import dev.squall.core.process.ProcessPoolExecutor;
import dev.squall.core.process.WorkerMain;
import dev.squall.server.ServerConfig;
import dev.squall.server.store.Stores;
import dev.squall.server.SquallServer;
import dev.squall.server.auth.Guard;
import dev.squall.server.stage.SeedStages;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-process Squall on Vert.x: {@code --io-threads} event loops (native epoll where the
 * platform has it) share one port, each running the seed route in the configured stage.
 */
public final class VertxSquallServer implements SquallServer {
    private static final Logger LOG = LoggerFactory.getLogger("squall.server");

    private final ServerConfig config;
    private final Vertx vertx;
    private final SeedStage stage;
    private final JobEngine engine;
    private final HttpFront front;
    private final Guard guard;
    private final RequestDeadlines deadlines;
    private int port;

    private final Watch watch;

    private VertxSquallServer(ServerConfig config, Vertx vertx, SeedStage stage, JobEngine engine, JobHandlers handlers, Guard guard,
                              Watch watch) {
        this.config = config;
        this.vertx = vertx;
        this.stage = stage;
        this.engine = engine;
        this.guard = guard;
        this.watch = watch;
        this.deadlines = new RequestDeadlines(vertx, config.requestTimeout());
        if (watch.metrics() != null) {
            watch.metrics().counter("squall_http_late_answers_total", "Requests answered 503 because the store had not answered "
                    + "them within --request-timeout (a submit's job may still be stored)", deadlines::lateAnswers);
        }
        if (engine != null) {
            watch.watch(engine, config.queueCapacity(), handlers.kinds(),
                    config.queueNames() == null ? java.util.List.of(dev.squall.core.JobRecord.DEFAULT_QUEUE) : config.queueNames());
        }
        this.front = new HttpFront(config, stage, engine, handlers, guard, deadlines, watch);
    }

    /** The project's version, from the build (dev when run from classes). */
    static String version() {
        try (java.io.InputStream in = VertxSquallServer.class.getResourceAsStream("/dev/squall/server/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    public static VertxSquallServer start(ServerConfig config) {
        int loops = config.effectiveIoThreads();
        Vertx vertx = Vertx.vertx(vertxOptions(loops, config.stage()));
        JobEngine engine = null;
        SeedStage stage = null;
        Watch watch = null;
        try {
            Guard guard;
            try {
                guard = config.tokenFile() == null ? Guard.open() : Guard.fromFile(config.tokenFile());
            } catch (IllegalArgumentException e) {
                throw new ServerConfig.InvalidConfigException("--token-file", e.getMessage());
            }
            if (config.tlsCert() != null) {
                for (java.nio.file.Path f : java.util.List.of(config.tlsCert(), config.tlsKey())) {
                    if (!java.nio.file.Files.isReadable(f)) {
                        throw new ServerConfig.InvalidConfigException(f == config.tlsCert() ? "--tls-cert" : "--tls-key",
                                f + " is not a readable file");
                    }
                }
            }
            if (config.plugins() != null) {
                try {
                    PluginFolder.check(config.plugins());
                } catch (IllegalArgumentException e) {
                    throw new ServerConfig.InvalidConfigException("--plugins", e.getMessage());
                }
            }
            JobHandlers handlers;
            try {
                handlers = JobHandlers.discover(config.plugins());
            } catch (IllegalArgumentException e) {
                throw new ServerConfig.InvalidConfigException("--plugins", e.getMessage());
            }
            JobRunner runner = new JobRunner(handlers, config.sleep());
            dev.squall.server.metrics.SquallMetrics metrics = !config.metrics() ? null : dev.squall.server.metrics.SquallMetrics.create(
                    version(), config.stage() == dev.squall.server.Stage.QUEUE ? config.store().kind() : "none", config.stage().cliName());
            watch = Watch.withoutJobs(metrics);
            if (config.stage() == dev.squall.server.Stage.QUEUE) {
                if (runner.handlers().find(config.kind()).isEmpty()) {
                    throw new ServerConfig.InvalidConfigException("--kind",
                            "unknown job kind '" + config.kind() + "'; one of: " + runner.handlers().kinds());
                }
                dev.squall.core.JobStore store = Stores.open(config);
                try {
                    watch = Watch.ofJobs(metrics, store, config.queueCapacity(), config.stage().cliName());
                    engine = Engines.start(
                            new EngineConfig(config.collectEvery(), config.shutdownGrace(), config.jobLogLimit(),
                                    new Backoff(config.retryBackoff(), Duration.ofMinutes(10).compareTo(config.retryBackoff()) > 0
                                            ? Duration.ofMinutes(10) : config.retryBackoff()), config.retain(), config.jobTimeout(),
                                    config.asyncLimit(), config.queueNames(), config.queueLanes()),
                            store,
                            queueWorkers(config, runner),
                            watch.jobEvents());
                } catch (RuntimeException failed) {
                    if (engine == null) {
                        store.close(); // the engine owns the store once it started; before that, nobody does
                    }
                    throw failed;
                }
            }
            stage = SeedStages.create(config, vertx, runner, engine, workerLauncher(config));
            VertxSquallServer server = new VertxSquallServer(config, vertx, stage, engine, handlers, guard, watch);
            WarmUp.run(handlers, config);
            server.listen(loops);
            LOG.info("Squall {} stage listening on {}://{}:{}/ (pid {}, {} event loop{}, {} transport, {})",
                    config.stage().cliName(), config.tlsCert() != null ? "https" : "http", config.host(), server.port,
                    ProcessHandle.current().pid(), loops, loops == 1 ? "" : "s", vertx.isNativeTransportEnabled() ? "epoll" : "nio",
                    guard.enabled() ? "bearer tokens from " + config.tokenFile() : "no authentication");
            if (config.insecureNoAuth() && !ServerConfig.isLoopback(config.host())) {
                LOG.warn("--insecure-no-auth: {} is reachable from other machines and anyone who reaches port {} may submit, "
                        + "read, cancel and retry every job", config.host(), server.port);
            }
            return server;
        } catch (RuntimeException e) {
            if (watch != null) {
                watch.close();
            }
            if (stage != null) {
                stage.close();
            }
            if (engine != null) {
                engine.close();
            }
            vertx.close();
            throw e;
        }
    }

    static VertxOptions vertxOptions(int eventLoops, dev.squall.server.Stage stage) {
        VertxOptions options = new VertxOptions()
                .setEventLoopPoolSize(eventLoops)
                .setPreferNativeTransport(true);
        if (stage == dev.squall.server.Stage.BLOCKING) {
            // The blocking stage must *show* a blocked loop: check often, warn past 200 ms. The other
            // stages keep Vert.x's defaults (a check a second, a warning past 2 s): a first request's
            // class loading is not a blocked loop, and an idle server should not wake 10 times a second.
            options.setBlockedThreadCheckInterval(100).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                    .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                    .setWarningExceptionTime(500).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
        }
        return options;
    }

    static Workers queueWorkers(ServerConfig config, JobRunner runner) {
        int workers = config.effectiveWorkers();
        return switch (config.executor()) {
            case THREADS -> Workers.platformThreads(workers, runner);
            case VIRTUAL -> Workers.virtualThreads(workers, runner);
            case PROCESS -> {
                // One pool of worker processes for every lane: as many as all the lanes' workers.
                int all = (config.sharedLane() ? workers : 0) + config.queueLanes().values().stream().mapToInt(Integer::intValue).sum();
                yield ProcessPoolExecutor.start(all, all, workerLauncher(config), config.sleep()).workers().withCount(workers);
            }
        };
    }

    static JavaLauncher workerLauncher(ServerConfig config) {
        JavaLauncher base = config.selfLauncher() != null
                ? config.selfLauncher().withArgs("worker")
                : JavaLauncher.current(WorkerMain.class.getName());
        return config.plugins() == null ? base : base.withArgs("--plugins", config.plugins().toAbsolutePath().toString());
    }

    private void listen(int loops) {
        // One deployment of N instances: Vert.x shares one listening socket between them. Vert.x
        // gives each instance its own random port for port 0, so "any free port" is chosen here.
        int wanted = config.port() != 0 ? config.port() : FreePort.find(config.host());
        java.util.List<SeedVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
        await(vertx.deployVerticle(() -> {
            SeedVerticle v = new SeedVerticle(config, front, deadlines, wanted);
            instances.add(v);
            return v;
        }, new DeploymentOptions().setInstances(loops)), "start the HTTP server on " + config.host() + ":" + wanted);
        port = instances.getFirst().actualPort();
        for (SeedVerticle v : instances) {
            if (v.actualPort() != port) {
                throw new IllegalStateException("event loops bound different ports: " + port + " and " + v.actualPort());
            }
        }
    }

    private static <T> T await(io.vertx.core.Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public ServerConfig config() {
        return config;
    }

    @Override
    public boolean reloadTokens() {
        return guard.reload();
    }

    @Override
    public Optional<EngineStats> engineStats() {
        return Optional.ofNullable(engine).map(JobEngine::stats);
    }

    @Override
    public void close() {
        // Order: stop intake, then the engine (dispatcher, running jobs), then the stage's executors, then the loops.
        front.drain();
        deadlines.close();
        watch.close();
        if (engine != null) {
            engine.stopAccepting();
            engine.close();
        }
        stage.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("event loops did not stop cleanly: {}", e.toString());
        }
        LOG.info("Squall stopped");
    }

}
