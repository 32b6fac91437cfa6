package dev.squall.core;

import java.util.Objects;

/**
 * One unit of work as the engine carries it: who it is, what kind of work, its JSON payload and
 * which attempt this is. Immutable; a retry is a new {@code Job} with the next attempt number.
 *
 * <pre>{@code
 * Job job = Job.of("42", "sleep", "{\"job_id\": 42}", 3);
 * Job retry = job.nextAttempt();   // attempt 2 of 3
 * }</pre>
 *
 * The payload is kept as JSON text, not as objects: it is what crosses to a worker process (the
 * article's pickling lesson) and what a durable store writes, so it is data from the start.
 *
 * @param id          the caller's id (the seed route's {@code job_id}) or a generated one
 * @param kind        the name of the {@link JobHandler} that runs it
 * @param payloadJson the job's input as a JSON document
 * @param attempt     1 for the first run, 2 for the first retry, ...
 * @param maxAttempts how many attempts it gets before it is dead
 * @param createdAtMillis when it was first accepted (epoch millis)
 * @param queue       the named queue it was submitted to
 * @param dueAtMillis when this attempt became due (epoch millis): its run time, or the end of a
 *                    retry's backoff; its wait is the time from here to the start
 */
public record Job(String id, String kind, String payloadJson, int attempt, int maxAttempts, long createdAtMillis,
                  String queue, long dueAtMillis) {

    /** A job of the default queue, due since it was created. */
    public Job(String id, String kind, String payloadJson, int attempt, int maxAttempts, long createdAtMillis) {
        this(id, kind, payloadJson, attempt, maxAttempts, createdAtMillis, JobRecord.DEFAULT_QUEUE, createdAtMillis);
    }

    public Job {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payloadJson, "payloadJson");
        if (attempt < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("attempt and maxAttempts start at 1: " + attempt + "/" + maxAttempts);
        }
    }

    /** A new job on its first attempt, created now. */
    public static Job of(String id, String kind, String payloadJson, int maxAttempts) {
        return new Job(id, kind, payloadJson, 1, maxAttempts, System.currentTimeMillis());
    }

    /** Whether another attempt is allowed after this one fails. */
    public boolean hasAttemptsLeft() {
        return attempt < maxAttempts;
    }

    /** The same job, one attempt later. */
    public Job nextAttempt() {
        return new Job(id, kind, payloadJson, attempt + 1, maxAttempts, createdAtMillis, queue, dueAtMillis);
    }
}
