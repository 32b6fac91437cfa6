package dev.squall.server.stage;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobResult;
import dev.squall.core.JobLog;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;
import io.vertx.core.http.HttpHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages 5 and Java's virtual-thread stage: the blocking work runs on an executor (platform
 * threads, worker processes or virtual threads) and the answer is sent from the event loop when it
 * is done. The loop stays free; the executor's capacity becomes the limit, which is the lesson.
 */
final class ExecutorStage implements SeedStage {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");
    private static final CharSequence WORKER_PID = HttpHeaders.createOptimized("X-Squall-Worker-Pid");

    private final JobExecutor executor;
    private final boolean showWorkerPid;
    private final JobLog lines;

    ExecutorStage(JobExecutor executor, boolean showWorkerPid, JobLog lines) {
        this.lines = lines;
        this.executor = executor;
        this.showWorkerPid = showWorkerPid;
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        executor.execute(Job.of(jobId, "sleep", body, 1)).whenComplete((result, error) ->
                exchange.context().runOnContext(v -> answer(jobId, result, error, exchange)));
    }

    private void answer(String jobId, JobResult result, Throwable error, Exchange exchange) {
        if (error instanceof ExecutorFullException full) {
            exchange.unavailable(full.getMessage(), 1);
        } else if (error != null) {
            LOG.error("job {} could not run", jobId, error);
            exchange.problem(500, "Internal Server Error", "job " + jobId + " could not run; the server's log says why");
        } else if (!result.succeeded()) {
            LOG.error("job {} failed: {}", jobId, result.error());
            exchange.problem(500, "Internal Server Error", "job " + jobId + " failed: " + result.error());
        } else {
            lines.log("job done:{}", jobId);
            if (showWorkerPid) {
                exchange.header(WORKER_PID, Long.toString(result.runnerPid()));
            }
            exchange.text(200, jobId + " done");
        }
    }

    @Override
    public void close() {
        executor.close(java.time.Duration.ofSeconds(5));
    }
}
