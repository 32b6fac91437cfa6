package dev.squall.server.http;

/**
 * What the seed route does with a valid job in one stage of the article. Called on an event loop;
 * only the {@code blocking} stage may block there, because showing that is its point.
 */
public interface SeedStage extends AutoCloseable {

    /**
     * Handles one request whose body was a valid {@code {"job_id": N}}.
     *
     * @param jobId the job id as text
     * @param body  the whole JSON body (the job's payload)
     */
    void handle(String jobId, String body, Exchange exchange);

    @Override
    default void close() {
    }
}
