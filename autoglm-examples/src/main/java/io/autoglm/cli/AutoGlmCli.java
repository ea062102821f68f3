package io.autoglm.cli;

import io.autoglm.AutoGLMException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code autoglm} command-line tool. Exit codes: 0 ok, 2 usage error, 3 bad model or input
 * (one line on stderr; the stack trace only with {@code --verbose}).
 */
@Command(name = "autoglm", mixinStandardHelpOptions = true, version = "autoglm 0.1.0",
        description = "Run, quantize and tune GGUF language models in-process.",
        subcommands = {CommandLine.HelpCommand.class, GenerateCommand.class, ChatCommand.class, EmbedCommand.class,
            TokenizeCommand.class, InspectCommand.class, QuantizeCommand.class, EvalCommand.class,
            HpoCommand.class, io.autoglm.examples.train.TrainCommand.class,
            PullCommand.class, ModelsCommand.class, RmCommand.class, io.autoglm.examples.risk.RiskCommand.class,
            ServeCommand.class})
public final class AutoGlmCli implements Runnable {
    /** Exit code for a bad model or input. */
    public static final int EXIT_BAD_INPUT = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; see autoglm --help");
    }

    /** @return a configured command line (for tests and {@link #main}) */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AutoGlmCli());
        cl.setExecutionExceptionHandler(AutoGlmCli::handleExecutionException);
        return cl;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("autoglm: " + msg.replace('\n', ' '));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        if (e instanceof AutoGLMException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
            return EXIT_BAD_INPUT;
        }
        return 1;
    }

    /** @param args command-line arguments */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
