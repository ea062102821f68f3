package io.autoglm.cli;

import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that loads a model with the shared {@link ModelOptions}, runs one step on a {@code --text} and
 * closes the model ({@code embed}, {@code tokenize}). The help of {@code --text} reads "text to" and the
 * command's name.
 */
abstract class ModelTextCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "text to ${COMMAND-NAME}")
    String text;

    private final boolean embeddings;

    /** @param embeddings whether the model is opened with an embedding context */
    ModelTextCommand(boolean embeddings) {
        this.embeddings = embeddings;
    }

    /**
     * Runs the command on the open model.
     *
     * @param model the model, closed after this returns
     * @param out standard output of the command line
     */
    abstract void run(LanguageModel model, PrintWriter out);

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = modelOptions.builder(null).embeddings(embeddings).build()) {
            run(model, out);
        }
        return 0;
    }
}
