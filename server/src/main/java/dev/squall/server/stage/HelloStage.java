package dev.squall.server.stage;

import dev.squall.core.JobLog;
import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;

/** Stage 1: no work at all; the baseline every other stage is measured against. */
final class HelloStage implements SeedStage {
    private final JobLog lines;

    HelloStage(JobLog lines) {
        this.lines = lines;
    }

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        lines.log("do job:{}", jobId);
        exchange.text(200, jobId + " done");
    }
}
