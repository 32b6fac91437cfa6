package dev.squall.core;

import dev.squall.core.handler.BuiltInHandlers;

import java.time.Duration;

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
            String result = handler.run(new JobContext(job, defaultWork));
            if (result == null) {
                return JobResult.failure(job, "handler '" + job.kind() + "' returned no result", PID, System.nanoTime() - start);
            }
            // The built-in kinds are known to answer JSON; anyone else's answer is checked, because it is
            // stored and served inside JSON documents.
            if (!BuiltInHandlers.isBuiltIn(handler) && !JsonText.isValid(result)) {
                return JobResult.failure(job, "handler '" + job.kind() + "' returned something that is not JSON: "
                        + (result.length() > 100 ? result.substring(0, 100) + "..." : result), PID, System.nanoTime() - start);
            }
            return JobResult.success(job, result, PID, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobResult.failure(job, "interrupted (server shutting down)", PID, System.nanoTime() - start);
        } catch (Throwable t) {
            return JobResult.failure(job, describe(t), PID, System.nanoTime() - start);
        }
    }

    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + message;
    }
}
