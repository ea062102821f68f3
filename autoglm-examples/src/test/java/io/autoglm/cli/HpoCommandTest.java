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
        assertThat(out.toString()).contains("| branin | tpe | 2 |").contains("| ackley5 | random | 2 |")
                .contains("[8/8] ackley5").contains("plot written to " + png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(2 * 480);
    }

    @Test
    void bench_shortRuns_tableHasOneColumnPerBudget_noReference_andEveryCellFilled() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "hpo", "bench", "--function", "branin", "--sampler", "tpe,random", "--trials", "50",
                "--seeds", "2");
        assertThat(code).as(err.toString()).isZero();
        List<String> table = out.toString().lines().filter(l -> l.startsWith("|")).toList();
        assertThat(table.get(0)).isEqualTo("| function | sampler | seeds | median regret @50 | sampler CPU ms/trial (mean) | "
                + "sampler CPU ms/trial (last 10) |");
        assertThat(table).hasSize(4);
        for (String row : table) {
            String[] cells = row.split("\\|", -1);
            assertThat(cells).as(row).hasSize(8); // "", six cells, ""
            assertThat(List.of(cells).subList(1, 7)).as(row).allSatisfy(c -> assertThat(c).isNotBlank());
        }
        assertThat(out.toString()).contains("reference numbers are medians after 100 trials; these runs have 50")
                .doesNotContain("Optuna 3.1 TPE");
    }

    @Test
    void bench_runsOfTheReferenceLength_areComparedAtThatBudget_withARatio() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "hpo", "bench", "--function", "branin", "--sampler", "random", "--trials", "120",
                "--seeds", "1");
        assertThat(code).as(err.toString()).isZero();
        List<String> table = out.toString().lines().filter(l -> l.startsWith("|")).toList();
        assertThat(table.get(0)).isEqualTo("| function | sampler | seeds | median regret @50 | median regret @120 | "
                + "median regret @100 | Optuna 3.1 TPE @100 | Optuna 3.1 random @100 | ratio to Optuna TPE @100 | "
                + "sampler CPU ms/trial (mean) | sampler CPU ms/trial (last 10) |");
        String[] cells = table.get(2).split("\\|", -1);
        assertThat(cells).hasSize(13);
        double at100 = Double.parseDouble(cells[6].trim());
        assertThat(Double.parseDouble(cells[7].trim())).isEqualTo(0.0163);
        assertThat(Double.parseDouble(cells[8].trim())).isEqualTo(0.198);
        assertThat(Double.parseDouble(cells[9].trim())).isCloseTo(at100 / 0.0163, org.assertj.core.api.Assertions.withinPercentage(0.6));
        assertThat(Double.parseDouble(cells[5].trim())).isLessThanOrEqualTo(at100);
    }

    @Test
    void bench_json_isOneCompactSnakeCaseObject_andRunLinesGoToStderr(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path png = dir.resolve("p.png");
        int code = run(out, err, "hpo", "bench", "--function", "branin", "--sampler", "tpe-univariate,grid", "--trials", "12",
                "--seeds", "2", "--json", "--plot", png.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString().strip()).doesNotContain("\n").startsWith("{").endsWith("}");
        assertThat(err.toString()).contains("[4/4] branin");
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(root.get("trials").asInt()).isEqualTo(12);
        assertThat(root.get("reference_trials").asInt()).isEqualTo(100);
        assertThat(root.get("plot").asText()).isEqualTo(png.toString());
        assertThat(root.get("summary")).hasSize(2);
        com.fasterxml.jackson.databind.JsonNode row = root.get("summary").get(0);
        assertThat(row.get("function").asText()).isEqualTo("branin");
        assertThat(row.get("sampler").asText()).isEqualTo("tpe-univariate");
        assertThat(row.has("optuna_tpe_regret")).as("12-trial runs are not compared with 100-trial numbers").isFalse();
        assertThat(root.get("runs")).hasSize(4);
        assertThat(root.get("runs").get(3).get("seed").asInt()).isEqualTo(1);
        List<String> keys = new java.util.ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        row.fieldNames().forEachRemaining(keys::add);
        root.get("runs").get(0).fieldNames().forEachRemaining(keys::add);
        assertThat(keys).allSatisfy(k -> assertThat(k).matches("[a-z0-9_]+"));
        double median = (root.get("runs").get(0).get("final_regret").asDouble() + root.get("runs").get(1).get("final_regret").asDouble()) / 2;
        assertThat(row.get("median_regret").asDouble()).isCloseTo(median, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void bench_loop_tellsAListenerAfterEveryRun_withDoneAndTotal() {
        HpoCommand.Bench bench = new HpoCommand.Bench();
        bench.seeds = 3;
        bench.trials = 5;
        bench.firstSeed = 7;
        List<String> calls = new java.util.ArrayList<>();
        try (io.autoglm.automl.storage.Storage storage = new io.autoglm.automl.storage.InMemoryStorage()) {
            List<HpoBenchRun> runs = bench.runAll(storage, List.of(HpoBenchmarkFunction.BRANIN, HpoBenchmarkFunction.ACKLEY5),
                    List.of("random"), (r, done, total) -> calls.add(r.function().cliName() + "/" + r.seed() + " " + done + "/" + total));
            assertThat(runs).hasSize(6);
        }
        assertThat(calls).containsExactly("branin/7 1/6", "branin/8 2/6", "branin/9 3/6", "ackley5/7 4/6", "ackley5/8 5/6",
                "ackley5/9 6/6");
    }

    @Test
    void plotLegend_wrapsInsideTheImage_forManySamplersOnOnePanel() {
        java.awt.image.BufferedImage probe = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = probe.createGraphics();
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
        java.awt.FontMetrics fm = g.getFontMetrics();
        List<String> samplers = HpoCommand.SAMPLERS;
        List<HpoConvergencePlot.LegendItem> items = HpoConvergencePlot.legend(samplers, 480, 365, fm);
        g.dispose();
        assertThat(items.stream().filter(HpoConvergencePlot.LegendItem::swatch).map(HpoConvergencePlot.LegendItem::label))
                .containsExactlyElementsOf(samplers);
        assertThat(items).allSatisfy(i -> assertThat(i.x() + i.width()).as(i.label()).isLessThanOrEqualTo(480 - 20));
        assertThat(items.stream().map(HpoConvergencePlot.LegendItem::baseline).distinct().count()).as("wrapped rows")
                .isGreaterThan(2);
        String caption = String.join(" ", items.stream().filter(i -> !i.swatch()).map(HpoConvergencePlot.LegendItem::label).toList());
        assertThat(caption).isEqualTo("median (line) and quartiles (band) of best-so-far regret over seeds; log scale");
    }

    @Test
    void plot_withSixSamplersOnOnePanel_isTallEnoughForItsWholeLegend(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("p.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "hpo", "bench", "--function", "branin", "--sampler", String.join(",", HpoCommand.SAMPLERS),
                "--trials", "11", "--seeds", "1", "--plot", png.toString());
        assertThat(code).as(err.toString()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(480);
        assertThat(img.getHeight()).isGreaterThan(340 + 3 * 22);
        // the rightmost 15 columns stay white below the panel: no legend text runs off the right edge
        for (int y = 345; y < img.getHeight(); y++) {
            for (int x = img.getWidth() - 15; x < img.getWidth(); x++) {
                assertThat(img.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(0xffffff);
            }
        }
    }

    @Test
    void bench_badFlagValues_areUsageErrorsNamingTheFlag_andAnUnreachableStorageIsBadInput() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(run(out, err, "hpo", "bench", "--function", "sphere")).isEqualTo(2);
        assertThat(err.toString()).contains("--function: unknown function 'sphere'");
        assertThat(run(out, err, "hpo", "bench", "--sampler", "cmaes")).isEqualTo(2);
        assertThat(err.toString()).contains("--sampler: unknown sampler 'cmaes'; expected one of tpe, tpe-univariate, "
                + "tpe-multivariate-scott, gp, random, grid");
        assertThat(run(out, err, "hpo", "bench", "--trials", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--trials must be >= 1, was 0");
        assertThat(run(out, err, "hpo", "bench", "--storage", "ftp://nowhere", "--trials", "1", "--seeds", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--storage: url must be memory:");
        assertThat(run(out, err, "hpo", "bench", "--storage", "jdbc:postgresql://127.0.0.1:1/none?user=u&password=secret&connectTimeout=2",
                "--trials", "1", "--seeds", "1")).isEqualTo(AutoGlmCli.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--storage jdbc:postgresql://127.0.0.1:1/none?user=u&password=***").doesNotContain("secret");
    }

    @Test
    void bench_onSqliteStorage_recordsEveryTrialInTheFile(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("bench.db");
        Path csv = dir.resolve("out.csv");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "hpo", "bench", "--function", "branin", "--sampler", "tpe", "--trials", "12", "--seeds", "2",
                "--storage", "sqlite:" + db, "--csv", csv.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllLines(csv)).hasSize(1 + 2 * 12);
        try (io.autoglm.automl.storage.Storage s = io.autoglm.automl.storage.Storages.open("sqlite:" + db)) {
            assertThat(s.studies()).hasSize(2);
            assertThat(s.trials(s.studies().get(0).studyId(), java.util.Set.of())).hasSize(12);
        }
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
