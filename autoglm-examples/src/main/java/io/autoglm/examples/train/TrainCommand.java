package io.autoglm.examples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.automl.monitor.MonitorEvent;
import io.autoglm.cli.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm train}: trains softmax regression or a small MLP on a bundled dataset with one of the
 * automl learning-rate schedules and monitors, printing per-epoch train loss, validation loss and
 * accuracy, the learning rate and monitor events.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train softmax regression or an MLP on digits/breast_cancer with an automl LR schedule and "
                + "training monitors.")
public final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", defaultValue = "digits", description = "digits or breast_cancer (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--model", defaultValue = "mlp", description = "softmax or mlp (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--schedule", defaultValue = "constant",
            description = "constant, step, cosine, onecycle, plateau or adaptive (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--lr", defaultValue = "0.03", description = "learning rate (peak for onecycle; default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--epochs", defaultValue = "20", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "seed of split, initialisation and batch order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--hidden", defaultValue = "64", description = "MLP hidden units (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "validation fraction (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--recover", description = "on a gradient explosion: restore the last good checkpoint and lower the LR x0.1")
    boolean recover;

    @Option(names = "--data-dir", description = "folder holding digits.csv.gz and breast_cancer.csv "
            + "(default: beside $AUTOGLM_TEST_MODELS, or ../shared/datasets)")
    Path dataDir;

    @Option(names = "--feedback-rate", defaultValue = "0",
            description = "per-sample feedback weights: w += rate x (sample loss - batch mean loss), clipped to "
                    + "[0.2, 5] and renormalised; 0 = off (default: ${DEFAULT-VALUE})")
    double feedbackRate;

    @Option(names = "--tune", paramLabel = "TRIALS", defaultValue = "0",
            description = "instead of one run: tune lr, momentum (and hidden units) with TPE and a median pruner over "
                    + "TRIALS trials of --epochs epochs each, maximising validation accuracy")
    int tune;

    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces of errors")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Trainer.Schedule sched;
        try {
            sched = Trainer.Schedule.valueOf(schedule.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw usageError("--schedule must be one of constant, step, cosine, onecycle, plateau, adaptive; was '"
                    + schedule + "'");
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (!m.equals("softmax") && !m.equals("mlp")) {
            throw usageError("--model must be softmax or mlp; was '" + model + "'");
        }
        if (tune < 0) {
            throw usageError("--tune must be >= 0, was " + tune);
        }
        // a bad value is an IllegalArgumentException naming the parameter; the CLI reports it with the flag's name
        Trainer.Config cfg = new Trainer.Config(m, sched, lr, epochs, seed, batchSize, momentum, hidden, recover, feedbackRate);
        Dataset data = Dataset.load(Dataset.locateDir(dataDir), dataset);
        Dataset.Split split = data.split(valFraction, seed).standardised();
        PrintWriter out = spec.commandLine().getOut();
        if (tune > 0) {
            return tune(data, split, m, sched, out);
        }
        if (!json) {
            out.printf(Locale.ROOT, "train %s (%d train / %d val rows, %d features, %d classes) model=%s schedule=%s "
                    + "lr=%s epochs=%d seed=%d%n", data.name(), split.train().size(), split.val().size(),
                    data.features(), data.classes(), m, sched.name().toLowerCase(Locale.ROOT), lr, epochs, seed);
            out.flush();
        }
        Trainer.Result r;
        try (Progress progress = Progress.start(spec.commandLine().getErr(), "train", epochs, Progress.Unit.of("epochs"))) {
            r = Trainer.train(split, cfg, s -> {
                if (!json) {
                    progress.println(out, String.format(Locale.ROOT,
                            "epoch %3d  train_loss %.4f  val_loss %.4f  val_acc %.4f  lr %.6g", s.epoch(), s.trainLoss(),
                            s.valLoss(), s.valAccuracy(), s.lr()));
                    for (MonitorEvent e : s.events()) {
                        progress.println(out, String.format(Locale.ROOT, "  event %s step %d: %s", e.type(), e.step(),
                                e.message()));
                    }
                }
                progress.message(String.format(Locale.ROOT, "val_acc %.4f", s.valAccuracy()));
                progress.stepTo(s.epoch());
            });
        }
        if (json) {
            out.println(toJson(data, split, r));
        } else {
            out.printf(Locale.ROOT, "final val_acc %.4f  val_loss %.4f  explosions %d  restores %d%n",
                    r.last().valAccuracy(), r.last().valLoss(), r.explosions(), r.restores());
        }
        out.flush();
        return 0;
    }

    /** @return a usage error (exit code 2, message and usage on stderr) for this command */
    private CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private int tune(Dataset data, Dataset.Split split, String m, Trainer.Schedule sched, PrintWriter out)
            throws Exception {
        if (!json) {
            out.printf(Locale.ROOT, "tune %s model=%s schedule=%s: %d trials x %d epochs (TPE, median pruner)%n",
                    data.name(), m, sched.name().toLowerCase(Locale.ROOT), tune, epochs);
            out.flush();
        }
        MlpTuning.Outcome o;
        try (Progress progress = Progress.start(spec.commandLine().getErr(), "tune", tune, Progress.Unit.of("trials"))) {
            o = MlpTuning.tune(split, m, sched, tune, epochs, seed, t -> {
                if (!json) {
                    String value = t.values().isEmpty() ? "" : String.format(Locale.ROOT, " val_acc %.4f", t.values().getFirst());
                    String last = t.intermediateValues().isEmpty() ? "" : String.format(Locale.ROOT,
                            " (last report epoch %d: %.4f)", t.intermediateValues().lastKey(),
                            t.intermediateValues().get(t.intermediateValues().lastKey()));
                    progress.println(out, String.format(Locale.ROOT, "trial %3d %-8s%s%s params %s", t.number(), t.state(),
                            value, t.state() == io.autoglm.automl.search.TrialState.PRUNED ? last : "", t.params()));
                }
                progress.stepTo(t.number() + 1L);
            });
        }
        if (json) {
            ObjectMapper om = new ObjectMapper();
            ObjectNode root = om.createObjectNode();
            root.put("best_val_accuracy", o.bestAccuracy());
            root.set("best_params", om.valueToTree(o.bestParams()));
            root.put("complete", o.complete());
            root.put("pruned", o.pruned());
            root.set("study", om.readTree(o.studyJson()));
            out.println(root);
        } else {
            out.printf(Locale.ROOT, "best val_acc %.4f params %s (%d complete, %d pruned)%n", o.bestAccuracy(),
                    o.bestParams(), o.complete(), o.pruned());
        }
        out.flush();
        return 0;
    }

    /**
     * @return the run as one line of JSON (snake_case): {@code config}, {@code epochs} (one object per epoch with its
     *         monitor {@code events}) and {@code final}
     */
    static String toJson(Dataset data, Dataset.Split split, Trainer.Result r) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        Trainer.Config c = r.config();
        ObjectNode cfg = root.putObject("config");
        cfg.put("dataset", data.name());
        cfg.put("model", c.model());
        cfg.put("schedule", c.schedule().name().toLowerCase(Locale.ROOT));
        cfg.put("lr", c.lr());
        cfg.put("epochs", c.epochs());
        cfg.put("seed", c.seed());
        cfg.put("batch_size", c.batchSize());
        cfg.put("momentum", c.momentum());
        cfg.put("hidden", c.hidden());
        cfg.put("recover", c.recover());
        cfg.put("feedback_rate", c.feedbackRate());
        cfg.put("train_rows", split.train().size());
        cfg.put("val_rows", split.val().size());
        ArrayNode eps = root.putArray("epochs");
        for (Trainer.EpochStats s : r.epochs()) {
            ObjectNode n = eps.addObject();
            n.put("epoch", s.epoch());
            n.put("train_loss", s.trainLoss());
            n.put("val_loss", s.valLoss());
            n.put("val_accuracy", s.valAccuracy());
            n.put("lr", s.lr());
            ArrayNode ev = n.putArray("events");
            for (MonitorEvent e : s.events()) {
                ObjectNode en = ev.addObject();
                en.put("type", e.type().name());
                en.put("step", e.step());
                en.put("value", e.value());
                en.put("message", e.message());
            }
        }
        ObjectNode sum = root.putObject("final");
        sum.put("val_accuracy", r.last().valAccuracy());
        sum.put("val_loss", r.last().valLoss());
        sum.put("train_loss", r.last().trainLoss());
        sum.put("explosions", r.explosions());
        sum.put("restores", r.restores());
        return root.toString();
    }
}
