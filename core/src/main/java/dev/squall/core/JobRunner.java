package dev.squall.core;


import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs one attempt of a job on the calling thread and turns whatever happens into a
 * {@link JobResult}: a result, an exception, an unknown kind or a handler that returns nothing are
 * all answers, never a thrown exception. Every executor (threads, virtual threads, worker
 * processes) runs jobs through this one place.
 *
 * <pre>{@code
 * JobRunner runner = new JobRunner(JobHandlers.builtIn(), Duration.ofSeconds(1));
 * JobResult r = runner.run(Job.of("1", "sleep", "{}", 3));
 * }</pre>
 */
public final class JobRunner {
    private static final long PID = ProcessHandle.current().pid();
    /**
     * Results are stored with the job, held by the collector until recorded, and served by
     * {@code GET /jobs/{id}}: a bigger one fails the attempt instead (1 MiB of characters).
     */
    public static final int MAX_RESULT_CHARS = 1 << 20;

    private final JobHandlers handlers;
    private final Duration defaultWork;

    public JobRunner(JobHandlers handlers, Duration defaultWork) {
        this.handlers = handlers;
        this.defaultWork = defaultWork;
    }

    public Duration defaultWork() {
        return defaultWork;
    }

    public JobHandlers handlers() {
        return handlers;
    }

    public JobResult run(Job job) {
        long start = System.nanoTime();
        JobHandler handler = handlers.find(job.kind()).orElse(null);
        if (handler == null) {
            return JobResult.failure(job, "no handler for job kind '" + job.kind() + "'", PID, 0);
        }
        try {
            return checked(handler, job, handler.run(new JobContext(job, defaultWork)), start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobResult.failure(job, "interrupted (server shutting down)", PID, System.nanoTime() - start);
        } catch (Throwable t) {
            return JobResult.failure(job, describe(t), PID, System.nanoTime() - start);
        }
    }

    /** Whether {@code job}'s kind is asynchronous ({@link JobHandler#isAsync}): then {@link #start} runs it. */
    public boolean isAsync(Job job) {
        return handlers.find(job.kind()).map(JobHandler::isAsync).orElse(false);
    }

    /**
     * Starts the job if its kind is asynchronous ({@link JobHandler#isAsync}) and returns its result
     * to come; null when the kind is a blocking one (run it with {@link #run}). Cancelling the
     * returned future cancels the handler's stage.
     */
    public CompletableFuture<JobResult> start(Job job) {
        JobHandler handler = handlers.find(job.kind()).orElse(null);
        if (handler == null || !handler.isAsync()) {
            return null;
        }
        long start = System.nanoTime();
        CompletableFuture<String> stage;
        try {
            CompletionStage<String> started = handler.start(new JobContext(job, defaultWork));
            if (started == null) {
                return CompletableFuture.completedFuture(
                        JobResult.failure(job, "handler '" + job.kind() + "' returned no stage", PID, System.nanoTime() - start));
            }
            stage = started.toCompletableFuture();
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(JobResult.failure(job, describe(t), PID, System.nanoTime() - start));
        }
        CompletableFuture<JobResult> result = stage.handle((r, error) -> error == null
                ? checked(handler, job, r, start)
                : JobResult.failure(job, describe(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error), PID, System.nanoTime() - start));
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                stage.cancel(true);
            }
        });
        return result;
    }

    /** A handler's answer as a result: no answer, or an answer that is not JSON, fails the attempt. */
    private static JobResult checked(JobHandler handler, Job job, String result, long start) {
        if (result == null) {
            return JobResult.failure(job, "handler '" + job.kind() + "' returned no result", PID, System.nanoTime() - start);
        }
        if (result.length() > MAX_RESULT_CHARS) {
            return JobResult.failure(job, "handler '" + job.kind() + "' returned a result of " + result.length()
                    + " characters; results are kept with the job and may be at most " + MAX_RESULT_CHARS, PID, System.nanoTime() - start);
        }
        // The built-in kinds are known to answer JSON; anyone else's answer is checked, because it is
        // stored and served inside JSON documents.
        if (!BuiltInHandlers.isBuiltIn(handler) && !JsonText.isValid(result)) {
            return JobResult.failure(job, "handler '" + job.kind() + "' returned something that is not JSON: "
                    + (result.length() > 100 ? result.substring(0, 100) + "..." : result), PID, System.nanoTime() - start);
        }
        return JobResult.success(job, result, PID, System.nanoTime() - start);
    }

    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + message;
    }
}
