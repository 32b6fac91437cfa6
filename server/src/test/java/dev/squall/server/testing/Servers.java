package dev.squall.server.testing;

import dev.squall.server.ServerConfig;
import dev.squall.server.Stage;

import java.time.Duration;

/** Test configurations: a free port, scaled-down work, no access log noise. */
public final class Servers {
    /** The scaled-down work time of the stage tests (the article's 1 s, divided by five). */
    public static final Duration WORK = Duration.ofMillis(200);

    private Servers() {
    }

    public static ServerConfig.Builder config(Stage stage) {
        return ServerConfig.builder().port(0).stage(stage).sleep(WORK).accessLog(false).store("memory")
                .collectEvery(Duration.ofMillis(100)).shutdownGrace(Duration.ofSeconds(5));
    }
}
