package dev.squall.server.stage;

import dev.squall.core.JobEngine;
import dev.squall.core.JobLog;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore.Submission;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;

/**
 * Stage 6, the product: the request puts the job in the store and answers {@code N add} as soon as
 * the store has kept it (for a durable store: committed). The event loop never waits: the answer is
 * sent when the store's future completes. A repeated {@code job_id} with the same body is answered
 * {@code N add} again without a second job; with another body, 409. A full store is a 429 with
 * {@code Retry-After}; a store that has not answered within {@code --request-timeout} a 503 that
 * says the job may still be stored.
 */
final class QueueStage implements SeedStage {
    private final JobEngine engine;
    private final String kind;
    private final int maxAttempts;
    private final JobLog lines;

    QueueStage(JobEngine engine, String kind, int maxAttempts, JobLog lines) {
        this.engine = engine;
        this.kind = kind;
        this.maxAttempts = maxAttempts;
        this.lines = lines;
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        long now = System.currentTimeMillis();
        exchange.answerWithin(Exchange.Late.SUBMIT, jobId, 0); // a store that stops answering: 503 at --request-timeout
        var submitted = engine.submit(JobRecord.queued(jobId, kind, body, maxAttempts, now, now));
        if (submitted.isDone()) {
            answer(jobId, submitted.join(), exchange);
        } else {
            submitted.whenComplete((s, error) -> exchange.context().runOnContext(v -> {
                if (error != null) {
                    org.slf4j.LoggerFactory.getLogger("squall.store").warn("job {} could not be stored: {}", jobId, error.toString());
                    exchange.unavailable("the job could not be stored (on PostgreSQL, a connection lost while committing may have "
                            + "stored it); try again: the same request again never makes a second job", 1);
                } else {
                    answer(jobId, s, exchange);
                }
            }));
        }
    }

    private void answer(String jobId, Submission s, Exchange exchange) {
        switch (s.kind()) {
            case CREATED, DUPLICATE -> {
                lines.log("job add:{}", jobId);
                exchange.text(200, jobId + " add");
            }
            case CONFLICT -> exchange.problem(409, "Conflict",
                    "job " + jobId + " exists with another payload; a job id is used once");
            case FULL -> exchange.tooMany("the job queue is full (at most " + engine.store().capacity() + " jobs, and --queue-bytes of their payloads, may wait); retry later", 1);
            case STOPPING -> exchange.unavailable("the server is shutting down", 1);
        }
    }
}
