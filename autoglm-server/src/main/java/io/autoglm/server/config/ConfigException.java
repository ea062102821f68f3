package io.autoglm.server.config;

import io.autoglm.AutoGLMException;

/**
 * A deploy configuration that cannot be used: invalid YAML, an unknown field, a bad value, a missing environment
 * variable. The message is one line, {@code FILE:LINE:COLUMN: FIELD: what is wrong}.
 */
public class ConfigException extends AutoGLMException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int column;
    private final String field;

    /**
     * @param file the file (as the user named it)
     * @param line 1-based line, 0 when unknown
     * @param column 1-based column, 0 when unknown
     * @param field the field's path such as {@code models[1].quantize}, or empty for the whole file
     * @param problem what is wrong
     */
    public ConfigException(String file, int line, int column, String field, String problem) {
        super(format(file, line, column, field, problem));
        this.file = file;
        this.line = line;
        this.column = column;
        this.field = field;
    }

    private static String format(String file, int line, int column, String field, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        sb.append(": ");
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(problem.replace('\n', ' ')).toString();
    }

    /** @return the file */
    public String file() {
        return file;
    }

    /** @return 1-based line, 0 when unknown */
    public int line() {
        return line;
    }

    /** @return 1-based column, 0 when unknown */
    public int column() {
        return column;
    }

    /** @return the field's path ({@code server.port}, {@code models[0].name}), empty for the whole file */
    public String field() {
        return field;
    }
}
