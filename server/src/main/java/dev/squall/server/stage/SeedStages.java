package dev.squall.server.stage;

import dev.squall.core.JobEngine;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobRunner;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.ServerConfig;
import dev.squall.server.http.SeedStage;
import io.vertx.core.Vertx;

/** Makes the seed route's behaviour for each stage of the article. */
public final class SeedStages {
    private SeedStages() {
    }

    public static SeedStage create(ServerConfig config, Vertx vertx, JobRunner runner, JobEngine engine, JavaLauncher workerLauncher) {
        return switch (config.stage()) {
            case HELLO -> new HelloStage();
            case BLOCKING, MULTIPROCESS -> new BlockingStage(config.sleep());
            case COROUTINE -> new CoroutineStage(vertx, config.sleep());
            case EXECUTOR -> new ExecutorStage(JobExecutor.threads(config.effectiveWorkers(), config.queueCapacity(), runner), false);
            case PROCESS_POOL -> new ExecutorStage(
                    JobExecutor.processes(config.effectiveWorkers(), config.queueCapacity(), workerLauncher, config.sleep()), true);
            case VIRTUAL -> new ExecutorStage(JobExecutor.virtualThreads(config.effectiveWorkers(), runner), false);
            case QUEUE -> new QueueStage(engine, config.kind(), config.maxAttempts());
        };
    }
}
