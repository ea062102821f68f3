package io.autoglm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HpoCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = AutoGlmCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void bench_writesOneCsvRowPerTrial_summaryAndPlot(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("out.csv");
        Path png = dir.resolve("plot.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "hpo", "bench", "--function", "branin,ackley5", "--sampler", "tpe,random", "--trials", "12",
                "--seeds", "2", "--csv", csv.toString(), "--plot", png.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("function,sampler,seed,trial,best_so_far,elapsed_seconds");
        assertThat(lines).hasSize(1 + 2 * 2 * 2 * 12);
        assertThat(lines.get(1)).startsWith("branin,tpe,0,0,");
        // best-so-far never increases within a run
        double prev = Double.POSITIVE_INFINITY;
        for (String l : lines.subList(1, 13)) {
            double v = Double.parseDouble(l.split(",")[4]);
            assertThat(v).isLessThanOrEqualTo(prev).isGreaterThanOrEqualTo(0.397887);
            prev = v;
        }
        assertThat(out.toString()).contains("| branin | tpe | 2 |").contains("| ackley5 | random | 2 |");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isGreaterThan(400);
    }

    @Test
    void bench_unknownFunctionOrSampler_isABadInputError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(run(out, err, "hpo", "bench", "--function", "sphere")).isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("unknown function 'sphere'");
        assertThat(run(out, err, "hpo", "bench", "--sampler", "cmaes")).isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
        assertThat(run(out, err, "hpo", "bench", "--storage", "sqlite:/tmp/x.db", "--trials", "1", "--seeds", "1"))
                .isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
    }

    @Test
    void functions_haveTheirKnownMinima() {
        assertThat(HpoBenchmarkFunction.BRANIN.value(new double[] {Math.PI, 2.275})).isCloseTo(0.397887, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(HpoBenchmarkFunction.HARTMANN6.value(new double[] {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}))
                .isCloseTo(-3.32237, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(HpoBenchmarkFunction.ROSENBROCK5.value(new double[] {1, 1, 1, 1, 1})).isZero();
        double[] st = new double[8];
        java.util.Arrays.fill(st, -2.903534);
        assertThat(HpoBenchmarkFunction.STYBLINSKI_TANG8.value(st)).isCloseTo(HpoBenchmarkFunction.STYBLINSKI_TANG8.minimum,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(HpoBenchmarkFunction.ACKLEY5.value(new double[5])).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-12));
    }
}
