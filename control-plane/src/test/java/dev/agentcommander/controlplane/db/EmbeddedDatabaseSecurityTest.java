package dev.agentcommander.controlplane.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, High 1–2: the embedded Postgres is no longer open to every local user, and nobody else can swap the
 * binaries it runs. Each test reproduces the attack (a connection without the password, a binaries directory
 * another user may write or owns) and shows it now fails to do harm.
 */
class EmbeddedDatabaseSecurityTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionWithoutThePasswordIsRefusedAndOneWithItWorks() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("pg"))) {
            String bare = "jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?user=postgres";
            assertThatThrownBy(() -> DriverManager.getConnection(bare).close())
                    .as("no password: what any local user could try").isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            assertThatThrownBy(() -> DriverManager.getConnection(bare + "&password=guess").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl());
                 var rs = c.createStatement().executeQuery("SELECT current_user")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("postgres");
            }
            assertThat(nonCommentLines(db.dataDir().resolve("pg_hba.conf")))
                    .isNotEmpty().allSatisfy(l -> assertThat(l).endsWith("scram-sha-256").doesNotContain("trust"));
            Path pw = dir.resolve("pg-password");
            assertThat(Files.readString(pw).trim()).hasSizeGreaterThanOrEqualTo(43);
            assertThat(mode(pw)).isEqualTo("rw-------");
            assertThat(mode(db.dataDir())).isEqualTo("rwx------");
            assertThat(mode(Path.of(System.getProperty("ot.epg.working-dir")))).isEqualTo("rwx------");
        }
    }

    @Test
    void aTrustDataDirectoryMadeByAnOlderVersionIsGivenAPasswordInPlaceAndKeepsItsData() throws Exception {
        Path data = dir.resolve("pg");
        // what the zonky-based versions did: initdb -A trust, listening on localhost
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(dir.resolve("zonky-bin").toFile()).start();
             Connection c = old.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before upgrade')");
        }
        assertThat(Files.readString(data.resolve("pg_hba.conf"))).contains("trust");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data)) {
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.port()
                    + "/postgres?user=postgres").close()).isInstanceOf(SQLException.class);
            try (Connection c = DriverManager.getConnection(db.jdbcUrl());
                 var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("before upgrade");
            }
            assertThat(Files.readString(data.resolve("pg_hba.conf"))).isEqualTo(PgDataDir.HBA);
        }
        try (EmbeddedDatabase again = EmbeddedDatabase.start(data);
             Connection c = DriverManager.getConnection(again.jdbcUrl())) {
            assertThat(c.isValid(1)).as("the next start uses the same password").isTrue();
        }
    }

    @Test
    void aLostPasswordFileIsReplacedAndTheNewPasswordWorks() throws Exception {
        Path data = dir.resolve("pg");
        String first;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data)) {
            first = db.jdbcUrl();
        }
        Files.delete(dir.resolve("pg-password"));
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data);
             Connection c = DriverManager.getConnection(db.jdbcUrl())) {
            assertThat(c.isValid(1)).isTrue();
            assertThat(db.jdbcUrl()).isNotEqualTo(first);
        }
    }

    @Test
    void aBinariesDirectoryOthersCouldWriteIsEmptiedAndRebuiltPrivateSoNothingPlantedInItRuns() throws Exception {
        for (String mode : List.of("rwxrwxrwx", "rwxrwx---")) {
            Path bin = Files.createDirectory(dir.resolve("bin-" + mode.replace("-", "_")));
            Path planted = Files.createDirectories(bin.resolve("postgres-planted/bin")).resolve("postgres");
            Files.writeString(planted, "#!/bin/sh\necho owned\n");
            Files.createSymbolicLink(bin.resolve("link-out"), dir); // must be removed, not followed
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString(mode));
            PostgresBinaries b = PostgresBinaries.prepare(bin);
            assertThat(mode(bin)).isEqualTo("rwx------");
            assertThat(planted).doesNotExist();
            assertThat(bin.resolve("link-out")).doesNotExist();
            assertThat(dir).isDirectory();
            assertThat(b.home().getParent()).isEqualTo(bin.toAbsolutePath());
            assertThat(b.home().resolve("bin/postgres")).isExecutable();
        }
    }

    @Test
    void aBinariesDirectoryOwnedByAnotherUserIsRefused() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin-nobody"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(bin, "unix:uid", 65534); // tests run as root here: chown to nobody
        assertThatThrownBy(() -> PostgresBinaries.prepare(bin)).isInstanceOf(StartupException.class)
                .hasMessageContaining("owned by uid 65534");
    }

    @Test
    void aDataDirIsCreatedPrivateAnOpenOneIsTightenedAndOneOfAnotherUserIsRefused() throws Exception {
        Path fresh = PrivateDirs.ensure(dir.resolve("new/data"), "DATA_DIR");
        assertThat(mode(fresh)).isEqualTo("rwx------");
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateDirs.ensure(open, "DATA_DIR");
        assertThat(mode(open)).isEqualTo("rwx------");
        Path foreign = Files.createDirectory(dir.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        assertThatThrownBy(() -> PrivateDirs.ensure(foreign, "DATA_DIR")).isInstanceOf(StartupException.class)
                .hasMessageStartingWith("DATA_DIR " + foreign).hasMessageContaining("owned by uid 65534");
    }

    private static List<String> nonCommentLines(Path f) throws Exception {
        return Files.readAllLines(f).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
