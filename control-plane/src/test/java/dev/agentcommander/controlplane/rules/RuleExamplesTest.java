package dev.agentcommander.controlplane.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.schema.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The README's rule examples do what the README says, and the main input is the field each tool names. */
class RuleExamplesTest {
    /** The README's force-push rule, exactly as its JSON body is written there. */
    static final String FORCE_PUSH_BODY = "{\"tool\":\"Bash\",\"pattern\":\"\\\\bgit\\\\s+push\\\\b.*\\\\s(--force\\\\b|"
            + "-[a-zA-Z]*f)\",\"action\":\"deny\",\"message\":\"No force pushes: open a PR.\"}";

    private static Rule rule(String json) throws Exception {
        RuleStore.Spec s = RuleStore.parse(Json.mapper().readTree(json), null);
        return new Rule("rule_x", s.tool(), s.pattern(), s.hostId(), s.action(), s.risk(), s.message(), "alice",
                Instant.EPOCH, Instant.EPOCH, s.compiled());
    }

    private static boolean matches(Rule r, String tool, String inputJson) throws Exception {
        JsonNode input = Json.mapper().readTree(inputJson);
        return r.matches("h_1", tool, MainInput.of(tool, input));
    }

    private static String bash(String command) {
        return Json.mapper().createObjectNode().put("command", command).toString();
    }

    @Test
    void theForcePushRuleCatchesEveryWayOfForcingAndNothingElse() throws Exception {
        Rule r = rule(FORCE_PUSH_BODY);
        for (String forced : new String[] {"git push --force", "git push -f origin main", "git push -fu origin x",
                "cd app && git push origin main --force-with-lease", "git  push origin +main --force"}) {
            assertThat(matches(r, "Bash", bash(forced))).as(forced).isTrue();
        }
        for (String fine : new String[] {"git push origin main", "git push origin feature-fix", "git pull --force",
                "git push --follow-tags", "echo git push"}) {
            assertThat(matches(r, "Bash", bash(fine))).as(fine).isFalse();
        }
        assertThat(matches(r, "Write", "{\"file_path\":\"git push --force\"}")).as("another tool").isFalse();
    }

    @Test
    void theMainInputIsTheFieldEachToolNamesElseTheCompactJson() throws Exception {
        assertThat(MainInput.of("Bash", Json.mapper().readTree("{\"command\":\"ls\",\"description\":\"d\"}")))
                .isEqualTo("ls");
        assertThat(MainInput.of("Edit", Json.mapper().readTree("{\"file_path\":\"/a\",\"old_string\":\"x\"}")))
                .isEqualTo("/a");
        assertThat(MainInput.of("WebFetch", Json.mapper().readTree("{\"url\":\"https://x\",\"prompt\":\"p\"}")))
                .isEqualTo("https://x");
        assertThat(MainInput.of("mcp__github__create_issue", Json.mapper().readTree("{\"title\":\"t\"}")))
                .isEqualTo("{\"title\":\"t\"}");
        assertThat(MainInput.of("Bash", Json.mapper().readTree("{\"summary\":\"rm -rf /\"}")))
                .as("a screen-menu request without the field").isEqualTo("{\"summary\":\"rm -rf /\"}");
        assertThat(MainInput.of("Bash", null)).isEqualTo("{}");
    }

    @Test
    void aWildcardRuleMatchesEveryToolAndAHostRuleOnlyItsHost() throws Exception {
        Rule any = rule("{\"tool\":\"*\",\"action\":\"ask\",\"risk\":\"low\"}");
        assertThat(matches(any, "Anything", "{}")).isTrue();
        Rule one = rule("{\"tool\":\"Bash\",\"action\":\"allow\"}");
        Rule hosted = new Rule("r", "Bash", null, "h_2", RuleAction.ALLOW, null, null, "a", Instant.EPOCH,
                Instant.EPOCH, null);
        assertThat(one.matches("h_1", "Bash", "ls")).isTrue();
        assertThat(hosted.matches("h_1", "Bash", "ls")).isFalse();
        assertThat(hosted.matches("h_2", "Bash", "ls")).isTrue();
    }
}
