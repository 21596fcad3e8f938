package dev.agentcommander.controlplane.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalBehavior;
import dev.agentcommander.schema.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Applies the rules to a new approval: its risk and rule are recorded, and an {@code allow} or {@code deny} rule
 * decides it through the same {@link ApprovalRows#decide} a person's decision takes, as {@code rule:<id>}, with the
 * same {@code approval.decide} audit row. So the decision is shown, delivered to agentd and resent after a
 * reconnect exactly like any other.
 */
public final class RuleDecisions implements ApprovalIntake {
    private final RuleEngine engine;
    private final Clock clock;

    public RuleDecisions(RuleEngine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public boolean stored(Connection c, String hostId, AgentMessage.ApprovalRequested a) throws SQLException {
        RuleEngine.Match m = engine.evaluate(c, hostId, a.toolName(), a.toolInput());
        ApprovalRows.classify(c, a.approvalId(), m.risk().wire(), m.rule() == null ? null : m.rule().id());
        if (m.action() == RuleAction.ASK) {
            return false;
        }
        Rule r = m.rule();
        ApprovalBehavior behavior = r.action() == RuleAction.ALLOW ? ApprovalBehavior.ALLOW : ApprovalBehavior.DENY;
        String message = r.message() != null ? r.message()
                : behavior == ApprovalBehavior.DENY ? "denied by approval rule " + r.id() : null;
        String by = "rule:" + r.id();
        if (ApprovalRows.decide(c, a.approvalId(), behavior, message, null, null, by, clock.instant()) == null) {
            return false; // expired already (an agent whose clock is far ahead): left as it is
        }
        ObjectNode detail = Json.mapper().createObjectNode();
        detail.put("behavior", behavior.wire());
        detail.put("message", message);
        detail.put("edited_input", false);
        detail.put("rule_id", r.id());
        detail.put("tool", r.tool());
        detail.put("pattern", r.pattern());
        Audit.write(c, by, null, "approval.decide", a.approvalId(), detail);
        return true;
    }
}
