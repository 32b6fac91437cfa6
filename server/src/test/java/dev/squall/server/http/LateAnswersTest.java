package dev.squall.server.http;

import dev.squall.server.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Late answers are all counted, and logged without flooding: the first at once, the rest in one line a period. */
class LateAnswersTest {
    private CapturedLog log;

    @BeforeEach
    void capture() {
        log = CapturedLog.of(null, RequestDeadlines.class.getName());
    }

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void theFirstIsLoggedAtOnceAndTheRestInOneLineOnceThePeriodIsOverEvenWhenNoMoreCome() {
        RequestDeadlines.LateAnswers late = new RequestDeadlines.LateAnswers(Duration.ofMillis(300));
        for (int i = 0; i < 5; i++) {
            late.tell("POST /jobs", "2s");
            late.flush();
        }
        assertThat(late.count()).isEqualTo(5);
        assertThat(log.lines()).containsExactly(
                "POST /jobs not answered within 2s (--request-timeout): answered 503, the store has not answered it yet");

        // No more late answers: the sweep's flush still tells the four, once the period is over.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            late.flush();
            return log.lines().size() == 2;
        });
        assertThat(log.lines().get(1)).startsWith("4 more requests answered 503 since the last such line");
        late.flush();
        assertThat(log.lines()).hasSize(2);

        // A period later, a late answer is logged at once again (with those that came before it in the period).
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            late.tell("GET /jobs/a", "2s");
            return log.lines().size() == 3;
        });
        assertThat(log.lines().get(2)).startsWith("GET /jobs/a not answered within 2s");
        assertThat(late.count()).isGreaterThanOrEqualTo(6);
    }
}
