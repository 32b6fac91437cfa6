package dev.squall.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code squall} command: {@code serve}, {@code worker}. Run {@code ./squall --help}.
 */
@Command(name = "squall",
        mixinStandardHelpOptions = true,
        versionProvider = SquallMain.Version.class,
        description = "A job server for the JVM: accepts work over HTTP in about a millisecond and runs it on bounded workers.",
        subcommands = {ServeCommand.class, BenchCommand.class, LabCommand.class, WorkerCommand.class, TrainCommand.class,
                CommandLine.HelpCommand.class})
public final class SquallMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SquallMain());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setParameterExceptionHandler(SquallMain::badFlag);
        return cl;
    }

    /** A bad flag gets one clear line and a pointer to the help, not the whole usage text. */
    private static int badFlag(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println(cl.getColorScheme().errorText("squall " + cl.getCommandName() + ": " + ex.getMessage()));
        cl.getErr().println("Run 'squall " + (cl.getParent() == null ? "" : cl.getCommandName() + " ") + "--help' for the flags.");
        return 2;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The project's version, written into version.properties by the build (and into the jar's manifest). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"squall " + number() + " (Java " + Runtime.version() + ")"};
        }

        static String number() {
            try (java.io.InputStream in = SquallMain.class.getResourceAsStream("version.properties")) {
                java.util.Properties p = new java.util.Properties();
                if (in != null) {
                    p.load(in);
                }
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("$")) {
                    return v;
                }
            } catch (java.io.IOException e) {
                // fall through to the manifest
            }
            String v = SquallMain.class.getPackage().getImplementationVersion();
            return v == null ? "unknown (built without Maven)" : v;
        }
    }

    /** Turns a failure at start into one clear line instead of a stack trace. */
    static final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
            cl.getErr().println(cl.getColorScheme().errorText("squall " + cl.getCommandName() + ": " + ex.getMessage()));
            if (Boolean.getBoolean("squall.debug")) {
                ex.printStackTrace(cl.getErr());
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        }
    }
}
