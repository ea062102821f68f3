package io.autoglm.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 and Git blob SHA-1 helpers. */
final class Hashes {
    private Hashes() {
    }

    static MessageDigest sha256() {
        return digest("SHA-256");
    }

    static MessageDigest sha1() {
        return digest("SHA-1");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** @return the SHA-256 of a string's UTF-8 bytes, in hex */
    static String sha256(String s) {
        return hex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** @return the file's SHA-256, in hex */
    static String sha256(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return hex(d.digest());
    }

    /** The header Git hashes before a blob's bytes: {@code "blob <size>\0"}. */
    static byte[] gitBlobHeader(long size) {
        return ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param etag an {@code ETag} or {@code X-Linked-Etag} value ({@code "abc"}, {@code W/"abc"})
     * @return the value without {@code W/} and quotes, lower case; null for null
     */
    static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        String s = etag.strip();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    static boolean isSha256(String s) {
        return s != null && s.matches("[0-9a-f]{64}");
    }

    static boolean isSha1(String s) {
        return s != null && s.matches("[0-9a-f]{40}");
    }
}
