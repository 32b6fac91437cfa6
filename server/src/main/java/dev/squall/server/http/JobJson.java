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
        byte[] text = iso(millis);
        for (byte c : text) {
            b.append((char) c);
        }
        return b;
    }

    /** 9999-12-31T23:59:59.999Z: up to here {@link #iso} writes the form itself. */
    static final long LAST_FAST = 253_402_300_799_999L;

    /**
     * {@code "uuuu-MM-ddTHH:mm:ss.SSSZ"} with its quotes, for an instant from 1970 to 9999: the same
     * text as {@link #INSTANT}, which cost an eighth of a {@code POST /jobs}'s event-loop time for
     * the answer's four instants (bench/scripts/profile-intake.sh). Civil date from days after
     * H. Hinnant's {@code civil_from_days}.
     */
    static byte[] iso(long millis) {
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
        byte[] b = new byte[26];
        b[0] = '"';
        digits(b, 1, year, 4);
        b[5] = '-';
        digits(b, 6, month, 2);
        b[8] = '-';
        digits(b, 9, day, 2);
        b[11] = 'T';
        digits(b, 12, msOfDay / 3_600_000, 2);
        b[14] = ':';
        digits(b, 15, msOfDay / 60_000 % 60, 2);
        b[17] = ':';
        digits(b, 18, msOfDay / 1000 % 60, 2);
        b[20] = '.';
        digits(b, 21, msOfDay % 1000, 3);
        b[24] = 'Z';
        b[25] = '"';
        return b;
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
