package io.autoglm.cli;

import static io.autoglm.cli.AutoGlmCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Progress} off a terminal: plain lines with the amount, the elapsed time, the time left and the rate. */
class ProgressTest {
    /** "(elapsed / left)" as h:mm:ss, then the rate per second. */
    private static final String TIMES_AND_RATE = "\\(\\d+:\\d\\d:\\d\\d / (\\d+:\\d\\d:\\d\\d|\\?)\\) (\\?|[0-9.]+)";

    @AfterEach
    void clearMode() {
        System.clearProperty("autoglm.progress");
    }

    @Test
    void plain_printsWholeLinesPeriodically_withRateAndTimeLeft_andALastOneAtTheEnd() throws Exception {
        StringWriter sw = new StringWriter();
        PrintWriter err = new PrintWriter(sw);
        try (Progress p = Progress.start(err, "eval", 20, Progress.Unit.of("windows"), Progress.Mode.PLAIN,
                Duration.ofMillis(20), Duration.ZERO)) {
            for (int done : new int[] {5, 10, 15}) {
                p.stepTo(done);
                // the periodic lines come from the library's timer: wait (bounded) until it has shown this step
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!shown(sw, done) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(shown(sw, done)).as(sw.toString()).isTrue();
            }
            p.stepTo(20);
        }
        String out = sw.toString();
        assertThat(out).doesNotContain("\r");
        List<String> lines = out.lines().toList();
        assertThat(lines.size()).as(out).isGreaterThanOrEqualTo(4);
        for (String line : lines) {
            assertThat(line).as(out).startsWith("eval ").containsPattern("\\d+/20 windows " + TIMES_AND_RATE + " windows/s");
        }
        assertThat(lines).as("each state once").doesNotHaveDuplicates();
        assertThat(lines.getLast()).contains("100%").contains("20/20 windows").containsPattern("/ 0:00:00\\)");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(" 25%").contains(" 5/20 windows"));
    }

    private static boolean shown(StringWriter sw, int done) {
        synchronized (sw) {
            return sw.toString().contains(String.format("%2d/20 windows", done));
        }
    }

    @Test
    void auto_showsNothingForWorkShorterThanTheDelay_andOffShowsNothing() {
        StringWriter sw = new StringWriter();
        try (Progress p = Progress.start(new PrintWriter(sw), "quick", 3, Progress.Unit.of("steps"), Progress.Mode.PLAIN,
                Duration.ofMillis(10), Duration.ofHours(1))) {
            p.stepTo(3);
        }
        try (Progress p = Progress.start(new PrintWriter(sw), "off", 3, Progress.Unit.of("steps"), Progress.Mode.OFF,
                Duration.ofMillis(10), Duration.ZERO)) {
            p.stepTo(3);
        }
        assertThat(sw.toString()).isEmpty();
    }

    @Test
    void println_withoutABar_printsTheLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (Progress p = Progress.start(new PrintWriter(err), "x", 2, Progress.Unit.of(""), Progress.Mode.OFF,
                Duration.ofMillis(10), Duration.ZERO)) {
            p.println(new PrintWriter(out), "epoch 1");
        }
        assertThat(out.toString()).isEqualTo("epoch 1" + System.lineSeparator());
    }

    @Test
    void bytes_areCountedInMegabytesFrom100MB_elseInKilobytes() {
        assertThat(Progress.bytes(99_999_999)).isEqualTo(Progress.KILOBYTES);
        assertThat(Progress.bytes(100_000_000)).isEqualTo(Progress.MEGABYTES);
        assertThat(Progress.bytes(-1)).isEqualTo(Progress.MEGABYTES);
    }

    @Test
    void mode_isReadFromThePropertyAndABadValueNamesTheVariable() {
        System.setProperty("autoglm.progress", "PLAIN");
        assertThat(Progress.mode()).isEqualTo(Progress.Mode.PLAIN);
        System.setProperty("autoglm.progress", "off");
        assertThat(Progress.mode()).isEqualTo(Progress.Mode.OFF);
        System.setProperty("autoglm.progress", "fancy");
        org.assertj.core.api.Assertions.assertThatThrownBy(Progress::mode)
                .hasMessage("AUTOGLM_PROGRESS must be auto, bar, plain or off, was 'fancy'");
    }

    /** The long commands report progress on stderr (here forced to plain lines, which shows them from the start). */
    @Test
    void longCommands_printPlainProgressOnStderr_andKeepStdoutClean(@TempDir Path tmp) throws Exception {
        System.setProperty("autoglm.progress", "plain");
        String stories = TestModels.stories260K().toString();
        Path q8 = tmp.resolve("q8.gguf");
        AutoGlmCliTest.Run q = run("quantize", stories, q8.toString(), "--type", "Q8_0", "--json");
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(q.out().strip().lines()).hasSize(1);
        // stories260K is 1.2 MB: counted in kB (whole megabytes would read 1/1 MB)
        assertThat(q.err().lines().toList().getLast()).startsWith("quantize 100%").containsPattern(" \\d{3,4}/\\d{3,4} kB ")
                .containsPattern(TIMES_AND_RATE + " kB/s");

        AutoGlmCliTest.Run e = run("eval", "--base", stories, "--quantized", q8.toString(), "--text",
                TestModels.text().toString(), "--ctx", "64", "--max-windows", "3", "--json");
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(e.err().lines().toList().getLast()).startsWith("eval 100%").contains("3/3 windows")
                .containsPattern(TIMES_AND_RATE + " windows/s");

        AutoGlmCliTest.Run h = run("hpo", "bench", "--function", "branin", "--sampler", "random", "--trials", "5",
                "--seeds", "2");
        assertThat(h.exit()).as(h.err()).isZero();
        assertThat(h.out()).contains("[1/2] branin").contains("[2/2] branin"); // per-run lines stay on stdout
        assertThat(h.err().lines().toList().getLast()).startsWith("hpo bench 100%").contains("2/2 runs");

        TestModels.datasetsDir();
        AutoGlmCliTest.Run t = run("train", "--dataset", "breast_cancer", "--model", "softmax", "--epochs", "3", "--json");
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(t.err().lines().toList().getLast()).startsWith("train 100%").contains("3/3 epochs")
                .containsPattern(TIMES_AND_RATE + " epochs/s val_acc 0\\.\\d{4}");
    }
}
