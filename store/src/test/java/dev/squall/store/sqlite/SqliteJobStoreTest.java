package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.store.JobStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteJobStoreTest extends JobStoreContract {
    @TempDir
    Path dir;
    private int opened;

    @Override
    protected JobStore newStore(int capacity) {
        return SqliteJobStore.open(dir.resolve("jobs-" + (opened++) + ".db"), capacity, true);
    }

    @Test
    void everythingSurvivesAReopenAndRunningJobsAreRecovered() {
        Path file = dir.resolve("reopen.db");
        JobStore first = SqliteJobStore.open(file, 100, true);
        first.submit(job("a")).join();
        first.submit(job("b")).join();
        first.submit(job("c")).join();
        List<Job> running = first.claim(2, T0);
        first.finish(List.of(JobStore.Finish.succeeded(running.get(0), "{\"x\":1}", T0 + 1))).join();
        first.close();

        JobStore second = SqliteJobStore.open(file, 100, true);
        try {
            assertThat(second.get(running.get(0).id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(second.get(running.get(1).id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
            assertThat(second.waiting()).isEqualTo(1);
            assertThat(second.recover(T0 + 2)).isEqualTo(1);
            JobRecord recovered = second.get(running.get(1).id()).orElseThrow();
            assertThat(recovered.state()).isEqualTo(JobState.QUEUED);
            assertThat(recovered.attempt()).isEqualTo(1); // the interrupted attempt counts
            assertThat(second.attempts(recovered.id())).extracting(JobStore.Attempt::attempt, JobStore.Attempt::outcome,
                    JobStore.Attempt::startedAt).containsExactly(org.assertj.core.groups.Tuple.tuple(1, "interrupted", T0));
            assertThat(second.waiting()).isEqualTo(2);
            assertThat(second.claim(10, T0 + 2)).extracting(Job::attempt).containsExactlyInAnyOrder(1, 2);
        } finally {
            second.close();
        }
    }

    @Test
    void aVersion1FileIsMigratedItsJobsInTheDefaultQueue() throws Exception {
        Path file = dir.resolve("v1.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("CREATE TABLE jobs (id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, "
                    + "attempt INTEGER NOT NULL, max_attempts INTEGER NOT NULL, created_at INTEGER NOT NULL, run_at INTEGER NOT NULL, "
                    + "started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0, result TEXT, last_error TEXT)");
            s.execute("CREATE INDEX jobs_due ON jobs(run_at) WHERE state IN ('queued', 'failed')");
            s.execute("CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at > 0");
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version VALUES (1)");
            s.execute("INSERT INTO jobs (id, kind, payload, state, attempt, max_attempts, created_at, run_at) "
                    + "VALUES ('old', 'echo', '{}', 'queued', 0, 3, " + T0 + ", " + T0 + ")");
        }
        JobStore s = SqliteJobStore.open(file, 100, true);
        try {
            JobRecord old = s.get("old").orElseThrow();
            assertThat(old.queue()).isEqualTo("default");
            assertThat(old.priority()).isZero();
            s.submit(JobRecord.queued("first", "echo", "{}", 3, T0, T0 + 1, "default", -1)).join();
            assertThat(s.claim(2, T0 + 2)).extracting(Job::id).containsExactly("first", "old");
        } finally {
            s.close();
        }
    }

    @Test
    void aSecondServerOnTheSameFileIsRefusedUntilTheFirstStops() {
        Path file = dir.resolve("shared.db");
        JobStore first = SqliteJobStore.open(file, 10, true);
        try {
            assertThatThrownBy(() -> SqliteJobStore.open(file, 10, true))
                    .hasMessageContaining("in use by another Squall (pid " + ProcessHandle.current().pid() + ")")
                    .hasMessageContaining("--store");
            first.submit(job("kept")).join(); // the refused one changed nothing
        } finally {
            first.close();
        }
        JobStore second = SqliteJobStore.open(file, 10, true);
        try {
            assertThat(second.get("kept")).isPresent();
        } finally {
            second.close();
        }
    }

    @Test
    void aFileFromANewerSquallIsRefused() throws Exception {
        Path file = dir.resolve("future.db");
        SqliteJobStore.open(file, 10, true).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("INSERT INTO schema_version(version) VALUES (99)");
        }
        assertThatThrownBy(() -> SqliteJobStore.open(file, 10, true)).hasMessageContaining("schema version 99");
    }

    @Test
    void aJobAtItsLastAttemptWhenTheProcessStoppedGetsThatAttemptAgain() {
        Path file = dir.resolve("last.db");
        JobStore s = SqliteJobStore.open(file, 10, true);
        s.submit(JobRecord.queued("z", "echo", "{}", 1, T0, T0)).join();
        s.claim(1, T0);
        s.close();
        JobStore again = SqliteJobStore.open(file, 10, false);
        try {
            again.recover(T0 + 1);
            assertThat(again.claim(1, T0 + 1)).extracting(Job::attempt).containsExactly(1);
        } finally {
            again.close();
        }
    }
}
