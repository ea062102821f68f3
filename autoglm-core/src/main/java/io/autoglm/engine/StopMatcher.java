package io.autoglm.engine;

import java.util.List;

/**
 * Finds stop strings in generated text that arrives piece by piece. Text that might be the start
 * of a stop string is held back until it is known not to be; when a stop string appears the text
 * is cut just before it. Not thread-safe.
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /**
     * @param text newly decoded text
     * @return the text that can be released now (before any stop string)
     */
    String append(String text) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        held.append(text);
        int cut = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = held.substring(0, cut);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** @return true once a stop string was seen */
    boolean stopped() {
        return stopped;
    }

    /** @return text held back because it might have started a stop string (generation ended without one) */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        String h = held.toString();
        int n = h.length();
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, n); len > best; len--) {
                if (h.regionMatches(n - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
