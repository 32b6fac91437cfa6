package dev.squall.server.http;

import dev.squall.core.JobHandlers;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.server.ServerConfig;

import java.nio.charset.StandardCharsets;

/**
 * Runs the request path's parsing and writing once before the server listens, on the starting
 * thread: the first requests to a fresh server otherwise load and initialize Jackson, the problem
 * writer and the JSON of a job on the event loop, which held it for 200-360 ms (and made the first
 * {@code POST /jobs} take 235 ms). Touches no store and no engine.
 */
final class WarmUp {
    private WarmUp() {
    }

    static void run(JobHandlers handlers, ServerConfig config) {
        try {
            SeedBody.jobId("{\"job_id\": 1}".getBytes(StandardCharsets.UTF_8));
            SeedBody.jobId("{\"job_id\": \"warm-up\"}".getBytes(StandardCharsets.UTF_8));
            try {
                SeedBody.jobId("{\"job_id\": 1, \"job_id\": 2}".getBytes(StandardCharsets.UTF_8));
            } catch (BadRequest expected) {
                // the error path is warmed too
            }
            JobApi api = new JobApi(null, handlers, config.maxAttempts(), config.maxBodyBytes(), 1, () -> false);
            String kind = handlers.kinds().contains("echo") ? "echo" : config.kind();
            JobRecord job = api.parseSubmit(("{\"kind\": \"" + kind + "\", \"payload\": {}, \"delay\": \"1s\"}")
                    .getBytes(StandardCharsets.UTF_8));
            JobJson.of(job.with(JobState.SUCCEEDED, 1, job.runAt(), job.createdAt(), job.createdAt() + 1, "{}", null));
            Exchange.problemBody(400, "Bad Request", "warm-up");
        } catch (BadRequest | RuntimeException e) {
            // A warm-up that fails costs only speed: the real requests still say what is wrong.
            org.slf4j.LoggerFactory.getLogger("squall.server").debug("warm-up skipped: {}", e.toString());
        }
    }
}
