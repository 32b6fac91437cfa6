package dev.squall.server.http;

import dev.squall.core.JobHandlers;
import dev.squall.core.JobRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The CPU of a {@code POST /jobs} outside the network: reading the body into a job (strict JSON,
 * checks, a new id) and writing the answer's JSON. In the server's own package, to measure the
 * very methods the route calls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IntakeBench {
    private JobApi api;
    private byte[] body;
    private byte[] bodyWithId;
    private JobRecord job;

    @Setup
    public void setUp() throws BadRequest {
        api = new JobApi(null, JobHandlers.builtIn(), 3, 1 << 20, 1000, () -> false);
        body = "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 0}}".getBytes(StandardCharsets.UTF_8);
        bodyWithId = "{\"id\": \"order-7\", \"kind\": \"echo\", \"payload\": {\"to\": \"x@example.com\", \"n\": [1, 2, 3]}, \"max_attempts\": 5}"
                .getBytes(StandardCharsets.UTF_8);
        job = api.parseSubmit(body);
    }

    /** The body of the benchmark: a no-op sleep job, id made by the server. */
    @Benchmark
    public JobRecord parseSleepJob() throws BadRequest {
        return api.parseSubmit(body);
    }

    /** A body with its own id, a nested payload and max_attempts. */
    @Benchmark
    public JobRecord parseJobWithId() throws BadRequest {
        return api.parseSubmit(bodyWithId);
    }

    /** The answer's body: the job as stored. */
    @Benchmark
    public String answerJson() {
        return JobJson.of(job);
    }
}
