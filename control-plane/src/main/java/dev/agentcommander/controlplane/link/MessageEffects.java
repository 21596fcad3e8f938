package dev.agentcommander.controlplane.link;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Audit;
import dev.agentcommander.controlplane.db.CommandRows;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.controlplane.fanout.FanOut;
import dev.agentcommander.controlplane.rules.ApprovalIntake;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.ApprovalOutcome;
import dev.agentcommander.schema.Codec;
import dev.agentcommander.schema.Json;
import dev.agentcommander.schema.Session;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each stored agent message does inside an ingest transaction, one message type per case; {@link Ingest} owns
 * the batch around it (the transaction, savepoints, retries, the ack). A message naming another host's session or
 * approval is refused here: logged, acked with its batch, never stored.
 */
final class MessageEffects {
    /** Ingest's logger: the refusals were logged under it before this class was split from it. */
    private static final System.Logger LOG = System.getLogger(Ingest.class.getName());

    private final String host;
    private final Clock clock;
    private final ApprovalIntake intake;
    /** Per batch: session id → owned by another host (cleared at the start of every batch). */
    private final Map<String, Boolean> foreign = new HashMap<>();
    /** Per batch: whether a rule decided an approval (the delivery loop is then woken after the commit). */
    private boolean decidedByRule;

    MessageEffects(String host, Clock clock, ApprovalIntake intake) {
        this.host = host;
        this.clock = clock;
        this.intake = intake;
    }

    void startBatch() {
        foreign.clear();
        decidedByRule = false;
    }

    boolean decidedByRule() {
        return decidedByRule;
    }

    /** Applies one stored message: rows written, changes to publish after the commit, events to append. */
    void apply(Connection c, Codec.Frame<AgentMessage> f, List<FanOut.Change> changes, Set<String> approvals,
               List<EventRows.NewEvent> events) throws SQLException {
        long seq = f.seq();
        Instant ts = f.ts() != null ? f.ts() : clock.instant();
        switch (f.message()) {
            case AgentMessage.SessionsUpsert u -> {
                Session s = u.session().withHostId(host);
                if (SessionRows.upsert(c, s, seq)) {
                    changes.add(new FanOut.SessionChanged(s));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "host " + host + ": session " + s.sessionId()
                            + " is another host's (live, or removed with its history); upsert refused");
                }
            }
            case AgentMessage.SessionsRemoved r -> {
                if (SessionRows.delete(c, host, r.sessionId())) {
                    changes.add(new FanOut.SessionRemoved(host, r.sessionId()));
                }
            }
            case AgentMessage.EventsAppend e -> {
                if (foreignSession(c, e.sessionId())) {
                    refuse(seq, "event for session " + e.sessionId() + " of another host");
                    return;
                }
                events.add(new EventRows.NewEvent(host, seq, e.sessionId(), e.eventType(), ts, e.data()));
            }
            case AgentMessage.ApprovalRequested a -> {
                if (foreignSession(c, a.sessionId())) {
                    refuse(seq, "approval for session " + a.sessionId() + " of another host");
                    return;
                }
                boolean fresh = ApprovalRows.insert(c, host, a);
                if (!fresh && !ApprovalRows.ownedBy(c, host, a.approvalId())) {
                    refuse(seq, "approval id " + a.approvalId() + " belongs to another host");
                    return;
                }
                if (fresh && intake.stored(c, host, a)) { // approval rules and notifications, in this transaction
                    decidedByRule = true;
                }
                approvals.add(a.approvalId());
                events.add(new EventRows.NewEvent(host, seq, a.sessionId(), AgentMessage.ApprovalRequested.TYPE, ts,
                        Json.mapper().valueToTree(a)));
            }
            case AgentMessage.ApprovalResolved a -> {
                if (a.outcome() == ApprovalOutcome.UNKNOWN) {
                    LOG.log(System.Logger.Level.WARNING, "host " + host + ": approval " + a.approvalId()
                            + " resolved with an outcome this build does not know");
                    return;
                }
                ObjectNode before = ApprovalRows.resolve(c, host, a.approvalId(), a.outcome(), a.reason(),
                        clock.instant());
                if (before != null) {
                    approvals.add(a.approvalId());
                    if (!a.outcome().decided() && before.hasNonNull("decided_by")) {
                        // a person's decision did not reach the tool (answered in the pane first, hook gone …):
                        // the audit log must not leave it standing as what happened
                        ObjectNode detail = Json.mapper().createObjectNode().put("outcome", a.outcome().wire())
                                .put("reason", a.reason()).put("decided_by", before.get("decided_by").asText());
                        Audit.write(c, "host:" + host, "agent", "approval.decision_void", a.approvalId(), detail);
                    }
                }
                ObjectNode p = Json.mapper().valueToTree(a);
                events.add(new EventRows.NewEvent(host, seq, null, AgentMessage.ApprovalResolved.TYPE, ts, p));
            }
            case AgentMessage.CommandsResult r -> {
                CommandRows.Completed done = CommandRows.complete(c, host, r.commandId(), r.ok(), r.error(),
                        r.data(), clock.instant());
                if (done == null) {
                    LOG.log(System.Logger.Level.INFO, "host " + host + ": result for unknown or finished command "
                            + r.commandId());
                    return;
                }
                ObjectNode p = Json.mapper().createObjectNode();
                p.put("command_id", done.id());
                p.put("name", done.name());
                p.put("ok", r.ok());
                p.put("error", r.error());
                events.add(new EventRows.NewEvent(host, seq, done.sessionId(), "command.completed", ts, p));
            }
            case AgentMessage.Snapshot s -> { }
            case AgentMessage.ConsoleChunk ch -> { }
            case AgentMessage.Unknown u -> LOG.log(System.Logger.Level.INFO, "host " + host
                    + ": unknown message type " + LogText.of(u.type()) + " seq " + seq + " acked and dropped");
            case AgentMessage.Hello h -> { }
            case AgentMessage.Heartbeat h -> { }
        }
    }

    /**
     * Whether a session id is claimed by another host (its live row, or the history it left when it was removed);
     * asked once per id and batch (a batch is one session's burst).
     */
    private boolean foreignSession(Connection c, String sessionId) throws SQLException {
        if (sessionId == null) {
            return false;
        }
        Boolean known = foreign.get(sessionId);
        if (known == null) {
            known = SessionRows.claimedByAnotherHost(c, host, sessionId);
            foreign.put(sessionId, known);
        }
        return known;
    }

    /** A frame that names another host's session or approval: logged, acked with its batch, never stored. */
    private void refuse(long seq, String why) {
        LOG.log(System.Logger.Level.WARNING, "host " + host + ": seq " + seq + " refused: " + why);
    }
}
