package dev.agentcommander.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentcommander.controlplane.testkit.ControlPlaneExtension;
import dev.agentcommander.controlplane.testkit.RestClient.Reply;
import dev.agentcommander.schema.Json;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * openapi.json against the running server: every route the server registers (its {@link Routes} table) is an
 * operation in the document or listed in its {@code x-route-check}, and nothing is documented that the server does
 * not register. Each documented role is the role the server asks for.
 */
class OpenApiTest {
    @RegisterExtension
    static final ControlPlaneExtension cp = new ControlPlaneExtension();

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private static JsonNode document() throws Exception {
        try (InputStream in = RestApi.class.getClassLoader().getResourceAsStream(RestApi.OPENAPI)) {
            assertThat(in).as("openapi.json on the classpath").isNotNull();
            return Json.mapper().readTree(in);
        }
    }

    /** "METHOD path" of every operation in {@code paths}, and of every route {@code x-route-check} names. */
    private static Set<String> documented(JsonNode doc) {
        Set<String> out = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) {
                    out.add(m.toUpperCase() + " " + path.getKey());
                }
            });
        }
        for (JsonNode r : doc.at("/x-route-check/not-operations")) {
            out.add(r.get("method").asText() + " " + r.get("path").asText());
        }
        return out;
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws Exception {
        Set<String> registered = cp.controlPlane().routes().stream().map(r -> r.method() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(registered).as("registered routes").contains("GET /openapi.json", "GET /v1/sessions");
        Set<String> documented = documented(document());
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> notRegistered = new TreeSet<>(documented);
        notRegistered.removeAll(registered);
        assertThat(undocumented).as("registered but missing from openapi.json").isEmpty();
        assertThat(notRegistered).as("in openapi.json but not registered").isEmpty();
    }

    @Test
    void theDocumentIsServedWithoutATokenExactlyAsInTheRepository() throws Exception {
        HttpResponse<String> r = cp.rest().getText("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        String committed = Files.readString(Path.of("src/main/resources/openapi.json"), StandardCharsets.UTF_8);
        assertThat(r.body()).isEqualTo(committed);
        JsonNode doc = Json.mapper().readTree(r.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.1");
    }

    @Test
    void everyOperationAsksForTheRoleItDocumentsAndAnswersADocumentedStatus() throws Exception {
        JsonNode doc = document();
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                String method = op.getKey().toUpperCase();
                String url = path.getKey().replace("{id}", "x");
                String role = op.getValue().path("x-required-role").asText();
                assertThat(role).as(method + " " + path.getKey() + " x-required-role")
                        .isIn("none", "viewer", "operator", "admin");
                Reply anonymous = cp.call(method, url, null, null);
                assertThat(op.getValue().get("responses").has(String.valueOf(anonymous.status())))
                        .as(method + " " + url + " without a token answered " + anonymous.status()
                                + ", a status the document lists").isTrue();
                if (role.equals("none")) {
                    continue;
                }
                assertThat(anonymous.status()).as(method + " " + url + " without a token").isEqualTo(401);
                String below = role.equals("admin") ? cp.operator() : role.equals("operator") ? cp.viewer() : null;
                if (below != null) {
                    assertThat(cp.call(method, url, below, null).status())
                            .as(method + " " + url + " with the role below " + role).isEqualTo(403);
                }
                checked++;
            }
        }
        assertThat(checked).as("operations that need a role").isGreaterThan(10);
    }
}
