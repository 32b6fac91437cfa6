package dev.squall.core.plugin;

import dev.squall.core.JobContext;
import dev.squall.core.JobHandler;

/** A handler found by ServiceLoader on the test class path: upper-cases its payload. */
public final class ShoutHandler implements JobHandler {
    @Override
    public String kind() {
        return "shout";
    }

    @Override
    public String run(JobContext context) {
        return context.payloadJson().toUpperCase(java.util.Locale.ROOT);
    }
}
