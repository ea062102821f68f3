package io.autoglm.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a model reference names: a local file, a file on a Hugging Face style hub, a URL, or a catalog name.
 *
 * <pre>{@code
 * ModelReference.parse("../shared/models/stories260K.gguf");            // Local
 * ModelReference.parse("hf://ggml-org/models-moved/tinyllamas/stories260K.gguf@main"); // Hub
 * ModelReference.parse("https://example.org/m.gguf#sha256=270c...");    // Url (with a pinned checksum)
 * ModelReference.parse("qwen2.5-0.5b-instruct:q4_k_m");                 // Catalog
 * }</pre>
 *
 * <p>Rules, in order: {@code hf://} is a hub file; {@code https://} and {@code http://} are URLs; any other
 * {@code scheme://} is rejected; a text with a path separator, ending in {@code .gguf}, or naming an existing
 * file is a local path; a text made only of letters, digits and {@code . _ - :} is a catalog name; anything else
 * is a local path.
 */
public sealed interface ModelReference {
    /** Characters of a catalog name: {@code stories260k}, {@code qwen2.5-0.5b-instruct:q4_k_m}. */
    Pattern CATALOG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)?");

    /**
     * @param text a reference as a user writes it
     * @return what it names
     * @throws IllegalArgumentException when it is blank or malformed (the message names the part that is wrong)
     */
    static ModelReference parse(String text) {
        Objects.requireNonNull(text, "model reference");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("model reference must not be blank");
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hf://")) {
            return Hub.parse(s);
        }
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            return Url.parse(s);
        }
        int scheme = s.indexOf("://");
        if (scheme > 0 && s.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            throw new IllegalArgumentException("model reference '" + s + "' has an unsupported scheme "
                    + s.substring(0, scheme) + "://; use a path, hf://owner/repo/file.gguf[@revision], https://... or a catalog name");
        }
        boolean looksLikePath = s.indexOf('/') >= 0 || s.indexOf('\\') >= 0 || lower.endsWith(".gguf");
        if (!looksLikePath && CATALOG_NAME.matcher(s).matches() && !exists(s)) {
            return new Catalog(lower);
        }
        try {
            return new Local(Path.of(s));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("model reference '" + s + "' is not a valid path: " + e.getReason());
        }
    }

    private static boolean exists(String s) {
        try {
            return Files.exists(Path.of(s));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** @return the canonical text of this reference, which {@link #parse} reads back to an equal reference */
    String canonical();

    /**
     * A file on the local file system, used as it is.
     *
     * @param path the file
     */
    record Local(Path path) implements ModelReference {
        /** @param path the file */
        public Local {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String canonical() {
            return path.toString();
        }
    }

    /**
     * A file in a repository of a Hugging Face style hub, downloaded from
     * {@code {endpoint}/{repo}/resolve/{revision}/{path}}.
     *
     * @param repo {@code owner/name}
     * @param path the file's path inside the repository, e.g. {@code tinyllamas/stories260K.gguf}
     * @param revision a branch, tag or commit ({@code main} when the reference names none)
     */
    record Hub(String repo, String path, String revision) implements ModelReference {
        private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

        /**
         * @param repo {@code owner/name}
         * @param path the file's path inside the repository
         * @param revision a branch, tag or commit
         */
        public Hub {
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(revision, "revision");
            String[] rs = repo.split("/", -1);
            if (rs.length != 2 || !SEGMENT.matcher(rs[0]).matches() || !SEGMENT.matcher(rs[1]).matches()) {
                throw new IllegalArgumentException("hub repository must be owner/name (letters, digits, . _ -), was '" + repo + "'");
            }
            checkSegments("hub file path", path, true);
            checkSegments("hub revision", revision, false);
        }

        private static void checkSegments(String what, String v, boolean strict) {
            if (v.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            for (String seg : v.split("/", -1)) {
                if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                    throw new IllegalArgumentException(what + " must not have empty, '.' or '..' segments, was '" + v + "'");
                }
                for (int i = 0; i < seg.length(); i++) {
                    char c = seg.charAt(i);
                    if (c < 0x20 || c == 0x7f || c == '\\' || (strict && (c == '?' || c == '#' || c == ':' || c == '*'
                            || c == '"' || c == '<' || c == '>' || c == '|'))) {
                        throw new IllegalArgumentException(what + " has a character that is not allowed ('" + c + "'), was '" + v + "'");
                    }
                }
            }
        }

        static Hub parse(String s) {
            String body = s.substring("hf://".length());
            String revision = "main";
            int at = body.lastIndexOf('@');
            if (at >= 0) {
                revision = body.substring(at + 1);
                body = body.substring(0, at);
                if (revision.isEmpty()) {
                    throw new IllegalArgumentException("hub reference '" + s + "' has an empty revision after '@'");
                }
            }
            String[] parts = body.split("/", 3);
            if (parts.length < 3 || parts[2].isEmpty()) {
                throw new IllegalArgumentException("hub reference must be hf://owner/repo/path/file.gguf[@revision], was '" + s + "'");
            }
            return new Hub(parts[0] + "/" + parts[1], parts[2], revision);
        }

        /** @return the file name (the last segment of {@link #path()}) */
        public String fileName() {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        @Override
        public String canonical() {
            return "hf://" + repo + "/" + path + "@" + revision;
        }
    }

    /**
     * A file at an {@code https://} (or {@code http://}) URL.
     *
     * @param uri the URL, without its fragment
     * @param sha256 the checksum pinned with {@code #sha256=<64 hex>}, or null
     */
    record Url(URI uri, String sha256) implements ModelReference {
        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        /**
         * @param uri the URL, without its fragment
         * @param sha256 the pinned checksum (64 lowercase hex digits), or null
         */
        public Url {
            Objects.requireNonNull(uri, "uri");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new IllegalArgumentException("model URL must be https:// or http://, was " + uri);
            }
            if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().endsWith("/")) {
                throw new IllegalArgumentException("model URL must name a host and a file, was " + uri);
            }
            if (uri.getFragment() != null) {
                throw new IllegalArgumentException("model URL must have no fragment here, was " + uri);
            }
            if (sha256 != null && !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("pinned sha256 must be 64 lowercase hex digits, was '" + sha256 + "'");
            }
        }

        static Url parse(String s) {
            URI u;
            try {
                u = new URI(s);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("model URL '" + s + "' is malformed: " + e.getReason());
            }
            String pinned = null;
            String fragment = u.getRawFragment();
            if (fragment != null) {
                if (!fragment.toLowerCase(Locale.ROOT).startsWith("sha256=")) {
                    throw new IllegalArgumentException("model URL fragment must be #sha256=<64 hex digits>, was #" + fragment);
                }
                pinned = fragment.substring("sha256=".length()).toLowerCase(Locale.ROOT);
                try {
                    u = new URI(s.substring(0, s.indexOf('#')));
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("model URL '" + s + "' is malformed: " + e.getReason());
                }
            }
            return new Url(u, pinned);
        }

        /** @return the file name: the last segment of the URL's path, decoded */
        public String fileName() {
            String p = uri.getPath();
            return p.substring(p.lastIndexOf('/') + 1);
        }

        @Override
        public String canonical() {
            return sha256 == null ? uri.toString() : uri + "#sha256=" + sha256;
        }
    }

    /**
     * A name in the {@link ModelCatalog}, such as {@code stories260k} or {@code qwen2.5-0.5b-instruct:q4_k_m}.
     *
     * @param name the name, lower case
     */
    record Catalog(String name) implements ModelReference {
        /** @param name the name */
        public Catalog {
            Objects.requireNonNull(name, "name");
            if (!CATALOG_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("catalog name must be letters, digits, . _ - and one optional :tag, was '" + name + "'");
            }
            name = name.toLowerCase(Locale.ROOT);
        }

        @Override
        public String canonical() {
            return name;
        }
    }
}
