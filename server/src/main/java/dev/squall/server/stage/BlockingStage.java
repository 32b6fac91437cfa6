package dev.squall.server.stage;

import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Stage 2: the work blocks the event loop, deliberately. Every other connection on this loop waits
 * behind it, and Vert.x's blocked-thread checker says so in the log. Never do this anywhere else.
 */
final class BlockingStage implements SeedStage {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");
    private final Duration work;

    BlockingStage(Duration work) {
        this.work = work;
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
        LOG.info("job done:{}", jobId);
        exchange.text(200, jobId + " done");
    }
}
