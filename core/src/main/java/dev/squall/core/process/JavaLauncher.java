package dev.squall.core.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start another JVM running our own code: the same {@code java} binary and class path as this
 * process, a main class and its arguments. Worker processes and the multiprocess stage's children
 * are started this way.
 *
 * <pre>{@code
 * JavaLauncher worker = JavaLauncher.current("dev.squall.app.SquallMain", "worker");
 * Process p = worker.processBuilder(List.of()).start();
 * }</pre>
 *
 * @param javaBinary the {@code java} executable
 * @param jvmArgs    options for the JVM (memory, native access, ...)
 * @param classPath  the class path, as this JVM got it
 * @param mainClass  the class whose {@code main} runs
 * @param args       arguments given before any per-start arguments
 */
public record JavaLauncher(Path javaBinary, List<String> jvmArgs, String classPath, String mainClass, List<String> args) {

    /**
     * Options that make a small helper JVM start fast and stay small: C1 only (no long C2 warm-up),
     * serial GC, a modest heap.
     */
    public static final List<String> SMALL_JVM = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xss512k",
            "--enable-native-access=ALL-UNNAMED");

    public JavaLauncher {
        jvmArgs = List.copyOf(jvmArgs);
        args = List.copyOf(args);
    }

    /** This JVM's {@code java} and class path, running {@code mainClass args...} with {@link #SMALL_JVM} options. */
    public static JavaLauncher current(String mainClass, String... args) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new JavaLauncher(java, SMALL_JVM, System.getProperty("java.class.path"), mainClass, List.of(args));
    }

    /** The same launcher with other JVM options. */
    public JavaLauncher withJvmArgs(List<String> options) {
        return new JavaLauncher(javaBinary, options, classPath, mainClass, args);
    }

    /** The same launcher with {@code more} arguments after its own. */
    public JavaLauncher withArgs(String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return new JavaLauncher(javaBinary, jvmArgs, classPath, mainClass, all);
    }

    /** The full command line, with {@code extraArgs} after this launcher's own arguments. */
    public List<String> command(List<String> extraArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        cmd.addAll(extraArgs);
        return cmd;
    }

    public ProcessBuilder processBuilder(List<String> extraArgs) {
        return new ProcessBuilder(command(extraArgs));
    }
}
