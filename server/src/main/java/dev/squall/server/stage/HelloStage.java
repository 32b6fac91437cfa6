package dev.squall.server.stage;

import dev.squall.server.http.Exchange;
import dev.squall.server.http.SeedStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage 1: no work at all; the baseline every other stage is measured against. */
final class HelloStage implements SeedStage {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");

    @Override
    public void handle(String jobId, String body, Exchange exchange) {
        LOG.info("do job:{}", jobId);
        exchange.text(200, jobId + " done");
    }
}
