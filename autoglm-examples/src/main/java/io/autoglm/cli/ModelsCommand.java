package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.hub.CachedModel;
import io.autoglm.hub.CatalogEntry;
import io.autoglm.hub.ModelHub;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code autoglm models}: what is in the cache (or, with --catalog, what names can be pulled). */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models in the cache: name, size, last use, path. --catalog lists the names that can be pulled.")
final class ModelsCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--catalog", description = "list the catalog (built-in plus AUTOGLM_CATALOG) instead of the cache")
    boolean catalog;

    @Option(names = "--json", description = "print a JSON array")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        ModelHub hub = ModelHub.builder().offline(true).build();
        if (catalog) {
            printCatalog(hub, out);
            return 0;
        }
        List<CachedModel> models = hub.cached();
        if (json) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (CachedModel m : models) {
                ObjectNode o = a.addObject();
                o.put("reference", m.reference());
                ArrayNode names = o.putArray("names");
                m.names().forEach(names::add);
                o.put("size_bytes", m.sizeBytes());
                o.put("last_used", m.lastUsed().toString());
                o.put("pulled_at", m.pulledAt().toString());
                o.put("commit", m.commit());
                o.put("complete", m.complete());
                o.put("path", m.path().toString());
                ArrayNode files = o.putArray("files");
                for (CachedModel.File f : m.files()) {
                    ObjectNode fo = files.addObject();
                    fo.put("name", f.name());
                    fo.put("path", f.path().toString());
                    fo.put("size_bytes", f.sizeBytes());
                    fo.put("sha256", f.sha256());
                    fo.put("url", f.url());
                    fo.put("verified_by", f.verifiedBy());
                }
            }
            Json.print(out, a);
            return 0;
        }
        if (models.isEmpty()) {
            out.println("no models in " + hub.cacheDir() + " (autoglm pull stories260k adds one)");
        } else {
            int w = Math.max(4, models.stream().mapToInt(m -> m.displayName().length()).max().orElse(4));
            out.printf(Locale.ROOT, "%-" + w + "s  %9s  %-16s  %s%n", "NAME", "SIZE", "LAST USED", "PATH");
            for (CachedModel m : models) {
                out.printf(Locale.ROOT, "%-" + w + "s  %9s  %-16s  %s%s%n", m.displayName(), PullProgress.size(m.sizeBytes()),
                        WHEN.format(m.lastUsed()), m.path(), m.complete() ? "" : "  (files missing: autoglm rm to clean up)");
            }
            long total = models.stream().mapToLong(CachedModel::sizeBytes).sum();
            out.printf(Locale.ROOT, "%d %s, %s in %s%n", models.size(), models.size() == 1 ? "model" : "models",
                    PullProgress.size(total), hub.cacheDir());
        }
        long partial = hub.partialBytes();
        if (partial > 0) {
            out.printf(Locale.ROOT, "%s in unfinished downloads (pull again to resume, rm to drop)%n", PullProgress.size(partial));
        }
        out.flush();
        return 0;
    }

    private void printCatalog(ModelHub hub, PrintWriter out) {
        if (json) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (CatalogEntry e : hub.catalog().entries()) {
                ObjectNode o = a.addObject();
                o.put("name", e.name());
                o.put("source", e.files().get(0).source().canonical());
                o.put("parts", e.files().size());
                o.put("size_bytes", e.sizeBytes());
                ArrayNode sha = o.putArray("sha256");
                e.files().forEach(f -> sha.add(f.sha256()));
                o.put("default", e.isDefault());
                o.put("description", e.description());
            }
            Json.print(out, a);
            return;
        }
        int w = hub.catalog().entries().stream().mapToInt(e -> e.name().length()).max().orElse(4);
        out.printf(Locale.ROOT, "%-" + w + "s  %9s  %-10s  %s%n", "NAME", "SIZE", "CHECKSUM", "DESCRIPTION");
        for (CatalogEntry e : hub.catalog().entries()) {
            boolean pinned = e.files().stream().allMatch(f -> f.sha256() != null);
            out.printf(Locale.ROOT, "%-" + w + "s  %9s  %-10s  %s%n", e.name(), e.sizeBytes() < 0 ? "?" : PullProgress.size(e.sizeBytes()),
                    pinned ? "catalog" : "hub", e.description());
        }
        out.flush();
    }
}
