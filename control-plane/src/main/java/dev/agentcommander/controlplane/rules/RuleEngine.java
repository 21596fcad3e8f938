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
        List<Rule> rules = rules(c);
        if (rules.isEmpty()) {
            return new Match(null, Risk.ofTool(tool));
        }
        String input = MainInput.of(tool, toolInput);
        for (Rule r : rules) {
            if (r.matches(hostId, tool, input)) {
                return new Match(r, r.risk() != null ? r.risk() : Risk.ofTool(tool));
            }
        }
        return new Match(null, Risk.ofTool(tool));
    }

    private List<Rule> rules(Connection c) throws SQLException {
        long gen = RuleStore.generation(c);
        Compiled k = compiled;
        if (k == null || k.generation() != gen) {
            List<Rule> all = new ArrayList<>(RuleStore.list(c)); // oldest first; a stable sort keeps that per action
            all.sort(Comparator.comparing(Rule::action));
            k = new Compiled(gen, List.copyOf(all));
            compiled = k;
        }
        return k.ordered();
    }
}
