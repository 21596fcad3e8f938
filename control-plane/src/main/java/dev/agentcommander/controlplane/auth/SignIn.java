package dev.agentcommander.controlplane.auth;

/**
 * The parts of browser sign-in, built once in the wiring point and handed as one to the network packages: who
 * may sign in, the GitHub client, browser sessions, one-time links, and this site's origin.
 */
public record SignIn(SignInPolicy policy, GitHub github, BrowserSessions sessions, LoginLinks links,
                     WebOrigin origin) {
}
