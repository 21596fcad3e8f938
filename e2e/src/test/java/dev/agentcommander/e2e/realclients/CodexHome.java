package dev.agentcommander.e2e.realclients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CODEX_HOME of the test's own whose config.toml sends every model call to a {@link FakeResponses} (a custom
 * {@code [model_providers.fake]} with {@code wire_api = "responses"}), with update checks and analytics off, and
 * the retry counts the test asks for. The environment Codex runs with is built here too: nothing of the
 * developer's HOME, and proxies that point at a closed port so any call not to the fake goes nowhere.
 */
public final class CodexHome {
    private final Path home;
    private final FakeResponses api;

    public CodexHome(Path dir, FakeResponses api, int retries) {
        this.home = dir;
        this.api = api;
        String toml = """
                model = "gpt-5.5"
                model_provider = "fake"
                check_for_update_on_startup = false

                [analytics]
                enabled = false

                [model_providers.fake]
                name = "fake"
                base_url = "%s/v1"
                wire_api = "responses"
                env_key = "FAKE_OPENAI_API_KEY"
                request_max_retries = %d
                stream_max_retries = %d
                stream_idle_timeout_ms = 10000
                """.formatted(api.origin(), retries, retries);
        try {
            Files.createDirectories(home);
            Files.writeString(home.resolve("config.toml"), toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return home;
    }

    public FakeResponses api() {
        return api;
    }

    /** The whole environment of a Codex process. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("CODEX_HOME", home.toString());
        env.put("SHELL", "/bin/bash");
        env.put("LANG", "C.UTF-8");
        env.put("FAKE_OPENAI_API_KEY", "sk-fake-e2e");
        env.put("HTTPS_PROXY", "http://127.0.0.1:9");
        env.put("HTTP_PROXY", "http://127.0.0.1:9");
        env.put("NO_PROXY", "127.0.0.1,localhost");
        return env;
    }
}
