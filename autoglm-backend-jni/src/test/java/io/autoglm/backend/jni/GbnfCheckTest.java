package io.autoglm.backend.jni;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GbnfCheckTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "root ::= \"yes\" | \"no\"",
        "root ::= answer\nanswer ::= [a-z]+ (\" \" [a-z]+)*\n",
        "# comment\nroot ::= ( \"a\" |\n  \"b\" ) {2,3} x?\nx ::= [^\\n\\]] . \"\\x41\\u00e9\"\n",
        "root ::= item{3}\nitem ::= [0-9]",
        "root ::= \"{\" ws \"}\"\nws ::= [ \\t\\n]*",
    })
    void validGrammars_pass(String g) {
        assertThatCode(() -> GbnfCheck.validate(g)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   \n", "root ::= ( \"unclosed\"", "root ::= \"open", "root = \"x\"", "main ::= \"x\"",
        "root ::= other", "root ::= [a-z", "root ::= * \"a\"", "root ::= \"\\q\"", "root ::= \"a\"{x}",
        "root ::= \"a\" )",
    })
    void invalidGrammars_areRejected(String g) {
        assertThatThrownBy(() -> GbnfCheck.validate(g)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid GBNF grammar");
    }
}
