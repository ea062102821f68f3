package io.autoglm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the bundled llama.cpp library into the cache folder, and the check that spares it. */
class BundledLibraryTest {
    @TempDir
    Path cache;

    private static byte[] resourceBytes() throws Exception {
        URL url = BundledLibrary.find("de/kherud/llama/" + BundledLibrary.platformFolder() + "/"
                + BundledLibrary.libraryFileName());
        assertThat(url).as("the de.kherud:llama jar on the test class path").isNotNull();
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void extract_writesTheLibraryOnce_andKeepsAnIntactCopy() throws Exception {
        byte[] expected = resourceBytes();
        Path lib = BundledLibrary.extract(cache);
        assertThat(lib).startsWith(cache).hasBinaryContent(expected);
        // an old time stamp shows whether the file is written again
        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() - 3_600_000);
        Files.setLastModifiedTime(lib, old);
        Object key = Files.readAttributes(lib, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(BundledLibrary.extract(cache)).isEqualTo(lib);
        assertThat(Files.getLastModifiedTime(lib)).isEqualTo(old);
        assertThat(Files.readAttributes(lib, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(key);
        assertThat(BundledLibrary.sameAsEntry(BundledLibrary.find("de/kherud/llama/" + BundledLibrary.platformFolder() + "/"
                + BundledLibrary.libraryFileName()), lib)).as("checked by the jar entry's size and CRC-32").isTrue();
    }

    @Test
    void extract_replacesACorruptedOrTruncatedCopy() throws Exception {
        byte[] expected = resourceBytes();
        Path lib = BundledLibrary.extract(cache);
        byte[] flipped = expected.clone();
        flipped[flipped.length / 2] ^= 0x40; // same size, one bit different
        Files.write(lib, flipped);
        assertThat(BundledLibrary.extract(cache)).hasBinaryContent(expected);
        Files.write(lib, java.util.Arrays.copyOf(expected, expected.length - 1));
        assertThat(BundledLibrary.extract(cache)).hasBinaryContent(expected);
        Files.delete(lib);
        assertThat(BundledLibrary.extract(cache)).hasBinaryContent(expected);
    }
}
