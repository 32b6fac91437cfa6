package dev.squall.core.process;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ProcessPoolExecutorTest {
    private static final JavaLauncher WORKER = JavaLauncher.current(WorkerMain.class.getName());

    @Test
    void runsJobsInWorkerProcessesAndReturnsTheirResults() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.start(2, 10, WORKER, Duration.ofMillis(10))) {
            JobResult r = pool.execute(Job.of("1", "echo", "{\"job_id\":1,\"x\":[1,2]}", 1)).get(20, TimeUnit.SECONDS);
            assertThat(r.succeeded()).isTrue();
            assertThat(r.resultJson()).isEqualTo("{\"job_id\":1,\"x\":[1,2]}");
            assertThat(r.runnerPid()).isIn(pool.pids()).isNotEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void aWorkerKilledMidJobAnswersThatJobWithAnErrorAndIsReplaced() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.start(1, 10, WORKER, Duration.ofSeconds(30))) {
            long victim = pool.pids().getFirst();
            CompletableFuture<JobResult> running = pool.execute(Job.of("1", "sleep", "{}", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.busyWorkers() == 1);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();

            JobResult r = running.get(20, TimeUnit.SECONDS);
            assertThat(r.succeeded()).isFalse();
            assertThat(r.error()).contains("worker process " + victim + " died");

            JobResult next = pool.execute(Job.of("2", "sleep", "{\"sleep_ms\":1}", 1)).get(60, TimeUnit.SECONDS);
            assertThat(next.succeeded()).isTrue();
            assertThat(next.runnerPid()).isNotEqualTo(victim);
        }
    }

    @Test
    void aJobGivenUpOnIsKilledWithItsProcessAndTheWorkerIsReplaced() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.start(1, 10, WORKER, Duration.ofSeconds(60))) {
            long stuck = pool.pids().getFirst();
            CompletableFuture<JobResult> running = pool.execute(Job.of("1", "sleep", "{}", 1)); // 60 s
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.busyWorkers() == 1);
            running.cancel(true); // what the engine does when the job timeout passes

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(stuck).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
            JobResult next = pool.execute(Job.of("2", "sleep", "{\"sleep_ms\":1}", 1)).get(60, TimeUnit.SECONDS);
            assertThat(next.succeeded()).isTrue();
            assertThat(next.runnerPid()).isNotEqualTo(stuck);
        }
    }

    @Test
    void aJobGivenUpOnBeforeItStartedIsNeverRun() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.start(1, 10, WORKER, Duration.ofMillis(300))) {
            long pid = pool.pids().getFirst();
            CompletableFuture<JobResult> first = pool.execute(Job.of("1", "sleep", "{}", 1));
            CompletableFuture<JobResult> second = pool.execute(Job.of("2", "sleep", "{\"sleep_ms\":30000}", 1));
            second.cancel(true);
            assertThat(first.get(30, TimeUnit.SECONDS).succeeded()).isTrue();
            // Had the cancelled 30 s job run, this one would wait for it.
            JobResult third = pool.execute(Job.of("3", "echo", "{\"n\":3}", 1)).get(15, TimeUnit.SECONDS);
            assertThat(third.succeeded()).isTrue();
            assertThat(third.runnerPid()).isEqualTo(pid); // the same process: nothing was killed
        }
    }

    @Test
    void refusesWorkPastItsWaitingLine() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.start(1, 1, WORKER, Duration.ofSeconds(2))) {
            List<CompletableFuture<JobResult>> fs = List.of(
                    pool.execute(Job.of("1", "sleep", "{}", 1)), pool.execute(Job.of("2", "sleep", "{}", 1)),
                    pool.execute(Job.of("3", "sleep", "{}", 1)), pool.execute(Job.of("4", "sleep", "{}", 1)));
            assertThat(fs).anySatisfy(f -> assertThatThrownBy(f::join).hasCauseInstanceOf(ExecutorFullException.class));
        }
    }

    @Test
    void closingStopsEveryWorkerProcess() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.start(2, 10, WORKER, Duration.ZERO);
        List<Long> pids = pool.pids();
        pool.close(Duration.ofSeconds(5));
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    }
}
