package dev.squall.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.StringJoiner;

/**
 * Prints how many jobs a Squall SQLite file holds in each state, and how many ran more than once
 * (for the crash benchmark). {@code java -cp app/target/squall.jar dev.squall.bench.CountStates FILE}
 */
public final class CountStates {
    private CountStates() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[0]); Statement s = c.createStatement()) {
            StringJoiner out = new StringJoiner(", ");
            try (ResultSet rs = s.executeQuery("SELECT state, count(*) FROM jobs GROUP BY state ORDER BY state")) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getLong(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs WHERE attempt > 1")) {
                rs.next();
                out.add("ran more than once " + rs.getLong(1));
            }
            System.out.println(out);
        }
    }
}
