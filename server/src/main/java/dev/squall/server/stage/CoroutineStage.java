package dev.squall.server.stage;

import dev.squall.core.JobLog;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;
import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * Stage 4: the article's {@code await asyncio.sleep(1)}. The wait is a timer on the event loop, so
 * the loop is free while it runs and one loop serves every caller at once.
 */
final class CoroutineStage implements SeedStage {
    private final Vertx vertx;
    private final long workMillis;
    private final JobLog lines;

    CoroutineStage(Vertx vertx, Duration work, JobLog lines) {
        this.vertx = vertx;
        this.lines = lines;
        this.workMillis = work.toMillis();
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        if (workMillis <= 0) {
            done(jobId, exchange);
            return;
        }
        vertx.setTimer(workMillis, t -> done(jobId, exchange));
    }

    private void done(String jobId, Exchange exchange) {
        lines.log("job done:{}", jobId);
        exchange.text(200, jobId + " done");
    }
}
