package dev.squall.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real {@code ./squall} launcher, in a copy of the project holding only it, its JDK finder,
 * its cache's recorder and a stand-in jar (so nothing is built): a start-up cache whose training fails never stops
 * {@code serve}; the server starts without a cache, and says why. The stand-in's {@code train}
 * fails on purpose; its {@code serve} prints whether the JVM was given a cache.
 */
class LauncherCacheTest {
    private static final String MAIN = """
            public final class Fake {
                public static void main(String[] args) {
                    if (args.length > 0 && args[0].equals("train")) {
                        System.err.println("training failed on purpose");
                        System.exit(3);
                    }
                    boolean cache = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                            .anyMatch(a -> a.startsWith("-XX:AOTCache="));
                    System.out.println("served with args " + String.join(" ", args) + "; cache " + cache);
                }
            }
            """;

    @TempDir
    Path root;

    /** The project's launcher and JDK finder, copied under {@link #root}, with the stand-in jar where the launcher looks. */
    private void project() throws Exception {
        Path here = Path.of("").toAbsolutePath();
        Path project = Files.exists(here.resolve("squall")) ? here : here.getParent(); // the app module's folder, or the root
        Files.copy(project.resolve("squall"), root.resolve("squall"));
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(project.resolve("scripts/find-jdk.sh"), root.resolve("scripts/find-jdk.sh"));
        Files.copy(project.resolve("scripts/aot-cache.sh"), root.resolve("scripts/aot-cache.sh"));
        root.resolve("squall").toFile().setExecutable(true);

        Path src = Files.createDirectories(root.resolve("fake-src"));
        Files.writeString(src.resolve("Fake.java"), MAIN);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", src.toString(), src.resolve("Fake.java").toString())).isZero();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Fake");
        Path jar = Files.createDirectories(root.resolve("app/target")).resolve("squall.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("Fake.class"));
            j.write(Files.readAllBytes(src.resolve("Fake.class")));
            j.closeEntry();
        }
        deleteTree(src); // no source newer than the jar: the launcher must not try to build
    }

    private static void deleteTree(Path p) throws Exception {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("squall").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SQUALL_AOT");
        pb.environment().putAll(env);
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void assumeAJdkWithCaches() {
        // The launcher records a cache only on JDK 25+; CI runs on 25, so this holds there.
        assumeTrue(Runtime.version().feature() >= 25, "the start-up cache needs JDK 25+");
        assumeTrue(Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "javac")), "the launcher wants a full JDK");
    }

    @Test
    void aTrainingThatFailsNeverStopsServeItStartsWithoutACacheAndSaysWhy() throws Exception {
        assumeAJdkWithCaches();
        project();
        Run r = launch(Map.of(), "serve", "--port", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("served with args serve --port 0; cache false");
        assertThat(r.err()).contains("recording the start-up cache").contains("could not be made").contains("starting without it");
        assertThat(root.resolve("app/target/squall.aot")).doesNotExist();
        assertThat(root.resolve("app/target/squall.aot.tmp")).doesNotExist();
        assertThat(Files.readString(root.resolve("app/target/aot-train.log"))).contains("training failed on purpose");

        Run again = launch(Map.of(), "serve");
        assertThat(again.exit()).isZero();
        assertThat(again.err()).as("it tries again at the next start: the training may have failed for a passing reason")
                .contains("recording the start-up cache");
    }

    @Test
    void squallAotOffSkipsTheTrainingAndOtherCommandsNeverTrain() throws Exception {
        assumeAJdkWithCaches();
        project();
        Run off = launch(Map.of("SQUALL_AOT", "off"), "serve");
        assertThat(off.exit()).isZero();
        assertThat(off.out()).contains("cache false");
        assertThat(off.err()).doesNotContain("start-up cache");

        Run other = launch(Map.of(), "bench", "--help");
        assertThat(other.exit()).isZero();
        assertThat(other.out()).contains("served with args bench --help; cache false");
        assertThat(other.err()).doesNotContain("start-up cache");
    }

    @Test
    void aRecordedCacheIsGivenToServe() throws Exception {
        assumeAJdkWithCaches();
        project();
        // A cache recorded by an earlier, good training (here: recorded from the stand-in's serve).
        Path jar = root.resolve("app/target/squall.jar");
        Path aot = root.resolve("app/target/squall.aot");
        Process rec = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:AOTCacheOutput=" + aot, "-jar", jar.toString(), "serve").redirectErrorStream(true).start();
        rec.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(rec.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(aot).exists();
        Files.setLastModifiedTime(aot, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));

        Run r = launch(Map.of(), "serve");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cache true");
        assertThat(r.err()).doesNotContain("recording the start-up cache");
    }
}
