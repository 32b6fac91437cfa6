package dev.squall.store.batch;

import dev.squall.core.JobStore.JobQuery;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of a job listing, the same for every SQL store: the filters of a {@link JobQuery} as
 * {@code AND} conditions, id order, one row more than the page (it says whether more follow).
 *
 * <pre>{@code
 * ListingQuery q = ListingQuery.of(query, "SELECT " + COLUMNS + " FROM jobs", "instr");
 * try (PreparedStatement ps = c.prepareStatement(q.sql())) { q.bind(ps); ... }
 * }</pre>
 */
public record ListingQuery(String sql, List<Object> args) {

    public ListingQuery {
        args = List.copyOf(args);
    }

    /**
     * {@code select} is the statement up to its FROM clause, with no WHERE; {@code position} is the
     * store's function of (text, part) that is above 0 when part is in text: {@code instr} in
     * SQLite, {@code strpos} in PostgreSQL.
     */
    public static ListingQuery of(JobQuery q, String select, String position) {
        ListingQuery filters = filters(q, position);
        StringBuilder sql = new StringBuilder(select).append(" WHERE ").append(filters.sql());
        List<Object> args = new ArrayList<>(filters.args());
        if (q.after() != null) {
            sql.append(" AND id > ?");
            args.add(q.after());
        }
        sql.append(" ORDER BY id LIMIT ?");
        args.add(q.limit() + 1);
        return new ListingQuery(sql.toString(), args);
    }

    /** The filters of {@code q} (not its cursor nor its limit) as one condition, true when none. */
    public static ListingQuery filters(JobQuery q, String position) {
        StringBuilder sql = new StringBuilder("1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.state() != null) {
            sql.append(" AND state = ?");
            args.add(q.state().wireName());
        }
        if (q.kind() != null) {
            sql.append(" AND kind = ?");
            args.add(q.kind());
        }
        if (q.queue() != null) {
            sql.append(" AND queue = ?");
            args.add(q.queue());
        }
        if (q.idPrefix() != null) {
            sql.append(" AND substr(id, 1, ?) = ?");
            // SQL's substr counts characters; Java's length counts a character outside the BMP twice
            args.add(q.idPrefix().codePointCount(0, q.idPrefix().length()));
            args.add(q.idPrefix());
        }
        if (q.payloadContains() != null) {
            sql.append(" AND ").append(position).append("(payload, ?) > 0");
            args.add(q.payloadContains());
        }
        return new ListingQuery(sql.toString(), args);
    }

    public void bind(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }
}
