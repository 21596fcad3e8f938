package dev.agentcommander.agentd.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Chronicle flags agentd's launcher passes, for tests that start agentd as a process of their own: the common
 * argfile, plus the JDK-23-only one when this JVM is 23 or newer — the launcher's rule, kept in one test helper.
 */
public final class JvmArgs {
    private JvmArgs() {
    }

    /** {@code @dir/chronicle.args} (and {@code @dir/chronicle-jdk23.args} on JDK 23+) for this JVM. */
    public static List<String> chronicle(Path dir) {
        List<String> flags = new ArrayList<>(List.of("@" + dir.resolve("chronicle.args")));
        if (Runtime.version().feature() >= 23) {
            flags.add("@" + dir.resolve("chronicle-jdk23.args"));
        }
        return flags;
    }
}
