package dev.squall.server.stage;

import dev.squall.core.executor.JobExecutors;
import dev.squall.core.JobEngine;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobLog;
import dev.squall.core.JobRunner;
import dev.squall.core.process.JavaLauncher;
import dev.squall.server.ServerConfig;
import dev.squall.server.http.SeedStage;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes the seed route's behaviour for each stage of the article. */
public final class SeedStages {
    private SeedStages() {
    }

    public static SeedStage create(ServerConfig config, Vertx vertx, JobRunner runner, JobEngine engine, JavaLauncher workerLauncher) {
        Logger jobs = LoggerFactory.getLogger("squall.jobs");
        JobLog done = JobLog.of(jobs, "job done", config.jobLogLimit());
        return switch (config.stage()) {
            case HELLO -> new HelloStage(JobLog.of(jobs, "do job", config.jobLogLimit()));
            case BLOCKING, MULTIPROCESS -> new BlockingStage(config.sleep(), done);
            case COROUTINE -> new CoroutineStage(vertx, config.sleep(), done);
            case EXECUTOR -> new ExecutorStage(JobExecutors.threads(config.effectiveWorkers(), config.queueCapacity(), runner), false, done);
            case PROCESS_POOL -> new ExecutorStage(
                    JobExecutors.processes(config.effectiveWorkers(), config.queueCapacity(), workerLauncher, config.sleep()), true, done);
            case VIRTUAL -> new ExecutorStage(JobExecutors.virtualThreads(config.effectiveWorkers(), runner), false, done);
            case QUEUE -> new QueueStage(engine, config.kind(), config.maxAttempts(), JobLog.of(jobs, "job add", config.jobLogLimit()));
        };
    }
}
