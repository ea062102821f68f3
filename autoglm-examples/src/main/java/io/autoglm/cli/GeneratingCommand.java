package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.Completion;
import io.autoglm.TokenListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What {@code generate} and {@code chat} share: model and sampling options, streaming and the JSON summary. */
abstract class GeneratingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    SamplingOptions samplingOptions = new SamplingOptions();

    /**
     * @param out where the text goes
     * @return a listener printing each chunk's text as it arrives (never stops the generation)
     */
    static TokenListener printing(PrintWriter out) {
        return chunk -> {
            out.print(chunk.text());
            out.flush();
            return true;
        };
    }

    /** Ends the streamed text with a line break. */
    static void endLine(PrintWriter out) {
        out.println();
        out.flush();
    }

    /** Adds {@code finish_reason} and {@code usage} (prompt and completion tokens) of a generation to a JSON object. */
    static void putFinish(ObjectNode o, Completion c) {
        o.put("finish_reason", c.finishReason().name().toLowerCase(Locale.ROOT));
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", c.usage().promptTokens());
        usage.put("completion_tokens", c.usage().completionTokens());
    }
}
