package dev.squall.app;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a Squall SQLite file straight from disk, as a test sees it after a server stopped or died. */
final class JobsFile {
    private JobsFile() {
    }

    /** Each job's state, by id, for the jobs that match {@code where} (an SQL condition). */
    static Map<String, String> states(Path db, String where) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (List<String> row : query(db, "SELECT id, state FROM jobs WHERE " + where)) {
            m.put(row.get(0), row.get(1));
        }
        return m;
    }

    /** The first column of every row of {@code sql}. */
    static List<String> column(Path db, String sql) throws Exception {
        return query(db, sql).stream().map(r -> r.get(0)).toList();
    }

    private static List<List<String>> query(Path db, String sql) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
