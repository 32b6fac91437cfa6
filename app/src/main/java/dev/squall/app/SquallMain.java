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
        subcommands = {ServeCommand.class, BenchCommand.class, LabCommand.class, WorkerCommand.class, CommandLine.HelpCommand.class})
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

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SquallMain.class.getPackage().getImplementationVersion();
            return new String[] {"squall " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
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
