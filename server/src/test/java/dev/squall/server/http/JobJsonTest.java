package dev.squall.server.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The API's instants: one form, always with milliseconds, written fast without changing a character. */
class JobJsonTest {
    private static String slow(long millis) {
        return "\"" + JobJson.INSTANT.format(Instant.ofEpochMilli(millis)) + "\"";
    }

    @Test
    void anInstantIsWrittenAsTheFormatterWritesIt() {
        assertThat(JobJson.time(1_764_504_020_000L)).isEqualTo("\"2025-11-30T12:00:20.000Z\"");
        for (long millis : new long[] {1, 999, 1000, 86_399_999L, 86_400_000L, 951_782_400_000L /* 2000-02-29 */,
                4_107_542_400_000L /* 2100-03-01 */, 253_402_300_799_999L, 1_767_225_599_999L /* 2025-12-31T23:59:59.999 */}) {
            assertThat(JobJson.time(millis)).as("%d", millis).isEqualTo(slow(millis));
        }
    }

    @Test
    void aMillionRandomInstantsFromNowToTheYear9999MatchTheFormatter() {
        SplittableRandom random = new SplittableRandom(20261130);
        for (int i = 0; i < 1_000_000; i++) {
            long millis = i % 2 == 0 ? random.nextLong(1, JobJson.LAST_FAST + 1)
                    : 1_700_000_000_000L + random.nextLong(0, 40L * 366 * 86_400_000L); // the years jobs live in
            assertThat(JobJson.time(millis)).isEqualTo(slow(millis));
        }
    }

    @Test
    void noTimeIsNullAndInstantsPastTheYear9999StillGetTheFormattersForm() {
        assertThat(JobJson.time(0)).isEqualTo("null");
        assertThat(JobJson.time(-5)).isEqualTo("null");
        assertThat(JobJson.time(JobJson.LAST_FAST + 1)).isEqualTo(slow(JobJson.LAST_FAST + 1));
        assertThat(JobJson.time(Long.MAX_VALUE)).isEqualTo(slow(Long.MAX_VALUE));
    }
}
