package dev.agentcommander.controlplane.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.controlplane.db.ApprovalRows;
import dev.agentcommander.controlplane.db.Database;
import dev.agentcommander.controlplane.db.DbException;
import dev.agentcommander.controlplane.db.EventRows;
import dev.agentcommander.controlplane.db.SessionRows;
import dev.agentcommander.schema.Session;
import dev.agentcommander.schema.UiEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A UI socket catching up after changes may have been missed (another replica's, while this replica's LISTEN
 * connection was down): each subscription re-reads from Postgres what it shows and is sent the difference —
 * sessions as they are now (and {@code sessions.removed} for the ones gone), approvals as they are now (with the
 * ones that left pending meanwhile), events after the last seq it was sent. Console lanes keep their stream.
 */
final class UiResync {
    private UiResync() {
    }

    /** {@code failed(sub, message)}: that subscription could not catch up (the database did not answer). */
    static void run(Database db, Map<String, UiEndpoint.Sub> subs, Consumer<String> send,
                    BiConsumer<String, String> failed) {
        subs.forEach((id, s) -> {
            try {
                switch (s.topic()) {
                    case "sessions" -> sessions(db, id, s, send);
                    case "approvals" -> approvals(db, id, s, send);
                    case "events" -> db.tx(c -> EventRows.afterSeq(c, s.sessionId(), s.lastSeq().get(), 1000))
                            .forEach(e -> {
                                s.lastSeq().accumulateAndGet(e.path("seq").asLong(), Math::max);
                                send.accept(UiEvent.encode(new UiEvent.EventsAppended(id, e)));
                            });
                    default -> { }
                }
            } catch (DbException e) {
                failed.accept(id, "could not catch up after a missed change; resubscribe");
            }
        });
    }

    private static void sessions(Database db, String id, UiEndpoint.Sub s, Consumer<String> send) {
        List<Session> rows = db.tx(c -> SessionRows.list(c, s.sessions(), null, 1000));
        Set<String> now = new HashSet<>();
        rows.forEach(r -> now.add(r.sessionId()));
        for (String gone : List.copyOf(s.visible())) {
            if (!now.contains(gone) && s.visible().remove(gone)) {
                send.accept(UiEvent.encode(new UiEvent.SessionsRemoved(id, gone)));
            }
        }
        rows.stream().map(r -> UiEndpoint.sessionFrame(id, s, r)).filter(Objects::nonNull).forEach(send);
    }

    private static void approvals(Database db, String id, UiEndpoint.Sub s, Consumer<String> send) {
        List<ObjectNode> rows = db.tx(c -> {
            List<ObjectNode> out = new ArrayList<>(ApprovalRows.list(c, s.approvalStatus(), 500));
            for (String shown : List.copyOf(s.visible())) {
                ObjectNode a = ApprovalRows.find(c, shown); // a card that left pending meanwhile
                if (a != null && !"pending".equals(a.path("status").asText())) {
                    out.add(a);
                }
            }
            return out;
        });
        rows.stream().filter(a -> UiEndpoint.approvalMatches(s, a))
                .forEach(a -> send.accept(UiEvent.encode(new UiEvent.ApprovalsChanged(id, a))));
    }
}
