package io.autoglm.server.openai;

/** Fixed GBNF grammars for JSON output. */
public final class JsonGrammars {
    /**
     * Any JSON object (RFC 8259 syntax), whitespace limited to single spaces and newlines between
     * tokens so a small model cannot wander off into endless blanks.
     */
    public static final String JSON_OBJECT = """
            root    ::= obj
            obj     ::= "{" sp ( member ( "," sp member )* )? "}"
            member  ::= str sp ":" sp val sp
            arr     ::= "[" sp ( val sp ( "," sp val sp )* )? "]"
            val     ::= obj | arr | str | num | "true" | "false" | "null"
            str     ::= "\\"" chr* "\\""
            chr     ::= [^"\\\\\\x00-\\x1F] | "\\\\" esc
            esc     ::= ["\\\\/bfnrt] | "u" hex hex hex hex
            hex     ::= [0-9a-fA-F]
            num     ::= "-"? int frac? exp?
            int     ::= "0" | [1-9] [0-9]*
            frac    ::= "." [0-9]+
            exp     ::= [eE] [-+]? [0-9]+
            sp      ::= ( " " | "\\n" )?
            """;

    private JsonGrammars() {
    }
}
