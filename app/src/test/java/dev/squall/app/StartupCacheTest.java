package dev.squall.app;

import dev.squall.core.process.JavaLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the launcher relies on when it passes {@code -XX:AOTCache} (JDK 25+, see ./squall): a cache
 * that cannot be used, because it is corrupt or gone, never stops a start. The JVM says so on its
 * own and runs without it.
 */
class StartupCacheTest {
    @TempDir
    Path dir;

    private static String runWithCache(Path cache) throws Exception {
        JavaLauncher launcher = JavaLauncher.current(SquallMain.class.getName(), "--version")
                .withJvmArgs(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=error,cds=error"));
        Process p = launcher.processBuilder(List.of()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aCorruptCacheIsRefusedAndTheStartGoesOn() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the launcher passes the cache only on JDK 25+");
        Path corrupt = dir.resolve("squall.aot");
        byte[] noise = new byte[100_000];
        new java.util.Random(7).nextBytes(noise);
        Files.write(corrupt, noise);

        assertThat(runWithCache(corrupt)).contains("squall ").contains("AOT cache");
    }

    @Test
    void aCacheDeletedBeforeTheStartIsNoObstacleEither() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the launcher passes the cache only on JDK 25+");

        assertThat(runWithCache(dir.resolve("gone.aot"))).contains("squall ");
    }
}
