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
        StringBuilder b = new StringBuilder(256)
                .append("{\"id\":").append(Json.quote(r.id()))
                .append(",\"kind\":").append(Json.quote(r.kind()))
                .append(",\"queue\":").append(Json.quote(r.queue()))
                .append(",\"priority\":").append(r.priority())
                .append(",\"payload\":").append(r.payloadJson())
                .append(",\"state\":\"").append(r.state().wireName()).append('"')
                .append(",\"attempt\":").append(r.attempt())
                .append(",\"max_attempts\":").append(r.maxAttempts())
                .append(",\"created_at\":").append(time(r.createdAt()))
                .append(",\"run_at\":").append(time(r.runAt()))
                .append(",\"started_at\":").append(time(r.startedAt()))
                .append(",\"finished_at\":").append(time(r.finishedAt()))
                .append(",\"result\":").append(r.resultJson() == null ? "null" : r.resultJson())
                .append(",\"error\":").append(r.lastError() == null ? "null" : Json.quote(r.lastError()))
                .append('}');
        return b.toString();
    }

    /** Every instant in one form, always with its milliseconds: {@code "2026-11-30T12:00:20.000Z"}. */
    static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static String time(long millis) {
        return millis <= 0 ? "null" : "\"" + INSTANT.format(Instant.ofEpochMilli(millis)) + "\"";
    }
}
