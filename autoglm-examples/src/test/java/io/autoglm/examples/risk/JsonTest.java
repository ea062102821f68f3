package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written JSON of a decision's reasons is what Jackson writes and reads back. */
class JsonTest {

    @Test
    void reasons_areJacksonsJson_andReadBackUnchanged() throws Exception {
        List<String> reasons = List.of("model score 0.993 > 0.85: automatic rejection",
                "IP jumped to another continent since the previous transaction (9,920 km)",
                "quote \" backslash \\ slash / tab \t newline \n return \r bell \u0007 unicode \u00e9\u4e2d \uD83D\uDE00", "");
        Decision d = new Decision(1, 0.5, Decision.Action.REVIEW, reasons, List.of(), List.of());
        String json = Json.reasons(d);
        assertThat(json).isEqualTo(Json.MAPPER.writeValueAsString(reasons));
        assertThat(Json.MAPPER.readValue(json, new TypeReference<List<String>>() { })).isEqualTo(reasons);
        assertThat(Json.reasons(new Decision(2, 0.1, Decision.Action.APPROVE, List.of(), List.of(), List.of())))
                .isEqualTo("[]");
    }
}
