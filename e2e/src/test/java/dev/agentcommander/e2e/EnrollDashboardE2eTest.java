package dev.agentcommander.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentcommander.controlplane.auth.Role;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Hosts page's "Add host" (issue 19): an admin gets the one line to paste on the dev box, with a copy button,
 * on a desktop and on a phone; the line works (a fresh box enrolled with it shows up on the page); a viewer gets
 * no such button.
 */
class EnrollDashboardE2eTest {
    @TempDir
    static Path dir;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(dir);
        stack.startDatabase();
        stack.startControlPlane();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    private static String addHost(Chrome c, String name) {
        // signIn waits for the header; the hosts page draws its form after its own fetch (a CI run looked too soon)
        c.until("add-host form shown", d -> !c.all("form.add input").isEmpty());
        if (name != null) {
            c.find("form.add input").sendKeys(name);
        }
        c.driver.findElement(By.xpath("//button[text()='Add host']")).click();
        c.until("enrollment line shown", d -> !c.all(".secret code").isEmpty());
        return c.find(".secret code").getText();
    }

    @Test
    void anAdminGetsTheOneLineOnADesktopAndAPhoneAndTheLineEnrollsTheBox() throws Exception {
        String line;
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.ADMIN, "/hosts")) {
            line = addHost(c, "dash-box");
            assertThat(line).matches(DevBox.LINE)
                    .startsWith("curl -fsSL " + stack.baseUrl() + "/install.sh | sh -s -- ");
            assertThat(c.find(".secret").getText()).contains("To add dash-box").contains("works once")
                    .contains("JDK 21");
            assertThat(c.buttons()).contains("Copy", "Done");
            c.screenshot("hosts-enroll-desktop");

            EnrollE2eTest.assumeAgentdPackaged();
            DevBox.Result r = new DevBox(dir.resolve("box")).install(line);
            assertThat(r.exit()).as(r.output()).isZero();
            c.until("the enrolled host listed", Duration.ofSeconds(30),
                    d -> c.find(".hosts").getText().contains("dash-box"));
        }
    }

    @Test
    void onAPhoneTheLineFitsAndItsButtonsAreTouchSized() throws Exception {
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.PHONE).signIn(Role.ADMIN, "/hosts")) {
            assertThat(addHost(c, null)).matches(DevBox.LINE);
            assertThat((Long) c.js(DashboardE2eTest.NO_SIDEWAYS)).as("no horizontal scroll at 390 px")
                    .isLessThanOrEqualTo(0L);
            assertThat(c.all(".secret button, form.add button").stream().filter(WebElement::isDisplayed)
                    .map(b -> (long) b.getSize().height).toList()).isNotEmpty()
                    .allSatisfy(h -> assertThat(h).isGreaterThanOrEqualTo(44L));
            c.screenshot("hosts-enroll-phone");
        }
    }

    @Test
    void aViewerGetsNoAddHost() throws Exception {
        try (Chrome c = new Chrome(stack.baseUrl(), Chrome.DESKTOP).signIn(Role.VIEWER, "/hosts")) {
            c.until("page shown", d -> !c.all(".hosts").isEmpty());
            assertThat(c.buttons()).doesNotContain("Add host", "Register with a token");
        }
    }
}
