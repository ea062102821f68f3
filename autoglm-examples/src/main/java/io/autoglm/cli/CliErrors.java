package io.autoglm.cli;

import io.autoglm.AutoGLMException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every {@code autoglm} command reports an error, so that each subcommand gets the same behaviour without code
 * of its own.
 *
 * <ul>
 *   <li>A usage error (exit 2): an unknown or missing command prints the message and the usage of the command that
 *       has the subcommands; any other bad flag prints the message and one line pointing at {@code --help}.</li>
 *   <li>A builder's {@link IllegalArgumentException} such as {@code maxTokens must be >= 1, was -1} is about a flag
 *       when its leading name is one of the command's options: it is reported with the flag's name
 *       ({@code --max-tokens must be >= 1, was -1}) as a usage error (exit 2).</li>
 *   <li>Anything else that the caller can fix (a bad model or input file, {@link AutoGLMException}, an I/O error)
 *       is one line on stderr and exit 3; {@code --verbose} adds the stack trace.</li>
 * </ul>
 */
final class CliErrors {
    /** Exit code of a usage error (picocli's own). */
    static final int EXIT_USAGE = 2;

    /**
     * Java parameter names whose flag is not their kebab-case spelling. A name is replaced only when the command has
     * the flag, so one table serves every command.
     */
    private static final Map<String, String> FLAG_OF = Map.ofEntries(
            Map.entry("contextSize", "--ctx"),
            Map.entry("preset", "--type"),
            Map.entry("quantization", "--quantize"),
            Map.entry("grammar", "--grammar-file"),
            Map.entry("stop string", "--stop"),
            Map.entry("nativeLibrary", "--native-library"),
            Map.entry("trials", "--tune"));

    /** A leading parameter name: a Java identifier (or "stop string") followed by a verb of a validation message. */
    private static final Pattern LEADING_NAME = Pattern.compile("^(stop string|[A-Za-z][A-Za-z0-9]*)(?= (must|is|are) )");
    /** A camelCase identifier elsewhere in the message (e.g. the {@code contextSize} of a limit). */
    private static final Pattern CAMEL_NAME = Pattern.compile("\\b[a-z]+[A-Z][A-Za-z0-9]*\\b");

    private CliErrors() {
    }

    /**
     * picocli's parameter-exception handler: message, then the usage (unknown or missing command) or a hint.
     *
     * @param ex the parse error
     * @param args the command line
     * @return {@value #EXIT_USAGE}
     */
    static int handleParameterException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        boolean hasSubcommands = !cl.getSubcommands().isEmpty();
        if (ex instanceof UnmatchedArgumentException u && hasSubcommands && unknownCommand(u) != null) {
            err.println(prefix(cl) + "unknown command '" + unknownCommand(u) + "'");
            err.println();
            cl.usage(err);
        } else if (hasSubcommands && cl.getParseResult() != null && !cl.getParseResult().hasSubcommand()
                && !(ex instanceof UnmatchedArgumentException)) {
            err.println(prefix(cl) + ex.getMessage());
            err.println();
            cl.usage(err);
        } else {
            err.println(prefix(cl) + ex.getMessage());
            if (ex instanceof UnmatchedArgumentException u) {
                UnmatchedArgumentException.printSuggestions(u, err);
            }
            err.println(hint(cl));
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** @return the first unmatched argument when it stands where a subcommand was expected, else null */
    private static String unknownCommand(UnmatchedArgumentException u) {
        return u.getUnmatched().stream().filter(a -> !a.startsWith("-")).findFirst()
                .filter(a -> u.getCommandLine().getParseResult() == null
                        || !u.getCommandLine().getParseResult().hasSubcommand())
                .orElse(null);
    }

    /**
     * picocli's execution-exception handler.
     *
     * @param e what the command threw
     * @param cl the command (or subcommand) that threw it
     * @param parsed the parse result of the whole command line
     * @return {@value #EXIT_USAGE} for a flag's bad value, {@value AutoGlmCli#EXIT_BAD_INPUT} for bad input, 1 for a
     *         bug
     */
    static int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || parsed.subcommands().stream().anyMatch(CliErrors::verbose);
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        // a bad value (IllegalArgumentException) or a bad combination of values (IllegalStateException of a builder,
        // "stride must be <= contextSize ...") is a usage error; an IllegalStateException that merely names the flag
        // ("--storage URL: connection refused") is bad input
        String flagged = e instanceof IllegalArgumentException
                || e instanceof IllegalStateException && !msg.startsWith("--")
                ? flagMessage(msg, cl.getCommandSpec()) : null;
        if (flagged != null) {
            err.println(prefix(cl) + flagged);
            err.println(hint(cl));
        } else {
            err.println("autoglm: " + msg);
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        if (flagged != null) {
            return EXIT_USAGE;
        }
        if (e instanceof AutoGLMException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
            return AutoGlmCli.EXIT_BAD_INPUT;
        }
        return 1;
    }

    private static boolean verbose(ParseResult p) {
        return p.hasMatchedOption("--verbose") || p.subcommands().stream().anyMatch(CliErrors::verbose);
    }

    /**
     * Rewrites a validation message in terms of the command's flags.
     *
     * @param message e.g. {@code maxTokens must be >= 1, was -1}, or a message already naming a flag
     * @param spec the command whose flags count
     * @return the message naming the flag ({@code --max-tokens must be >= 1, was -1}), or null when it names none of
     *         the command's flags
     */
    static String flagMessage(String message, CommandSpec spec) {
        if (message.startsWith("--")) {
            int end = 2;
            while (end < message.length() && (Character.isLetterOrDigit(message.charAt(end)) || message.charAt(end) == '-')) {
                end++;
            }
            return spec.findOption(message.substring(0, end)) != null ? message : null;
        }
        Matcher m = LEADING_NAME.matcher(message);
        if (!m.find()) {
            return null;
        }
        String flag = flagOf(m.group(1), spec);
        if (flag == null) {
            return null;
        }
        String rest = message.substring(m.end());
        Matcher c = CAMEL_NAME.matcher(rest);
        StringBuilder sb = new StringBuilder(flag);
        while (c.find()) {
            String other = flagOf(c.group(), spec);
            c.appendReplacement(sb, Matcher.quoteReplacement(other != null ? other : c.group()));
        }
        c.appendTail(sb);
        return sb.toString();
    }

    /** @return the command's flag for a Java parameter name, or null */
    private static String flagOf(String name, CommandSpec spec) {
        String alias = FLAG_OF.get(name);
        if (alias != null && spec.findOption(alias) != null) {
            return alias;
        }
        String kebab = "--" + name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        OptionSpec o = spec.findOption(kebab);
        return o != null ? kebab : null;
    }

    /** @return {@code "autoglm generate: "} for a subcommand, {@code "autoglm: "} for the root */
    private static String prefix(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName() + ": ";
    }

    private static String hint(CommandLine cl) {
        return "Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.";
    }
}
