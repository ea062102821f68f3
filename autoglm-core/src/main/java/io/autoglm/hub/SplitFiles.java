package io.autoglm.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of split GGUF files, as llama.cpp's {@code gguf-split} writes them and its loader finds them:
 * {@code <prefix>-00001-of-00003.gguf}, {@code -00002-of-00003}, ... in one folder. The loader is given the first.
 */
final class SplitFiles {
    private static final Pattern SPLIT = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.gguf");

    /** The most parts this project accepts for one model (llama.cpp's format allows 99999). */
    static final int MAX_PARTS = 9999;

    private SplitFiles() {
    }

    /**
     * @param name a file name or path ending in the file name
     * @return the names (or paths) of every part, in order; just {@code name} when it is not a split file
     * @throws IllegalArgumentException when the part numbers are impossible ({@code -00003-of-00002})
     */
    static List<String> parts(String name) {
        Matcher m = SPLIT.matcher(name);
        if (!m.matches()) {
            return List.of(name);
        }
        int no = Integer.parseInt(m.group(2));
        int count = Integer.parseInt(m.group(3));
        if (count < 1 || no < 1 || no > count || count > MAX_PARTS) {
            throw new IllegalArgumentException("split GGUF name must be <name>-0000K-of-0000N.gguf with 1 <= K <= N <= "
                    + MAX_PARTS + ", was '" + name + "'");
        }
        List<String> out = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            out.add(m.group(1) + String.format(Locale.ROOT, "-%05d-of-%05d.gguf", i, count));
        }
        return out;
    }
}
