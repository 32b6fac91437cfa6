package dev.squall.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * What a {@link JobHandler} sees of the job it runs.
 *
 * @param job         the job, including its attempt number
 * @param defaultWork how long "the work" lasts when the payload does not say (the server's {@code --sleep})
 */
public record JobContext(Job job, Duration defaultWork) {

    public String payloadJson() {
        return job.payloadJson();
    }

    /** The payload parsed as a JSON tree. */
    public JsonNode payload() {
        try {
            return Json.MAPPER.readTree(job.payloadJson());
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("payload of job " + job.id() + " is not JSON", e);
        }
    }
}
