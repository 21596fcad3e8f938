package dev.agentcommander.controlplane.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which rule a request matches. The rules are compiled once per generation and kept in evaluation order: every
 * {@code deny} rule first, then {@code allow}, then {@code ask}, each group oldest first; the first match wins, no
 * match is {@code ask}. So a deny always beats an allow, whichever was saved first. The generation is read in the
 * caller's transaction, so a rule saved on another replica applies to the next request stored anywhere.
 */
public final class RuleEngine {
    /** The matching rule (null: none, ask a person) and the risk the approval carries. */
    public record Match(Rule rule, Risk risk) {
        public RuleAction action() {
            return rule == null ? RuleAction.ASK : rule.action();
        }
    }

    private record Compiled(long generation, List<Rule> ordered) {
    }

    private volatile Compiled compiled;

    public Match evaluate(Connection c, String hostId, String tool, JsonNode toolInput) throws SQLException {
        return first(rules(c), hostId, tool, toolInput);
    }

    /** The first of {@code ordered} (see {@link #ordered}) that matches; the whole evaluation without Postgres. */
    public static Match first(List<Rule> ordered, String hostId, String tool, JsonNode toolInput) {
        if (ordered.isEmpty()) {
            return new Match(null, Risk.ofTool(tool));
        }
        String input = MainInput.of(tool, toolInput);
        for (Rule r : ordered) {
            if (r.matches(hostId, tool, input)) {
                return new Match(r, r.risk() != null ? r.risk() : Risk.ofTool(tool));
            }
        }
        return new Match(null, Risk.ofTool(tool));
    }

    /** {@code rules} (oldest first) in evaluation order: deny, allow, ask, each group keeping its order. */
    public static List<Rule> ordered(List<Rule> rules) {
        List<Rule> all = new ArrayList<>(rules);
        all.sort(Comparator.comparing(Rule::action)); // stable: oldest first within each action
        return List.copyOf(all);
    }

    private List<Rule> rules(Connection c) throws SQLException {
        long gen = RuleStore.generation(c);
        Compiled k = compiled;
        if (k == null || k.generation() != gen) {
            k = new Compiled(gen, ordered(RuleStore.list(c)));
            compiled = k;
        }
        return k.ordered();
    }
}
