package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.auth.Secrets;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.controlplane.testkit.TestClock;
import dev.agentcommander.controlplane.testkit.WsClient;
import dev.agentcommander.schema.Enrollment;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One-time enrollment codes: made by admins only, traded once for a host token, refused clearly otherwise. */
class EnrollTest {
    private static final TestClock clock = new TestClock();
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension(clock);

    private static JsonNode makeCode(String body) {
        Reply r = cp.post("/v1/hosts/enroll-codes", cp.admin(), body);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.body();
    }

    private static Reply enroll(String code, String hostName) {
        return cp.post("/v1/enroll", null, "{\"code\":\"" + code + "\",\"host_name\":\"" + hostName + "\"}");
    }

    private static long hostsNamed(String name) {
        return cp.count("SELECT count(*) FROM hosts WHERE name = '" + name + "'");
    }

    @Test
    void anAdminsCodeComesWithTheOneLineCommandAndOnlyItsHashIsStored() {
        JsonNode c = makeCode("{}");
        String code = c.get("code").asText();
        assertThat(code).matches(Enrollment.CODE);
        assertThat(c.get("command").asText()).isEqualTo("curl -fsSL http://127.0.0.1:" + cp.port()
                + "/install.sh | sh -s -- " + code);
        assertThat(Duration.between(clock.instant(), java.time.Instant.parse(c.get("expires_at").asText())))
                .isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
        String id = c.get("id").asText();
        assertThat(cp.string("SELECT code_hash FROM enroll_codes WHERE id = '" + id + "'"))
                .isEqualTo(Secrets.sha256Hex(code));
        assertThat(cp.count("SELECT count(*) FROM enroll_codes WHERE code_hash = '" + code + "'")).isZero();
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'host.enroll_code.create' AND target = '"
                + id + "' AND actor = 'alice'")).isEqualTo(1);
    }

    @Test
    void viewersAndOperatorsCannotMakeCodes() {
        long before = cp.count("SELECT count(*) FROM enroll_codes");
        for (String token : List.of(cp.viewer(), cp.operator())) {
            Reply r = cp.post("/v1/hosts/enroll-codes", token, "{}");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.body().at("/error/code").asText()).isEqualTo("forbidden");
        }
        assertThat(cp.post("/v1/hosts/enroll-codes", null, "{}").status()).isEqualTo(401);
        assertThat(cp.count("SELECT count(*) FROM enroll_codes")).isEqualTo(before);
    }

    @Test
    void aCodeWorksOnceAndItsTokenConnectsTheHost() {
        String code = makeCode("{}").get("code").asText();
        Reply first = enroll(code, "enrolled-once");
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        String hostId = first.body().at("/host/id").asText();
        assertThat(first.body().at("/host/name").asText()).isEqualTo("enrolled-once");
        try (WsClient agent = cp.agent(first.body().get("token").asText(), "enrolled-once", 0)) {
            assertThat(cp.count("SELECT count(*) FROM hosts WHERE id = '" + hostId
                    + "' AND connected_epoch IS NOT NULL"))
                    .as("the enrolled host's token is accepted on the agent socket").isEqualTo(1);
        }
        assertThat(cp.string("SELECT host_id FROM enroll_codes WHERE code_hash = '" + Secrets.sha256Hex(code) + "'"))
                .isEqualTo(hostId);
        assertThat(cp.count("SELECT count(*) FROM audit_log WHERE action = 'host.enroll' AND target = '" + hostId
                + "'")).isEqualTo(1);

        Reply second = enroll(code, "enrolled-twice");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.body().at("/error/code").asText()).isEqualTo(Enrollment.USED);
        assertThat(second.body().at("/error/message").asText()).contains("used already");
        assertThat(hostsNamed("enrolled-twice")).as("no second host").isZero();
        assertThat(hostsNamed("enrolled-once")).isEqualTo(1);
    }

    @Test
    void anExpiredCodeIsRefusedAndMakesNoHost() {
        String code = makeCode("{\"ttl_seconds\":60}").get("code").asText();
        clock.advance(Duration.ofSeconds(61));
        Reply r = enroll(code, "too-late");
        assertThat(r.status()).isEqualTo(410);
        assertThat(r.body().at("/error/code").asText()).isEqualTo(Enrollment.EXPIRED);
        assertThat(hostsNamed("too-late")).isZero();
    }

    @Test
    void unknownAndMalformedCodesAreRefusedClearly() {
        Reply unknown = enroll(Enrollment.CODE_PREFIX + "A".repeat(43), "nobody");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().at("/error/code").asText()).isEqualTo(Enrollment.UNKNOWN);
        Reply malformed = enroll("ace_$(reboot)", "nobody");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().at("/error/message").asText()).startsWith("code:");
        Reply badName = enroll(makeCode("{}").get("code").asText(), "bad name;rm");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.body().at("/error/message").asText()).startsWith("host_name");
        assertThat(hostsNamed("nobody")).isZero();
        assertThat(cp.post("/v1/hosts/enroll-codes", cp.admin(), "{\"ttl_seconds\":5}").status()).isEqualTo(400);
        assertThat(cp.post("/v1/hosts/enroll-codes", cp.admin(), "{\"ttl_seconds\":\"60\"}").status()).isEqualTo(400);
        assertThat(cp.post("/v1/hosts/enroll-codes", cp.admin(), "{\"name\":\"../x\"}").status()).isEqualTo(400);
    }

    @Test
    void aCodeThatNamesTheHostGivesThatNameAndATakenNameLeavesTheCodeUnspent() {
        String named = makeCode("{\"name\":\"named-by-admin\"}").get("code").asText();
        Reply r = enroll(named, "what-the-box-says");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().at("/host/name").asText()).isEqualTo("named-by-admin");
        assertThat(hostsNamed("what-the-box-says")).isZero();
        assertThat(cp.post("/v1/hosts/enroll-codes", cp.admin(), "{\"name\":\"named-by-admin\"}").status())
                .as("a code for a name that is taken").isEqualTo(409);

        String code = makeCode("{}").get("code").asText();
        Reply taken = enroll(code, "named-by-admin");
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body().at("/error/message").asText()).contains("named-by-admin exists");
        assertThat(enroll(code, "second-choice").status()).as("the refused attempt did not spend the code")
                .isEqualTo(201);
    }

    @Test
    void twoBoxesRacingOneCodeMakeExactlyOneHost() throws Exception {
        String code = makeCode("{}").get("code").asText();
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                String name = "racer-" + i;
                Callable<Integer> call = () -> {
                    go.await();
                    return enroll(code, name).status();
                };
                replies.add(pool.submit(call));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : replies) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(n - 1);
        }
        assertThat(cp.count("SELECT count(*) FROM hosts WHERE name LIKE 'racer-%'")).isEqualTo(1);
    }

    @Test
    void theInstallScriptNamesThisControlPlane() {
        HttpResponse<String> r = cp.rest().getText("/install.sh");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/x-shellscript");
        assertThat(r.body()).startsWith("#!/bin/sh\n").contains("URL='http://127.0.0.1:" + cp.port() + "'")
                .doesNotContain("@CONTROL_PLANE_URL@");
    }
}
