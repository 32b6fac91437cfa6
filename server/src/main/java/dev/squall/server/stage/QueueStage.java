package dev.squall.server.stage;

import dev.squall.core.Admission;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobLog;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;

/**
 * Stage 6, the product: the request only puts the job in the buffer and answers {@code N add}; the
 * engine runs it in the background. A full buffer is a 503 with {@code Retry-After}, at once: the
 * event loop never waits for room.
 */
final class QueueStage implements SeedStage {
    private final JobEngine engine;
    private final String kind;
    private final int maxAttempts;
    private final JobLog lines;

    QueueStage(JobEngine engine, String kind, int maxAttempts, JobLog lines) {
        this.lines = lines;
        this.engine = engine;
        this.kind = kind;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        Admission a = engine.submit(Job.of(jobId, kind, body, maxAttempts));
        switch (a) {
            case ACCEPTED -> {
                lines.log("job add:{}", jobId);
                exchange.text(200, jobId + " add");
            }
            case FULL -> exchange.unavailable("the job buffer is full (" + engine.stats().queued()
                    + " jobs waiting); retry later", 1);
            case STOPPING -> exchange.unavailable("the server is shutting down", 1);
        }
    }
}
