package dev.agentcommander.controlplane.db;

import java.nio.file.Path;

/** Test helper run in a child JVM: starts an embedded Postgres and waits to be killed with -9. */
public final class OrphanMaker {
    private OrphanMaker() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedDatabase.start(Path.of(args[0]));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
    }
}
