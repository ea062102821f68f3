package io.autoglm.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree whose every node knows its line and column (Jackson's tree model forgets them, and the
 * errors must name them). Scalars are kept as text; {@link ConfigReader} types them.
 */
final class YamlTree {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private YamlTree() {
    }

    /** A node: a map, a list, a scalar (text) or null, with where it starts. */
    record Node(Kind kind, int line, int column, String text, Map<String, Node> map, Map<String, int[]> keyAt,
            List<Node> list) {
        boolean isNull() {
            return kind == Kind.NULL;
        }
    }

    /** The kinds of node. */
    enum Kind {
        MAP, LIST, SCALAR, NULL
    }

    /**
     * @param yaml the document
     * @param file the file name for messages
     * @return its root node (a NULL node for an empty document)
     * @throws ConfigException for invalid YAML or a key given twice
     */
    static Node parse(String yaml, String file) {
        try (JsonParser p = YAML.createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new Node(Kind.NULL, 1, 1, null, Map.of(), Map.of(), List.of());
            }
            Node root = read(p, file, "");
            if (p.nextToken() != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new ConfigException(file, l.getLineNr(), l.getColumnNr(), "", "more than one YAML document; give one");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            // snakeyaml's messages run over several lines and repeat the location; the first line says what is wrong
            String first = msg == null ? e.getClass().getSimpleName() : msg.strip().lines().findFirst().orElse(msg);
            throw new ConfigException(file, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(), "",
                    "invalid YAML: " + first);
        } catch (IOException e) {
            throw new ConfigException(file, 0, 0, "", "cannot read: " + e.getMessage());
        }
    }

    private static Node read(JsonParser p, String file, String path) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int col = at.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Node> map = new LinkedHashMap<>();
                Map<String, int[]> keyAt = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation k = p.currentTokenLocation();
                    String child = path.isEmpty() ? key : path + "." + key;
                    if (map.containsKey(key)) {
                        throw new ConfigException(file, k.getLineNr(), k.getColumnNr(), child,
                                "given twice (first on line " + keyAt.get(key)[0] + ")");
                    }
                    keyAt.put(key, new int[] {k.getLineNr(), k.getColumnNr()});
                    p.nextToken();
                    map.put(key, read(p, file, child));
                }
                return new Node(Kind.MAP, line, col, null, map, keyAt, List.of());
            }
            case START_ARRAY -> {
                List<Node> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p, file, path + "[" + list.size() + "]"));
                }
                return new Node(Kind.LIST, line, col, null, Map.of(), Map.of(), list);
            }
            case VALUE_NULL -> {
                return new Node(Kind.NULL, line, col, null, Map.of(), Map.of(), List.of());
            }
            default -> {
                return new Node(Kind.SCALAR, line, col, p.getText(), Map.of(), Map.of(), List.of());
            }
        }
    }
}
