package dev.squall.core;

/**
 * The code behind one kind of job: JSON in, JSON out. Blocking is allowed and expected: handlers
 * run on an executor's worker (a platform thread, a virtual thread or a worker process), never on
 * an event loop. Asynchronous code uses {@link #async}.
 *
 * <pre>{@code
 * JobHandler echo = JobHandler.of("echo", ctx -> ctx.payloadJson());
 * JobHandler fetch = JobHandler.async("fetch", ctx -> httpClient.get(...).thenApply(r -> r.bodyAsString()));
 * }</pre>
 *
 * A handler that throws fails the attempt; the message is kept as the job's error and the job is
 * retried while it has attempts left.
 *
 * <p>Plugins: a class with a public no-argument constructor, listed in
 * {@code META-INF/services/dev.squall.core.JobHandler} of its jar, put in the folder given to
 * {@code squall serve --plugins DIR} (or on the class path). The kind then exists for
 * {@code POST /jobs}, {@code --kind}, and in worker processes, which load the same folder.
 */
public interface JobHandler {

    /** The kind name jobs use to select this handler ({@code sleep}, {@code fail}, ...). */
    String kind();

    /**
     * Does the work of one attempt.
     *
     * @return the result as a JSON document
     * @throws Exception to fail this attempt
     */
    String run(JobContext context) throws Exception;

    /**
     * Checks a payload when the job is submitted, before anything is kept: throw
     * {@link IllegalArgumentException} with a message for the caller, who is answered 400. The
     * default accepts any payload (an unusable one then fails its attempts at run time).
     *
     * @param payload the submitted payload; an empty object when none was given
     */
    default void checkPayload(com.fasterxml.jackson.databind.JsonNode payload) {
    }

    /** The body of a handler, for {@link #of}. */
    @FunctionalInterface
    interface Body {
        String run(JobContext context) throws Exception;
    }

    /** Whether this kind runs through {@link #start} without holding a worker (see {@link #async}). */
    default boolean isAsync() {
        return false;
    }

    /**
     * Starts one attempt of an asynchronous kind and returns at once; the stage completes with the
     * result as JSON, or exceptionally to fail the attempt. Blocking kinds do not implement it.
     */
    default java.util.concurrent.CompletionStage<String> start(JobContext context) {
        throw new UnsupportedOperationException("job kind " + kind() + " is not asynchronous");
    }

    /**
     * An asynchronous handler: {@code body} starts the work and returns a stage that completes with
     * the result (or exceptionally, to fail the attempt), for code built on non-blocking clients.
     * The engine does not hold a worker while the stage runs: its worker goes on to the next job, and
     * at most {@code --async-limit} such attempts are in flight at once. A job timeout or a shutdown
     * cancels the stage. (In a worker process, {@code --executor process}, the attempt waits for
     * its stage like a blocking one.)
     */
    static JobHandler async(String kind, java.util.function.Function<JobContext, java.util.concurrent.CompletionStage<String>> body) {
        return new JobHandler() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public boolean isAsync() {
                return true;
            }

            @Override
            public java.util.concurrent.CompletionStage<String> start(JobContext context) {
                return body.apply(context);
            }

            @Override
            public String run(JobContext context) throws Exception {
                try {
                    return body.apply(context).toCompletableFuture().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Exception ex) {
                        throw ex;
                    }
                    throw new IllegalStateException(String.valueOf(cause), cause);
                }
            }

            @Override
            public String toString() {
                return "JobHandler[" + kind + ", async]";
            }
        };
    }

    /** A handler from a kind name and a body; it takes any payload. */
    static JobHandler of(String kind, Body body) {
        return of(kind, body, payload -> { });
    }

    /**
     * A handler from a kind name, a body and a payload check ({@link #checkPayload}: throw
     * {@link IllegalArgumentException} to refuse the job at submit time).
     */
    static JobHandler of(String kind, Body body, java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> check) {
        return new JobHandler() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public String run(JobContext context) throws Exception {
                return body.run(context);
            }

            @Override
            public void checkPayload(com.fasterxml.jackson.databind.JsonNode payload) {
                check.accept(payload);
            }

            @Override
            public String toString() {
                return "JobHandler[" + kind + "]";
            }
        };
    }
}
