package dev.squall.core.process;

import dev.squall.core.Job;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobResult;
import dev.squall.core.JobRunner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The worker process of the process pool ({@code squall worker}): reads one job per line on stdin,
 * runs it, answers one line on stdout, and exits when stdin closes, which is also how it notices
 * that its parent died. Not for people.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws IOException {
        java.nio.file.Path plugins = args.length >= 2 && args[0].equals("--plugins") ? java.nio.file.Path.of(args[1]) : null;
        System.exit(run(JobHandlers.discover(plugins)));
    }

    /**
     * Runs one job through the whole path (parse, run, answer) before saying ready, so the class
     * loading and JSON set-up are paid at pool start, not by the first caller.
     */
    private static void warmUp(JobHandlers handlers) throws IOException {
        String line = WorkerProtocol.request(Job.of("warm-up", "echo", "{\"job_id\":0}", 1), Duration.ZERO);
        WorkerProtocol.Request req = WorkerProtocol.parseRequest(line);
        WorkerProtocol.response(new JobRunner(handlers, req.defaultWork()).run(req.job()));
    }

    /** Serves jobs until stdin ends, with these job kinds; returns the process exit code. */
    public static int run(JobHandlers handlers) throws IOException {
        // The protocol owns the real stdout; anything else printed goes to stderr.
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        long pid = ProcessHandle.current().pid();
        warmUp(handlers);
        protocol.println(WorkerProtocol.ready(pid));
        protocol.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!WorkerProtocol.isProtocol(line)) {
                continue;
            }
            String answer;
            try {
                WorkerProtocol.Request req = WorkerProtocol.parseRequest(line);
                JobResult result = new JobRunner(handlers, req.defaultWork()).run(req.job());
                answer = WorkerProtocol.response(result);
            } catch (IOException | RuntimeException e) {
                answer = WorkerProtocol.unreadable(String.valueOf(e.getMessage()), pid);
            }
            protocol.println(answer);
            protocol.flush();
        }
        return 0;
    }
}
