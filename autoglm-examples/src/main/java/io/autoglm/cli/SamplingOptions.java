package io.autoglm.cli;

import io.autoglm.CompletionRequest;
import io.autoglm.GenerationOptions;
import io.autoglm.SamplingParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Generation options shared by {@code generate} and {@code chat}. */
final class SamplingOptions {
    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 = greedy (default), else sampling temperature")
    float temperature;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "top-k, 0 = off (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "top-p, 1 = off (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "min-p, 0 = off (default ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0", description = "repetition penalty, 1 = off (default ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop string (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--grammar-file", paramLabel = "PATH", description = "GBNF grammar constraining the output")
    Path grammarFile;

    @Option(names = "--ignore-eos", description = "keep generating past end-of-generation (always --max-tokens tokens)")
    boolean ignoreEos;

    @Option(names = "--special", description = "show control tokens such as <s> in the generated text (left out by default)")
    boolean special;

    SamplingParams sampling() {
        return SamplingParams.builder().temperature(temperature).seed(seed).topK(topK).topP(topP).minP(minP)
                .repeatPenalty(repeatPenalty).build();
    }

    /** Applies these options to a request builder. */
    <B extends GenerationOptions.Builder<B>> B apply(B b) throws IOException {
        b.sampling(sampling()).maxTokens(maxTokens).stop(stop).ignoreEos(ignoreEos).renderSpecialTokens(special);
        if (grammarFile != null) {
            try {
                b.grammar(Files.readString(grammarFile, StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                throw new UncheckedIOException("--grammar-file " + grammarFile + ": file not found", e);
            }
        }
        return b;
    }

    /**
     * Checks every option before a model is loaded, so that a bad value fails at once, naming its flag.
     *
     * @throws IllegalArgumentException for a value out of range (the CLI reports it with the flag's name)
     * @throws IOException when the grammar file cannot be read
     */
    void validate() throws IOException {
        apply(CompletionRequest.builder().prompt("validate")).build();
    }
}
