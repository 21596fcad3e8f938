package dev.agentcommander.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schema} is the contract both sides compile against, so it depends on nothing but the JDK and Jackson.
 * Maven already keeps agentd and the control plane out (they are not on schema's classpath); this test keeps out
 * every other library, so a dependency added to schema's POM cannot be used without changing this rule.
 */
class ImportRulesTest {
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?;",
            Pattern.MULTILINE);
    private static final List<String> ALLOWED = List.of("java.", "com.fasterxml.jackson.",
            "dev.agentcommander.schema.");

    @Test
    void schemaImportsOnlyTheJdkAndJackson() throws IOException {
        assertThat(violations(Path.of("src/main/java"))).as("schema may depend only on the JDK and Jackson")
                .isEmpty();
    }

    @Test
    void theRuleCatchesAForeignImport(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("Bad.java"), "package dev.agentcommander.schema;\n"
                + "import java.util.List;\nimport io.helidon.http.Headers;\nimport static org.slf4j.Log.*;\n");
        assertThat(violations(dir)).containsExactly(dir.resolve("Bad.java") + ": io.helidon.http.Headers",
                dir.resolve("Bad.java") + ": org.slf4j.Log");
    }

    static List<String> violations(Path root) throws IOException {
        List<String> offending = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    if (ALLOWED.stream().noneMatch(m.group(1)::startsWith)) {
                        offending.add(f + ": " + m.group(1));
                    }
                }
            }
        }
        return offending;
    }
}
