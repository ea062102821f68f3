package io.autoglm.cli;

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
            HpoCommand.class, TuneCommand.class, io.autoglm.examples.train.TrainCommand.class,
            PullCommand.class, ModelsCommand.class, RmCommand.class, io.autoglm.examples.risk.RiskCommand.class,
            ServeCommand.class, ConfigCommand.class, BenchCommand.class})
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
        return configure(new CommandLine(new AutoGlmCli()));
    }

    /**
     * A command line for these arguments. When they start with a subcommand's name, only that subcommand is built:
     * picocli inspects every option of every command it is given, and building all of them is a good part of a
     * one-shot command's start-up. Anything else ({@code --help}, {@code help}, an unknown name) gets the whole tree.
     *
     * @param args command-line arguments
     * @return a configured command line for them
     */
    static CommandLine commandLineFor(String[] args) {
        if (args.length > 0 && !Boolean.getBoolean("autoglm.cli.fullTree")) {
            Command root = AutoGlmCli.class.getAnnotation(Command.class);
            for (Class<?> c : root.subcommands()) {
                Command sub = c.getAnnotation(Command.class);
                if (sub != null && sub.name().equals(args[0]) && c != CommandLine.HelpCommand.class) {
                    CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(root.name())
                            .version(root.version()).mixinStandardHelpOptions(true);
                    spec.usageMessage().description(root.description());
                    CommandLine cl = new CommandLine(spec);
                    cl.addSubcommand(sub.name(), new CommandLine(c, CommandLine.defaultFactory()));
                    return configure(cl);
                }
            }
        }
        return commandLine();
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler(CliErrors::handleExecutionException);
        cl.setParameterExceptionHandler(CliErrors::handleParameterException);
        return cl;
    }

    /** @param args command-line arguments */
    public static void main(String[] args) {
        System.exit(commandLineFor(args).execute(args));
    }
}
