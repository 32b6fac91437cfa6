package dev.squall.core;

import org.junit.jupiter.api.Test;
import dev.squall.core.testing.PluginJars;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobHandlersTest {

    @Test
    void findsHandlersOnTheClassPathBesideTheBuiltIns() {
        JobHandlers h = JobHandlers.discover(null);
        assertThat(h.kinds()).contains("sleep", "cpu", "echo", "fail", "shout");
        JobResult r = new JobRunner(h, Duration.ZERO).run(Job.of("1", "shout", "{\"a\":\"b\"}", 1));
        assertThat(r.resultJson()).isEqualTo("{\"A\":\"B\"}");
    }

    @Test
    void loadsPluginJarsFromAFolder(@TempDir Path dir) throws Exception {
        Path plugins = PluginJars.build(dir, "demo.Hello", """
                package demo;
                public final class Hello implements dev.squall.core.JobHandler {
                    public String kind() { return "plugin-hello"; }
                    public String run(dev.squall.core.JobContext c) { return "{\\"hello\\":\\"" + c.job().id() + "\\"}"; }
                }
                """);
        JobHandlers h = JobHandlers.discover(plugins);
        assertThat(h.kinds()).contains("plugin-hello", "shout", "sleep");
        assertThat(new JobRunner(h, Duration.ZERO).run(Job.of("7", "plugin-hello", "{}", 1)).resultJson()).isEqualTo("{\"hello\":\"7\"}");
    }

    @Test
    void aMissingPluginFolderOrTwoHandlersForOneKindAreErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> JobHandlers.discover(dir.resolve("nope"))).hasMessageContaining("--plugins");
        assertThatThrownBy(() -> JobHandlers.of(java.util.List.of(JobHandler.of("x", c -> "{}"), JobHandler.of("x", c -> "{}"))))
                .hasMessageContaining("two handlers for job kind 'x'");
    }

    @Test
    void aResultOverTheLimitFailsTheAttemptAndAHugeErrorIsCut() {
        JobHandlers h = JobHandlers.of(List.of(
                JobHandler.of("big", ctx -> "\"" + "x".repeat(JobRunner.MAX_RESULT_CHARS) + "\""),
                JobHandler.of("loud", ctx -> {
                    throw new IllegalStateException("y".repeat(100_000));
                })));
        JobRunner runner = new JobRunner(h, Duration.ZERO);

        JobResult big = runner.run(Job.of("1", "big", "{}", 1));
        assertThat(big.succeeded()).isFalse();
        assertThat(big.error()).contains("may be at most " + JobRunner.MAX_RESULT_CHARS);

        JobResult loud = runner.run(Job.of("2", "loud", "{}", 1));
        assertThat(loud.error()).hasSizeLessThan(JobResult.MAX_ERROR_CHARS + 100).endsWith("more characters)");
    }
}
