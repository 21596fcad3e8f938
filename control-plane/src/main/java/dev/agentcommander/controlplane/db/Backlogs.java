package dev.agentcommander.controlplane.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The two queues an operator watches that live in Postgres, read in one round trip: approvals waiting for a
 * person (pending and not expired) and notifications not yet sent. Both counts use partial or leading indexes.
 */
public record Backlogs(long pendingApprovals, long pendingNotifications) {
    public static Backlogs read(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM approvals WHERE status = "
                + "'pending' AND (expires_at IS NULL OR expires_at > ?)), (SELECT count(*) FROM notifications "
                + "WHERE status = 'pending')")) {
            Rows.setInstant(ps, 1, now);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Backlogs(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
