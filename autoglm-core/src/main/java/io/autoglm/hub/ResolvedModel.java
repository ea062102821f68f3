package io.autoglm.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A model reference turned into local files.
 *
 * @param reference the reference as given
 * @param path the file to load: the only file, or the first part of a split model (llama.cpp finds the others
 *     beside it)
 * @param files every file, in part order
 * @param source where the files were found
 */
public record ResolvedModel(String reference, Path path, List<File> files, Source source) {
    /**
     * @param reference the reference as given
     * @param path the file to load
     * @param files every file, at least one
     * @param source where they were found
     */
    public ResolvedModel {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(source, "source");
        files = List.copyOf(files);
    }

    /** @return the total size of the files in bytes */
    public long sizeBytes() {
        return files.stream().mapToLong(File::sizeBytes).sum();
    }

    /** Where a model's files were found. */
    public enum Source {
        /** a local path, used as it is */
        LOCAL,
        /** the model cache, downloaded earlier */
        CACHE,
        /** a folder on {@code AUTOGLM_MODELS} (used in place, not copied) */
        SEARCH_PATH,
        /** downloaded just now into the cache */
        DOWNLOADED
    }

    /**
     * One file of a resolved model.
     *
     * @param path where it is
     * @param sizeBytes its size
     * @param sha256 its verified SHA-256, or empty when it was not hashed (local paths, files on
     *     {@code AUTOGLM_MODELS}, whose sizes alone are checked against the catalog)
     */
    public record File(Path path, long sizeBytes, String sha256) {
        /**
         * @param path where it is
         * @param sizeBytes its size
         * @param sha256 its SHA-256 or empty
         */
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }
}
