package io.autoglm.cli;

import io.autoglm.hub.ModelHub;
import io.autoglm.hub.ModelReference;
import io.autoglm.server.config.ConfigException;
import io.autoglm.server.config.DeployConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code autoglm config}: deploy configuration files. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with deploy configuration files (autoglm.yaml).",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand; see autoglm config --help");
    }

    /**
     * {@code autoglm config check FILE}: parses and checks a configuration without loading a model. Exit 0 with a
     * summary; 2 when the file does not exist; 3 with {@code FILE:LINE:COLUMN: FIELD: problem} when it is invalid.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a deploy configuration without loading models: YAML, fields, values, ${ENV} variables, "
                    + "model names, local model files and catalog names. Exit 0 and a summary, or 3 and FILE:LINE:COLUMN: FIELD: problem.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the configuration, e.g. autoglm.yaml")
        Path file;

        @Option(names = "--verbose", description = "print stack traces on errors")
        boolean verbose;

        @Override
        public Integer call() {
            ModelOptions.configureLogging(verbose);
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(spec.commandLine(), "FILE: no such file " + file);
            }
            DeployConfig c = DeployConfig.load(file);
            ModelHub hub = ModelHub.builder().offline(true).build();
            for (int i = 0; i < c.models().size(); i++) {
                DeployConfig.Model m = c.models().get(i);
                ModelReference ref = ModelReference.parse(m.reference());
                if (ref instanceof ModelReference.Local l && !Files.isRegularFile(l.path())) {
                    throw new ConfigException(c.file(), m.line(), 0, "models[" + i + "].model", "no such file " + l.path());
                }
                if (ref instanceof ModelReference.Catalog cat && hub.catalog().find(cat.name()).isEmpty()) {
                    throw new ConfigException(c.file(), m.line(), 0, "models[" + i + "].model", "'" + cat.name()
                            + "' is neither a file nor a catalog name (see autoglm models --catalog)");
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(c.summary());
            out.flush();
            return 0;
        }
    }
}
