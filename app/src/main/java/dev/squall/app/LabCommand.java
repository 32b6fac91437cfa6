package dev.squall.app;

import dev.squall.app.lab.Lab;
import dev.squall.app.lab.LabReport;
import dev.squall.app.lab.LabResult;
import dev.squall.app.lab.LabRow;
import dev.squall.core.process.JavaLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code squall lab}: replays the article's experiments and prints claim against measurement. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Runs each stage of the article in its own child server, drives it like the article's client",
                "(a new connection per request, 3 s deadline), and prints one table: claim versus measurement."})
final class LabCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Scale every time down (0.1 s work, 0.3 s deadline, 3000 requests -> 600): well under a minute.")
    boolean quick;

    @Option(names = "--html", description = "Also write the table and charts as one self-contained HTML page.")
    Path html;

    @Option(names = "--logs", description = "Folder for each child server's log. Default: a new temporary folder.")
    Path logs;

    @Override
    public Integer call() throws Exception {
        Lab.Scale scale = quick ? Lab.Scale.QUICK : Lab.Scale.FULL;
        Path logDir = logs != null ? logs : Files.createTempDirectory("squall-lab-");
        Lab lab = new Lab(scale, JavaLauncher.current(SquallMain.class.getName()), logDir);
        Thread hook = new Thread(lab::stopCurrent, "squall-lab-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println(LabReport.header(scale));
        List<LabResult> results = lab.run(LabRow.all(), r -> Lab.printRow(System.out, r));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run
        }
        System.out.println("child server logs: " + logDir);
        if (html != null) {
            LabReport.writeHtml(scale, results, html);
            System.out.println("report: " + html);
        }
        return results.stream().anyMatch(r -> r.report() == null) ? 1 : 0;
    }
}
