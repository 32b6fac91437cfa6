package dev.squall.server.http;

import dev.squall.core.JobRecord;
import dev.squall.core.Json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** A job as the HTTP API shows it. Payload and result are embedded as JSON, not as strings. */
final class JobJson {
    private JobJson() {
    }

    static String of(JobRecord r) {
        String result = r.resultJson();
        // Sized for the whole answer, so that it is never copied to grow (that was a tenth of its cost).
        StringBuilder b = new StringBuilder(360 + r.id().length() + r.payloadJson().length() + (result == null ? 0 : result.length()))
                .append("{\"id\":").append(Json.quote(r.id()))
                .append(",\"kind\":").append(Json.quote(r.kind()))
                .append(",\"queue\":").append(Json.quote(r.queue()))
                .append(",\"priority\":").append(r.priority())
                .append(",\"payload\":").append(r.payloadJson())
                .append(",\"state\":\"").append(r.state().wireName()).append('"')
                .append(",\"attempt\":").append(r.attempt())
                .append(",\"max_attempts\":").append(r.maxAttempts())
                .append(",\"created_at\":");
        time(b, r.createdAt()).append(",\"run_at\":");
        time(b, r.runAt()).append(",\"started_at\":");
        time(b, r.startedAt()).append(",\"finished_at\":");
        time(b, r.finishedAt()).append(",\"result\":").append(result == null ? "null" : result)
                .append(",\"error\":").append(r.lastError() == null ? "null" : Json.quote(r.lastError()))
                .append('}');
        return b.toString();
    }

    /** Every instant in one form, always with its milliseconds: {@code "2026-11-30T12:00:20.000Z"}. */
    static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static String time(long millis) {
        return time(new StringBuilder(26), millis).toString();
    }

    /** Appends {@link #time(long)}'s text to {@code b}, without making a string of it first. */
    static StringBuilder time(StringBuilder b, long millis) {
        if (millis <= 0) {
            return b.append("null");
        }
        if (millis > LAST_FAST) {
            return b.append('"').append(INSTANT.format(Instant.ofEpochMilli(millis))).append('"');
        }
        return iso(b, millis);
    }

    /** 9999-12-31T23:59:59.999Z: up to here {@link #iso} writes the form itself. */
    static final long LAST_FAST = 253_402_300_799_999L;

    /**
     * {@code "uuuu-MM-ddTHH:mm:ss.SSSZ"} with its quotes, for an instant from 1970 to 9999: the same
     * text as {@link #INSTANT}, which cost an eighth of a {@code POST /jobs}'s event-loop time for
     * the answer's four instants (bench/scripts/profile-intake.sh). Civil date from days after
     * H. Hinnant's {@code civil_from_days}.
     */
    static StringBuilder iso(StringBuilder b, long millis) {
        long days = millis / 86_400_000L;
        int msOfDay = (int) (millis % 86_400_000L);
        long z = days + 719_468;
        long era = z / 146_097;
        int doe = (int) (z - era * 146_097);
        int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int day = doy - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yoe + era * 400) + (month <= 2 ? 1 : 0);
        b.append('"');
        digits(b, year, 4);
        b.append('-');
        digits(b, month, 2);
        b.append('-');
        digits(b, day, 2);
        b.append('T');
        digits(b, msOfDay / 3_600_000, 2);
        b.append(':');
        digits(b, msOfDay / 60_000 % 60, 2);
        b.append(':');
        digits(b, msOfDay / 1000 % 60, 2);
        b.append('.');
        digits(b, msOfDay % 1000, 3);
        return b.append("Z\"");
    }

    /** {@code value} in {@code width} digits, zero-padded (it never has more). */
    private static void digits(StringBuilder b, int value, int width) {
        for (int div = width == 4 ? 1000 : width == 3 ? 100 : 10; div > 0; div /= 10) {
            b.append((char) ('0' + value / div % 10));
        }
    }
}
