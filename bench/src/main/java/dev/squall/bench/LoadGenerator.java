package dev.squall.bench;

import dev.squall.bench.client.NettyLoadGenerator;

/**
 * The load generator behind {@code squall bench}: closed or open loop, a hard deadline per request,
 * latency into HdrHistogram measured from each request's intended send time.
 *
 * <pre>{@code
 * BenchRun run = LoadGenerator.start(BenchConfig.builder().url("http://127.0.0.1:8888/").requests(10_000).concurrency(64).build());
 * BenchReport report = run.await();
 * System.out.println(report.successLine());   // 100.0% request success!
 * }</pre>
 */
public interface LoadGenerator {

    /** Starts a run on its own event loops; returns at once. */
    static BenchRun start(BenchConfig config) {
        return NettyLoadGenerator.start(config);
    }
}
