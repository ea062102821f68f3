package io.autoglm.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Names for models: {@code stories260k}, {@code qwen2.5-0.5b-instruct:q4_k_m}, ... each mapped to hub files with their
 * sizes and SHA-256. The built-in catalog ships in this jar ({@code io/autoglm/hub/catalog.txt}); a user file adds
 * entries or replaces them by name ({@code AUTOGLM_CATALOG}, or {@link #withFile(Path)}).
 *
 * <p>The file format is one model per line; {@code #} starts a comment:
 * <pre>
 * NAME  SOURCE  [size=BYTES[,BYTES...]]  [sha256=HEX[,HEX...] | sha256=unverified]  [default]  [-- description]
 * stories260k  hf://ggml-org/models-moved/tinyllamas/stories260K.gguf@499bc88...  size=1185376  sha256=270cba1b...  -- smoke test
 * </pre>
 * SOURCE is an {@code hf://} or {@code https://} reference. When it names the first part of a split model
 * ({@code -00001-of-00003.gguf}), the entry covers every part, and {@code size}/{@code sha256} list one value per part.
 * {@code sha256=unverified} (or no {@code sha256}) means the catalog does not vouch for a checksum: downloads are
 * then checked against the hub's {@code X-Linked-Etag}. {@code default} marks the entry that answers for the name
 * without its {@code :tag}.
 */
public final class ModelCatalog {
    private static final String RESOURCE = "catalog.txt";

    private final Map<String, CatalogEntry> entries;

    private ModelCatalog(Map<String, CatalogEntry> entries) {
        this.entries = entries;
    }

    /** @return the catalog shipped with AutoGLM */
    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the built-in model catalog io/autoglm/hub/" + RESOURCE + " is missing from the jar");
            }
            return new ModelCatalog(new LinkedHashMap<>()).with(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "built-in catalog");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in model catalog", e);
        }
    }

    /** @return a catalog with no entries */
    public static ModelCatalog empty() {
        return new ModelCatalog(Map.of());
    }

    /**
     * @param file a catalog file in the format above
     * @return a new catalog: these entries plus the file's, the file's replacing any of the same name
     * @throws IllegalArgumentException when the file is malformed (the message names the file, the line and the problem)
     * @throws UncheckedIOException when it cannot be read
     */
    public ModelCatalog withFile(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model catalog " + file + ": " + e.getMessage(), e);
        }
        return with(text, file.toString());
    }

    /**
     * @param text catalog lines in the format above
     * @param origin what to call the text in error messages (a file name)
     * @return a new catalog: these entries plus the text's, which replace any of the same name
     * @throws IllegalArgumentException when the text is malformed
     */
    public ModelCatalog with(String text, String origin) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(origin, "origin");
        Map<String, CatalogEntry> out = new LinkedHashMap<>(entries);
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = commentStart(line);
            String description = "";
            int dashes = line.indexOf(" -- ");
            if (dashes >= 0 && (hash < 0 || dashes < hash)) {
                description = line.substring(dashes + 4).strip();
                line = line.substring(0, dashes);
            } else if (hash >= 0) {
                line = line.substring(0, hash);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                CatalogEntry e = parseLine(line.strip(), description);
                out.remove(e.name());
                out.put(e.name(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ModelCatalog(out);
    }

    /** A comment starts at a '#' that begins the line or follows white space (a URL's #fragment is not one). */
    private static int commentStart(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }

    private static CatalogEntry parseLine(String line, String description) {
        String[] tokens = line.split("\\s+");
        if (tokens.length < 2) {
            throw new IllegalArgumentException("a catalog line needs NAME and SOURCE, was '" + line + "'");
        }
        String name = tokens[0].toLowerCase(Locale.ROOT);
        if (!ModelReference.CATALOG_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("catalog name must be letters, digits, . _ - and one optional :tag, was '" + tokens[0] + "'");
        }
        ModelReference source = ModelReference.parse(tokens[1]);
        if (!(source instanceof ModelReference.Hub) && !(source instanceof ModelReference.Url)) {
            throw new IllegalArgumentException("catalog source must be hf://... or https://..., was '" + tokens[1] + "'");
        }
        List<ModelReference> parts = partsOf(source);
        long[] sizes = null;
        String[] hashes = null;
        boolean isDefault = false;
        for (int t = 2; t < tokens.length; t++) {
            String tok = tokens[t];
            if (tok.equals("default")) {
                isDefault = true;
            } else if (tok.startsWith("size=")) {
                String[] vs = tok.substring(5).split(",", -1);
                checkCount("size", vs.length, parts.size());
                sizes = new long[vs.length];
                for (int k = 0; k < vs.length; k++) {
                    sizes[k] = parseSize(vs[k]);
                }
            } else if (tok.startsWith("sha256=")) {
                String v = tok.substring(7).toLowerCase(Locale.ROOT);
                if (!v.equals("unverified")) {
                    String[] vs = v.split(",", -1);
                    checkCount("sha256", vs.length, parts.size());
                    for (String h : vs) {
                        if (!h.matches("[0-9a-f]{64}")) {
                            throw new IllegalArgumentException("sha256 must be 64 hex digits or 'unverified', was '" + h + "'");
                        }
                    }
                    hashes = vs;
                }
            } else {
                throw new IllegalArgumentException("unknown catalog attribute '" + tok
                        + "' (expected size=, sha256=, default, or -- before a description)");
            }
        }
        List<CatalogEntry.File> files = new ArrayList<>(parts.size());
        for (int k = 0; k < parts.size(); k++) {
            files.add(new CatalogEntry.File(parts.get(k), sizes == null ? -1 : sizes[k], hashes == null ? null : hashes[k]));
        }
        return new CatalogEntry(name, files, isDefault, description);
    }

    private static long parseSize(String v) {
        if (v.equals("unknown")) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size must be a byte count or 'unknown', was '" + v + "'");
        }
    }

    private static void checkCount(String what, int have, int parts) {
        if (have != parts) {
            throw new IllegalArgumentException(what + " needs one value per part (" + parts + "), had " + have);
        }
    }

    /** @return the references of every part of a (possibly split) source */
    static List<ModelReference> partsOf(ModelReference source) {
        return switch (source) {
            case ModelReference.Hub h -> SplitFiles.parts(h.path()).stream()
                    .map(p -> (ModelReference) new ModelReference.Hub(h.repo(), p, h.revision())).toList();
            case ModelReference.Url u -> {
                List<String> names = SplitFiles.parts(u.fileName());
                if (names.size() == 1) {
                    yield List.of(u);
                }
                String s = u.uri().toString();
                String base = s.substring(0, s.lastIndexOf('/') + 1);
                yield names.stream().map(n -> (ModelReference) ModelReference.Url.parse(base + n)).toList();
            }
            default -> List.of(source);
        };
    }

    /**
     * @param name a name with or without its {@code :tag}, any case
     * @return the entry: the exact name, else the {@code default} entry of that base name, else the only entry of
     *     that base name
     */
    public Optional<CatalogEntry> find(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.toLowerCase(Locale.ROOT);
        CatalogEntry exact = entries.get(n);
        if (exact != null || n.indexOf(':') >= 0) {
            return Optional.ofNullable(exact);
        }
        List<CatalogEntry> same = entries.values().stream().filter(e -> e.baseName().equals(n)).toList();
        return same.stream().filter(CatalogEntry::isDefault).findFirst().or(() -> same.size() == 1
                ? Optional.of(same.get(0)) : Optional.empty());
    }

    /** @return every entry, in file order */
    public Collection<CatalogEntry> entries() {
        return List.copyOf(entries.values());
    }

    /** @return the names, comma-separated (for error messages) */
    String names() {
        return entries.keySet().stream().collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "ModelCatalog[" + names() + "]";
    }
}
