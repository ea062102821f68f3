package io.autoglm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs gcc for tests that build small native programs or libraries. Without gcc such a test fails
 * when {@code CI=true} and is skipped (with the reason) elsewhere.
 */
public final class Gcc {
    private static volatile Boolean available;

    private Gcc() {
    }

    /** @return whether {@code gcc --version} runs */
    public static boolean available() {
        Boolean a = available;
        if (a == null) {
            try {
                Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                a = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                a = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                a = false;
            }
            available = a;
        }
        return a;
    }

    /**
     * Compiles with gcc and asserts success.
     *
     * @param args gcc's arguments
     * @param what what is being built, for the messages
     */
    public static void compile(List<String> args, String what) {
        if (!available()) {
            String msg = "gcc not found: cannot build " + what;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.assumeTrue(available(), msg);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("gcc");
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("gcc timed out building %s", what).isTrue();
            assertThat(p.exitValue()).as("gcc building %s: %s", what, out).isZero();
        } catch (IOException e) {
            throw new AssertionError("gcc failed to start building " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building " + what, e);
        }
    }
}
