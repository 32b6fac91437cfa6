package dev.squall.core.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.squall.core.Job;
import dev.squall.core.JobResult;
import dev.squall.core.Json;

import java.io.IOException;
import java.time.Duration;

/**
 * The lines a pool and its worker process exchange: one JSON document per line, each prefixed with
 * {@link #PREFIX} so that anything else a library prints on the worker's stdout cannot be mistaken
 * for an answer. The job crosses as data (kind + JSON payload), which is the article's pickling
 * lesson made explicit: nothing but data goes to a process.
 *
 * <pre>
 * pool   -> worker: @squall {"id":"7","kind":"sleep","payload_text":"{\"job_id\": 7}","attempt":1,"max_attempts":3,"default_work_ns":1000000000}
 * worker -> pool:   @squall {"ready":true,"pid":4242}                       (once, at start)
 * worker -> pool:   @squall {"ok":true,"result":"{\"slept_ms\":1000}","pid":4242,"run_ns":1000123456}
 * worker -> pool:   @squall {"ok":false,"error":"...","pid":4242,"run_ns":12}
 * </pre>
 */
public final class WorkerProtocol {
    public static final String PREFIX = "@squall ";

    private WorkerProtocol() {
    }

    /**
     * One line, whatever the payload holds: it crosses as a JSON string (its newlines escaped), not
     * pasted in as it is, since a pretty-printed seed body would break the line into fragments.
     */
    static String request(Job job, Duration defaultWork) {
        return PREFIX + "{\"id\":" + Json.quote(job.id()) + ",\"kind\":" + Json.quote(job.kind())
                + ",\"payload_text\":" + Json.quote(job.payloadJson()) + ",\"attempt\":" + job.attempt()
                + ",\"max_attempts\":" + job.maxAttempts() + ",\"created_at\":" + job.createdAtMillis()
                + ",\"default_work_ns\":" + defaultWork.toNanos() + "}";
    }

    record Request(Job job, Duration defaultWork) {
    }

    static Request parseRequest(String line) throws IOException {
        JsonNode n = Json.MAPPER.readTree(line.substring(PREFIX.length()));
        Job job = new Job(n.get("id").asText(), n.get("kind").asText(), n.get("payload_text").asText(),
                n.get("attempt").asInt(), n.get("max_attempts").asInt(), n.get("created_at").asLong());
        return new Request(job, Duration.ofNanos(n.get("default_work_ns").asLong()));
    }

    static String ready(long pid) {
        return PREFIX + "{\"ready\":true,\"pid\":" + pid + "}";
    }

    static String response(JobResult r) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("ok", r.succeeded());
        if (r.succeeded()) {
            n.put("result", r.resultJson());
        } else {
            n.put("error", r.error());
        }
        n.put("pid", r.runnerPid());
        n.put("run_ns", r.runNanos());
        return PREFIX + n;
    }

    static JobResult parseResponse(Job job, String line) throws IOException {
        JsonNode n = Json.MAPPER.readTree(line.substring(PREFIX.length()));
        long pid = n.path("pid").asLong();
        long runNanos = n.path("run_ns").asLong();
        return n.path("ok").asBoolean()
                ? JobResult.success(job, n.path("result").asText(), pid, runNanos)
                : JobResult.failure(job, n.path("error").asText(), pid, runNanos);
    }

    static String unreadable(String why, long pid) {
        return PREFIX + "{\"ok\":false,\"error\":" + Json.quote("worker could not read the job: " + why) + ",\"pid\":" + pid + "}";
    }

    static boolean isProtocol(String line) {
        return line.startsWith(PREFIX);
    }
}
