package dev.agentcommander.e2e;

import dev.agentcommander.controlplane.auth.LoginLinks;
import dev.agentcommander.controlplane.auth.Role;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One real headless Chromium (Debian's {@code chromium} driven by Debian's {@code chromedriver}: Selenium never
 * downloads a driver here), signed in to the dashboard through a one-time local link for a role, as
 * {@code ./commander login-link --role} would print it.
 */
final class Chrome implements AutoCloseable {
    static final Dimension DESKTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);

    final ChromeDriver driver;
    private final String base;

    Chrome(String base, Dimension size) {
        this.base = base;
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=" + size.width + "," + size.height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        viewport(size);
    }

    /** Sets the page's viewport (not the window) to {@code size}, so 390×844 is what the page gets. */
    void viewport(Dimension size) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of("width", size.width,
                "height", size.height, "deviceScaleFactor", 1, "mobile", size.width < 600));
    }

    /** Opens the one-time sign-in link for {@code role} (minted with the control plane's secret) and lands. */
    Chrome signIn(Role role, String next) {
        LoginLinks links = new LoginLinks(Stack.JWT_SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
        driver.get(base + "/auth/link?code=" + links.mint(role));
        try {
            until("signed in", Duration.ofSeconds(30), d -> d.findElements(By.cssSelector("#who .role")).size() == 1);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("not signed in: at " + driver.getCurrentUrl() + ": "
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
        if (next != null) {
            driver.get(base + next);
            until("page " + next, d -> d.findElements(By.cssSelector("#who .role")).size() == 1);
        }
        return this;
    }

    WebElement until(String what, java.util.function.Function<ChromeDriver, Boolean> ok) {
        return until(what, Duration.ofSeconds(15), ok);
    }

    WebElement until(String what, Duration timeout, java.util.function.Function<ChromeDriver, Boolean> ok) {
        // a live page redraws its lists: an element found a moment ago may be gone, which is "not yet", not an error
        new WebDriverWait(driver, timeout).withMessage(what).ignoring(StaleElementReferenceException.class)
                .until(d -> ok.apply(driver) ? Boolean.TRUE : null);
        return null;
    }

    /** The text of the first element matching {@code css}, read in one step (a redraw cannot come between). */
    String text(String css) {
        Object t = js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css);
        if (t == null) {
            throw new org.openqa.selenium.NoSuchElementException("no element " + css);
        }
        return (String) t;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object asyncJs(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** The buttons on the page, by their text. */
    List<String> buttons() {
        return all("button").stream().filter(WebElement::isDisplayed).map(WebElement::getText).toList();
    }

    /** A PNG of the viewport, under target/screenshots (the README's pictures are copied from there). */
    Path screenshot(String name) throws Exception {
        Path out = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(out.getParent());
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
