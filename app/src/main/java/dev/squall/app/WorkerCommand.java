package dev.squall.app;

import dev.squall.core.process.WorkerMain;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code squall worker}: the child process of the process pool. Not for people. */
@Command(name = "worker", hidden = true,
        description = "Runs jobs sent as JSON lines on stdin (the process pool's worker). Not for people.")
final class WorkerCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--plugins", description = "Folder of job handler plugin jars.")
    java.nio.file.Path plugins;

    @Override
    public Integer call() throws Exception {
        return WorkerMain.run(dev.squall.core.JobHandlers.discover(plugins));
    }
}
