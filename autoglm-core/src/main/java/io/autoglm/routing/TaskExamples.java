package io.autoglm.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Labelled task examples: the defaults shipped with the library and a reader for users' own files.
 *
 * <p>File format (UTF-8): one example per line, {@code task<TAB>text}; blank lines and lines starting with
 * {@code #} are skipped; {@code \n} in the text stands for a line break.
 */
public final class TaskExamples {
    /** Free-form conversation, advice, questions. */
    public static final String CHAT = "chat";
    /** Summaries, key points, TL;DRs of a given text. */
    public static final String SUMMARIZATION = "summarization";
    /** Translation between languages. */
    public static final String TRANSLATION = "translation";
    /** Writing, fixing, explaining or reviewing code, SQL, shell. */
    public static final String CODE = "code";
    /** Arithmetic, algebra, word problems, proofs, logic puzzles. */
    public static final String MATH = "math";
    /** Pulling fields out of text into JSON or another structure. */
    public static final String EXTRACTION = "extraction";
    /** Labelling text: sentiment, topic, intent, spam. */
    public static final String CLASSIFICATION = "classification";

    /** The tasks the default examples cover. */
    public static final List<String> DEFAULT_TASKS = List.of(CHAT, SUMMARIZATION, TRANSLATION, CODE, MATH, EXTRACTION,
            CLASSIFICATION);

    private static final String RESOURCE = "default-task-examples.tsv";
    private static volatile List<TaskExample> defaults;

    private TaskExamples() {
    }

    /** @return the examples shipped with the library, for {@link #DEFAULT_TASKS} */
    public static List<TaskExample> defaults() {
        List<TaskExample> d = defaults;
        if (d == null) {
            try (InputStream in = TaskExamples.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " is missing from the autoglm-core jar");
                }
                d = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            defaults = d;
        }
        return d;
    }

    /**
     * @param file a UTF-8 file in the format above
     * @return its examples
     * @throws IllegalArgumentException naming the file and line of a malformed line
     * @throws UncheckedIOException when it cannot be read
     */
    public static List<TaskExample> load(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read task examples " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param content text in the format above
     * @param source its name, for messages
     * @return its examples
     * @throws IllegalArgumentException naming the source and line of a malformed line
     */
    public static List<TaskExample> parse(String content, String source) {
        Objects.requireNonNull(content, "content");
        List<TaskExample> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab <= 0) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected 'task<TAB>text', was '"
                        + abbreviate(line) + "'");
            }
            try {
                out.add(new TaskExample(line.substring(0, tab).strip(), line.substring(tab + 1).strip().replace("\\n", "\n")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
