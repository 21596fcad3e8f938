package dev.agentcommander.e2e.realclients;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scrubbing rules the golden files rely on (docs/real-clients.md, "Comparing with golden files"). */
class ScrubTest {
    private final Scrub scrub = new Scrub().path("/t/junit-1/claude/repo", "<repo>").path("/t/junit-1", "<tmp>")
            .origin("http://127.0.0.1:40123");

    @Test
    void replacesPathsLongestFirstAndTheirProjectKeyForm() {
        assertThat(scrub.text("/t/junit-1/claude/repo/a.txt and /t/junit-1/hook"))
                .isEqualTo("<repo>/a.txt and <tmp>/hook");
        assertThat(scrub.text("/cfg/projects/-t-junit-1-claude-repo/x.jsonl"))
                .isEqualTo("/cfg/projects/<repo>-key/x.jsonl");
    }

    @Test
    void replacesUuidsAndTheFakeServersOrigin() {
        assertThat(scrub.text("fc_01a2336a-ee26-74f1-aad9-0e4e02af46c5 via 127.0.0.1:40123, not 127.0.0.1:9"))
                .isEqualTo("fc_<uuid> via <api>, not 127.0.0.1:9");
    }

    @Test
    void keepsTheTypeButNotTheValueOfVolatileFieldsAndNeverTouchesKeysOrOtherValues() {
        var in = Json.read("""
                {"duration_ms": 192, "startedAt": "2026-12-01", "processId": null, "exit_code": 2,
                 "nested": [{"durationMs": 5, "/t/junit-1": "/t/junit-1"}]}""");
        assertThat(Json.write(scrub.json(in))).isEqualTo("""
                {"duration_ms":"<number>","startedAt":"<string>","processId":null,"exit_code":2,\
                "nested":[{"durationMs":"<number>","/t/junit-1":"<tmp>"}]}""");
    }

    @Test
    void goldenComparisonIgnoresFieldOrderButNotArrayOrder() {
        assertThat(Golden.sorted(Json.read("{\"b\":1,\"a\":[2,1]}")))
                .isEqualTo(Golden.sorted(Json.read("{\"a\":[2,1],\"b\":1}")))
                .isNotEqualTo(Golden.sorted(Json.read("{\"a\":[1,2],\"b\":1}")));
        assertThat(Json.pretty(Golden.sorted(Json.read("{\"b\":1,\"a\":0}")))).startsWith("{\n  \"a\"");
    }
}
