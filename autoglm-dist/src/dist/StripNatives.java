import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Removes the native libraries of other platforms from a jar, in place (build-image.sh runs it with the build JDK's
 * source launcher, so the build needs no zip tool):
 *
 * <pre>{@code java StripNatives.java JAR KEEP_REGEX}</pre>
 *
 * <p>Every {@code .so}, {@code .dll}, {@code .dylib} and {@code .jnilib} entry whose path has no match of KEEP_REGEX
 * is deleted; it prints how many entries and bytes went.
 */
final class StripNatives {
    private static final Pattern NATIVE = Pattern.compile(".*\\.(so|dll|dylib|jnilib)$");

    private StripNatives() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java StripNatives.java JAR KEEP_REGEX");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Pattern keep = Pattern.compile(args[1]);
        long bytes = 0;
        int count = 0;
        try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            List<Path> drop;
            try (Stream<Path> all = Files.walk(fs.getPath("/"))) {
                drop = all.filter(Files::isRegularFile)
                        .filter(p -> NATIVE.matcher(p.toString()).matches() && !keep.matcher(p.toString()).find())
                        .toList();
            }
            for (Path p : drop) {
                bytes += Files.size(p);
                Files.delete(p);
                count++;
            }
        }
        System.out.printf("build-image: %d native libraries of other platforms (%.1f MB) left out of %s%n", count,
                bytes / 1e6, jar.getFileName());
    }
}
