package io.autoglm.testing;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Child-JVM side of {@link CliFuzz.Mode#WORKER}: reads one model path per line from stdin, runs the {@code autoglm}
 * CLI ({@code io.autoglm.cli.AutoGlmCli}, found by reflection so this class needs only the CLI on the class path)
 * with {@code --model PATH} inserted after the first argument, and prints {@code @@RESULT <code> <base64 stderr>}.
 * A native abort ends this JVM; the driver sees the missing result.
 *
 * <pre>{@code java -cp <cli and tests> io.autoglm.testing.FuzzWorker generate --prompt Hi --max-tokens 4}</pre>
 */
public final class FuzzWorker {
    /** Prefix of result lines on stdout. */
    public static final String MARK = "@@RESULT ";

    private FuzzWorker() {
    }

    /**
     * @param args the CLI arguments (command first); {@code --model PATH} is inserted after the command
     * @throws Exception when the CLI class is missing
     */
    public static void main(String[] args) throws Exception {
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        Class<?> cli = Class.forName("io.autoglm.cli.AutoGlmCli");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        while ((path = in.readLine()) != null) {
            List<String> a = new ArrayList<>();
            a.add(args[0]);
            a.add("--model");
            a.add(path);
            a.addAll(List.of(args).subList(1, args.length));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                    PrintStream o = new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
                System.setErr(e);
                System.setOut(o);
                try {
                    Object cl = cli.getMethod("commandLine").invoke(null);
                    code = (int) cl.getClass().getMethod("execute", String[].class).invoke(cl, (Object) a.toArray(new String[0]));
                } catch (InvocationTargetException ex) {
                    ex.getCause().printStackTrace(e);
                    code = 1;
                } finally {
                    System.setErr(realErr);
                    System.setOut(realOut);
                }
            }
            realOut.println(MARK + code + " " + Base64.getEncoder().encodeToString(err.toByteArray()));
            realOut.flush();
        }
    }
}
