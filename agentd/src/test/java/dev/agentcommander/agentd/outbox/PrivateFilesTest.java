package dev.agentcommander.agentd.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Item 11: agentd's state (console bytes, prompts, tool input) is readable by its own user only. */
class PrivateFilesTest {
    @TempDir
    Path tmp;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static void chmod(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    @Test
    void anOldStateDirIsClosedToOthersWithoutFollowingLinksOut() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state/outbox"));
        state = state.getParent();
        chmod(state, "rwxr-xr-x");
        chmod(state.resolve("outbox"), "rwxrwxrwx");
        Path acked = Files.writeString(state.resolve("acked"), "1");
        chmod(acked, "rw-rw-rw-");
        Path lib = Files.writeString(Files.createDirectories(state.resolve("tmp")).resolve("lib.so"), "x");
        chmod(lib, "rwxr-xr-x");
        Path outside = Files.writeString(tmp.resolve("outside"), "someone's");
        chmod(outside, "rw-r--r--");
        Files.createSymbolicLink(state.resolve("link"), outside);

        PrivateFiles.secureDirectoryTree(state, "storage.state_dir");

        assertThat(mode(state)).isEqualTo("rwx------");
        assertThat(mode(state.resolve("outbox"))).isEqualTo("rwx------");
        assertThat(mode(state.resolve("tmp"))).isEqualTo("rwx------");
        assertThat(mode(acked)).isEqualTo("rw-------");
        assertThat(mode(lib)).as("owner bits kept").isEqualTo("rwx------");
        assertThat(mode(outside)).as("a link is not followed").isEqualTo("rw-r--r--");
    }

    @Test
    void theOutboxAndStateFilesAreCreatedPrivateWhateverTheUmask() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state")); // umask 022 here: 0755
        try (Outbox o = new Outbox(state, 1 << 24, Clock.systemUTC())) {
            o.send(new dev.agentcommander.schema.AgentMessage.EventsAppend(null, "e", null));
            o.ack(1);
        }
        StateFiles.writeAtomically(state.resolve("sessions.json"), "[]");
        List<String> open = new ArrayList<>();
        try (var all = Files.walk(state.resolve("outbox"))) {
            for (Path p : all.toList()) {
                if (!mode(p).endsWith("------")) {
                    open.add(p.getFileName() + " " + mode(p));
                }
            }
        }
        assertThat(open).isEmpty();
        assertThat(mode(state.resolve("outbox"))).isEqualTo("rwx------");
        assertThat(mode(state.resolve("sessions.json"))).isEqualTo("rw-------");
        assertThat(mode(state.resolve("acked"))).isEqualTo("rw-------");
        try (var files = Files.list(state.resolve("outbox"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".cq4"));
        }
    }

    @Test
    void aSocketDirectoryMustBeOursAndClosedToOthers() throws Exception {
        Path made = tmp.resolve("run/agentd");
        PrivateFiles.requirePrivateDirectory(made, "hooks.socket");
        assertThat(mode(made)).isEqualTo("rwx------");
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        chmod(shared, "rwx--x--x");
        assertThatThrownBy(() -> PrivateFiles.requirePrivateDirectory(shared, "hooks.socket"))
                .hasMessageStartingWith("hooks.socket: ").hasMessageContaining("open to group or others");
        assertThat(mode(shared)).as("not changed: reported").isEqualTo("rwx--x--x");
    }

    @Test
    void aDirectoryAnotherUserOwnsIsRefused() throws Exception {
        Assumptions.assumeTrue(PrivateFiles.myUid() == 0, "needs root to give a directory away");
        Path theirs = Files.createDirectories(tmp.resolve("theirs"));
        chmod(theirs, "rwx------");
        Files.setOwner(theirs, tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThatThrownBy(() -> PrivateFiles.secureDirectoryTree(theirs, "storage.state_dir"))
                .hasMessageStartingWith("storage.state_dir: ").hasMessageContaining("belongs to uid");
        assertThatThrownBy(() -> PrivateFiles.requirePrivateDirectory(theirs, "hooks.socket"))
                .hasMessageContaining("belongs to uid");
    }

    @Test
    void aTokenFileOthersCanReadIsReported() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "secret");
        chmod(token, "rw-r--r--");
        assertThat(PrivateFiles.exposure(token, "control_plane.token_file")).hasValueSatisfying(w ->
                assertThat(w).startsWith("control_plane.token_file: ").contains("every local user")
                        .contains("chmod 600"));
        chmod(token, "rw-r-----");
        assertThat(PrivateFiles.exposure(token, "control_plane.token_file")).hasValueSatisfying(w ->
                assertThat(w).contains("its group"));
        chmod(token, "rw-------");
        assertThat(PrivateFiles.exposure(token, "control_plane.token_file")).isEmpty();
        assertThat(PrivateFiles.exposure(tmp.resolve("missing"), "control_plane.token_file")).isEmpty();
    }
}
