package io.autoglm.hub;

import java.util.List;
import java.util.Objects;

/**
 * One named model of the {@link ModelCatalog}: where its file (or the files of a split model) can be downloaded,
 * with their sizes and SHA-256 when they are known.
 *
 * @param name the name, lower case, e.g. {@code qwen2.5-0.5b-instruct:q4_k_m}
 * @param files the files, in part order (one unless the model is split into {@code -0000K-of-0000N.gguf} parts)
 * @param isDefault whether this entry answers for its name without a tag ({@code qwen2.5-0.5b-instruct})
 * @param description a short description, possibly empty
 */
public record CatalogEntry(String name, List<File> files, boolean isDefault, String description) {
    /**
     * @param name the name
     * @param files the files, at least one
     * @param isDefault whether it answers for its untagged name
     * @param description a description
     */
    public CatalogEntry {
        Objects.requireNonNull(name, "name");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("catalog entry " + name + " has no files");
        }
        description = description == null ? "" : description;
    }

    /** @return the name without its {@code :tag} */
    public String baseName() {
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** @return the total size, or -1 when a file's size is unknown */
    public long sizeBytes() {
        long total = 0;
        for (File f : files) {
            if (f.sizeBytes() < 0) {
                return -1;
            }
            total += f.sizeBytes();
        }
        return total;
    }

    /**
     * One file of a catalog entry.
     *
     * @param source where to download it ({@link ModelReference.Hub} or {@link ModelReference.Url})
     * @param sizeBytes its size, or -1 when unknown
     * @param sha256 its SHA-256 (64 lowercase hex digits), or null when the catalog could not verify one: the hub's
     *     {@code X-Linked-Etag} is then what the download is checked against
     */
    public record File(ModelReference source, long sizeBytes, String sha256) {
        /**
         * @param source where to download it
         * @param sizeBytes its size or -1
         * @param sha256 its SHA-256 or null
         */
        public File {
            Objects.requireNonNull(source, "source");
            if (!(source instanceof ModelReference.Hub) && !(source instanceof ModelReference.Url)) {
                throw new IllegalArgumentException("a catalog file must be an hf:// or https:// reference, was " + source.canonical());
            }
            if (sizeBytes < -1) {
                throw new IllegalArgumentException("catalog file size must be >= 0 or -1 (unknown), was " + sizeBytes);
            }
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("catalog sha256 must be 64 lowercase hex digits, was '" + sha256 + "'");
            }
        }
    }
}
