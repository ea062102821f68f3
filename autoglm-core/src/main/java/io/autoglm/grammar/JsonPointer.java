package io.autoglm.grammar;

/** RFC 6901 JSON pointer helpers. */
final class JsonPointer {
    private JsonPointer() {
    }

    /** @return {@code token} escaped for use as one pointer segment */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** @return the pointer segment decoded */
    static String unescape(String segment) {
        return segment.replace("~1", "/").replace("~0", "~");
    }

    /** @return {@code ptr} as a URI fragment for messages: {@code #} for the whole document, else {@code #/a/b} */
    static String show(String ptr) {
        return ptr.isEmpty() ? "#" : "#" + ptr;
    }
}
