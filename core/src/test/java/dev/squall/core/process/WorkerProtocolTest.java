package dev.squall.core.process;

import dev.squall.core.Job;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerProtocolTest {

    @Test
    void aPrettyPrintedPayloadCrossesAsOneLineAndArrivesUnchanged() throws Exception {
        String payload = "{\n \"job_id\": \"x\",\n \"note\": \"two\\nlines\"\n}";
        Job job = new Job("x", "sleep", payload, 1, 3, 1_700_000_000_000L);

        String line = WorkerProtocol.request(job, Duration.ofMillis(5));

        assertThat(line).doesNotContain("\n").doesNotContain("\r").startsWith(WorkerProtocol.PREFIX);
        WorkerProtocol.Request back = WorkerProtocol.parseRequest(line);
        assertThat(back.job()).isEqualTo(job);
        assertThat(back.defaultWork()).isEqualTo(Duration.ofMillis(5));
    }
}
