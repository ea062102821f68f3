package io.autoglm.hub;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A model in the cache, as {@code autoglm models} lists it.
 *
 * @param reference its canonical reference, e.g. {@code hf://owner/repo/file.gguf@main}
 * @param names the catalog names it was pulled by, e.g. {@code stories260k}
 * @param commit the hub commit it came from ({@code X-Repo-Commit}), or empty
 * @param files its files, in part order
 * @param pulledAt when it was downloaded
 * @param lastUsed when it was last resolved
 * @param complete false when a file is missing from the cache (deleted by hand): {@code rm} cleans it up
 */
public record CachedModel(String reference, List<String> names, String commit, List<File> files, Instant pulledAt,
        Instant lastUsed, boolean complete) {
    /**
     * @param reference canonical reference
     * @param names catalog names
     * @param commit hub commit or empty
     * @param files the files
     * @param pulledAt when downloaded
     * @param lastUsed when last resolved
     * @param complete whether every file is present
     */
    public CachedModel {
        Objects.requireNonNull(reference, "reference");
        names = List.copyOf(names);
        files = List.copyOf(files);
    }

    /** @return the path to load (the first file) */
    public Path path() {
        return files.get(0).path();
    }

    /** @return the total size in bytes */
    public long sizeBytes() {
        return files.stream().mapToLong(File::sizeBytes).sum();
    }

    /** @return the first catalog name, else the reference */
    public String displayName() {
        return names.isEmpty() ? reference : names.get(0);
    }

    /**
     * One cached file.
     *
     * @param name its file name
     * @param path where it can be loaded from
     * @param sizeBytes its size
     * @param sha256 its SHA-256 (the cache's content address)
     * @param url where it was downloaded from
     * @param verifiedBy what the SHA-256 was checked against: {@code catalog}, {@code hub} (the hub's
     *     {@code X-Linked-Etag}), {@code pinned} ({@code #sha256=} of a URL), {@code git-sha1}, or {@code none} (the
     *     server published no checksum)
     */
    public record File(String name, Path path, long sizeBytes, String sha256, String url, String verifiedBy) {
    }
}
