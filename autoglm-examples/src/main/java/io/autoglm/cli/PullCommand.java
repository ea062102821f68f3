package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.hub.ResolvedModel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code autoglm pull REF}: downloads a model into the cache (or says it is already there). */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Download a model into the cache: a catalog name (stories260k, qwen2.5-0.5b-instruct:q4_k_m, "
                + "glm-4-9b-chat:q4_k_m, ...; see autoglm models --catalog), hf://owner/repo/path/file.gguf[@revision] "
                + "or an https:// URL (add #sha256=<hex> to pin its checksum).",
        footer = {"",
            "Downloads resume after a dropped connection or a killed process (HTTP Range), are retried with backoff,",
            "follow the hub's redirects to its CDN, are checked against their SHA-256 (the catalog's, the hub's",
            "X-Linked-Etag, or a #sha256= pin), and are moved into the cache atomically. Two processes pulling the",
            "same file wait for each other. A reference whose checksum is not pinned (a branch such as @main) is",
            "checked against the hub again and replaced when the file changed.",
            "",
            "Environment:",
            "  AUTOGLM_CACHE_DIR  cache root (default ~/.cache/autoglm); models go to its models/ folder",
            "  AUTOGLM_MODELS     folders searched after the cache by generate/chat/... (not by pull), separated by ':'",
            "  AUTOGLM_CATALOG    extra catalog files (NAME SOURCE [size=] [sha256=] [default] [-- description])",
            "  HF_TOKEN           access token for gated or private repositories (sent to the hub's host only)",
            "  HF_ENDPOINT        another hub or a mirror (default https://huggingface.co); files are fetched from",
            "                     {endpoint}/{owner}/{repo}/resolve/{revision}/{path}",
            "  HF_HUB_OFFLINE=1   never download (like --offline)",
            "  Proxies: the JDK's, e.g. JAVA_TOOL_OPTIONS=\"-Dhttps.proxyHost=proxy -Dhttps.proxyPort=3128\"",
            "",
            "Exit codes: 0 ok, 2 usage error, 3 the reference names nothing, the download failed, or offline and not cached."})
final class PullCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = "what to pull")
    String reference;

    @Option(names = "--offline", description = "no network: only report whether REF is already in the cache")
    boolean offline;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        ResolvedModel r = ModelOptions.hub(offline, spec.commandLine().getErr()).pull(reference);
        if (json) {
            ObjectNode o = Json.object();
            o.put("reference", r.reference());
            o.put("source", r.source().name().toLowerCase(Locale.ROOT));
            o.put("path", r.path().toString());
            o.put("size_bytes", r.sizeBytes());
            ArrayNode files = o.putArray("files");
            for (ResolvedModel.File f : r.files()) {
                ObjectNode fo = files.addObject();
                fo.put("path", f.path().toString());
                fo.put("size_bytes", f.sizeBytes());
                fo.put("sha256", f.sha256());
            }
            Json.print(out, o);
        } else {
            String what = r.source() == ResolvedModel.Source.DOWNLOADED ? "pulled" : "already in the cache:";
            out.printf(Locale.ROOT, "%s %s (%s, sha256 %s)%n%s%n", what, r.reference(), PullProgress.size(r.sizeBytes()),
                    r.files().get(0).sha256(), r.path());
            out.flush();
        }
        return 0;
    }
}
