package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Labels for Claude Code's permission suggestions, from the suggestions real Claude Code 2.1.328 offered
 * (docs/real-clients.md): only an addRules allow that matches the call may say the call will not ask again.
 */
class PermissionChoicesTest {
    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    private static JsonNode bash(String command) throws Exception {
        return Json.mapper().createObjectNode().put("command", command);
    }

    @Test
    void anAddRulesThatMatchesTheCommandIsALastingRuleThatStopsAsking() throws Exception {
        JsonNode c = PermissionChoices.describe("Bash", bash("git tag v1"), json("[{\"type\":\"addRules\",\"rules\":"
                + "[{\"toolName\":\"Bash\",\"ruleContent\":\"git tag *\"}],\"behavior\":\"allow\","
                + "\"destination\":\"localSettings\"}]")).get(0);
        assertThat(c.path("index").asInt()).isZero();
        assertThat(c.path("scope").asText()).isEqualTo("project_local");
        assertThat(c.path("lasting").asBoolean()).isTrue();
        assertThat(c.path("stops_asking").asBoolean()).isTrue();
        assertThat(c.path("label").asText())
                .isEqualTo("Always allow Bash(git tag *) in this project (.claude/settings.local.json)");
    }

    @Test
    void fileCommandsGetOnlySessionChoicesAndAddDirectoriesSaysItWillStillAsk() throws Exception {
        JsonNode c = PermissionChoices.describe("Bash", bash("touch a.txt"), json("[{\"type\":\"addDirectories\","
                + "\"directories\":[\"/src/app\"],\"destination\":\"session\"},{\"type\":\"setMode\","
                + "\"mode\":\"acceptEdits\",\"destination\":\"session\"}]"));
        assertThat(c.get(0).path("lasting").asBoolean()).isFalse();
        assertThat(c.get(0).path("stops_asking").asBoolean()).isFalse();
        assertThat(c.get(0).path("label").asText())
                .isEqualTo("Allow file access in /src/app for this session — this command will still ask");
        assertThat(c.get(1).path("label").asText()).startsWith("Switch this session to acceptEdits mode");
        assertThat(c.get(1).path("lasting").asBoolean()).isFalse();
        for (JsonNode choice : c) {
            assertThat(choice.path("label").asText()).doesNotContainIgnoringCase("always");
        }
    }

    @Test
    void noSuggestionsMeansNoLastingChoiceAndOddRulesPromiseNothing() throws Exception {
        assertThat(PermissionChoices.describe("Bash", bash("echo $(id)"), json("[]"))).isEmpty();
        assertThat(PermissionChoices.describe("Bash", bash("x"), null)).isEmpty();
        JsonNode compound = PermissionChoices.describe("Bash", bash("git tag v1 && rm -rf /"), json(
                "[{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\",\"ruleContent\":\"git tag *\"}],"
                        + "\"behavior\":\"allow\",\"destination\":\"localSettings\"}]")).get(0);
        assertThat(compound.path("stops_asking").asBoolean()).isFalse();
        assertThat(compound.path("label").asText()).endsWith("this call does not match, it will still ask");
        JsonNode exact = PermissionChoices.describe("Bash", bash("python3 -c 'print(1)'"), json(
                "[{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\",\"ruleContent\":\"python3 -c 'print(1)'\"}],"
                        + "\"behavior\":\"allow\",\"destination\":\"localSettings\"}]")).get(0);
        assertThat(exact.path("stops_asking").asBoolean()).isTrue();
        JsonNode unknown = PermissionChoices.describe("Bash", bash("x"), json("[{\"type\":\"grantAll\"}]")).get(0);
        assertThat(unknown.path("stops_asking").asBoolean()).isFalse();
        assertThat(unknown.path("label").asText()).contains("not known to Agent Commander");
    }
}
