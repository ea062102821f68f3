package io.autoglm.cli;

import io.autoglm.hub.CachedModel;
import io.autoglm.hub.ModelHub;
import io.autoglm.hub.ModelNotFoundException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code autoglm rm REF...}: removes models from the cache. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove models from the cache (their files, unless another cached reference shares them, and any "
                + "unfinished download). Files on AUTOGLM_MODELS are never touched.")
final class RmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "REF", description = "a reference as pulled (catalog name, hf://..., URL) "
            + "or as autoglm models shows it")
    List<String> references;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        ModelHub hub = ModelHub.builder().offline(true).build();
        List<String> missing = new java.util.ArrayList<>();
        for (String ref : references) {
            Optional<CachedModel> gone = hub.remove(ref);
            if (gone.isPresent()) {
                out.println("removed " + gone.get().displayName() + " (" + PullProgress.size(gone.get().sizeBytes()) + ")");
            } else {
                missing.add(ref);
            }
        }
        out.flush();
        if (!missing.isEmpty()) {
            throw new ModelNotFoundException(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " not in the model cache (" + hub.cacheDir() + "); autoglm models lists what is");
        }
        return 0;
    }
}
