package dev.squall.server.stage;

import dev.squall.core.JobLog;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;

import java.time.Duration;

/**
 * Stage 2: the work blocks the event loop, deliberately. Every other connection on this loop waits
 * behind it, and Vert.x's blocked-thread checker says so in the log. Never do this anywhere else.
 */
final class BlockingStage implements SeedStage {
    private final Duration work;
    private final JobLog lines;

    BlockingStage(Duration work, JobLog lines) {
        this.work = work;
        this.lines = lines;
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        try {
            Thread.sleep(work); // the lesson: this stalls the whole loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.unavailable("the server is shutting down", 1);
            return;
        }
        lines.log("job done:{}", jobId);
        exchange.text(200, jobId + " done");
    }
}
