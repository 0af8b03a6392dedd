package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The messages of Jetty's own answers name the rule broken and never echo the request. */
class JsonErrorHandlerTest {

  @Test
  void aRuleWithoutQuotedRequestDataIsKept() {
    assertThat(JsonErrorHandler.ruleOnly("Line Folding not supported", "Bad Request"))
        .isEqualTo("Line Folding not supported");
    assertThat(JsonErrorHandler.ruleOnly("Duplicate Host Header", "Bad Request"))
        .isEqualTo("Duplicate Host Header");
  }

  @Test
  void whatFollowsTheRuleIsCutSoNoHeaderValueComesBack() {
    String key = "sk-proj-secret-0123456789";
    for (String message :
        new String[] {
          "Invalid header value: Bearer " + key + "\u0000x",
          "Illegal character VCHAR='" + key + "'",
          "Invalid field \"authorization\" " + key,
          "Bad header (" + key + ")",
        }) {
      assertThat(JsonErrorHandler.ruleOnly(message, "Bad Request")).doesNotContain(key);
    }
    assertThat(JsonErrorHandler.ruleOnly("Invalid header value: Bearer " + key, "Bad Request"))
        .isEqualTo("Invalid header value");
  }

  @Test
  void aMessageThatIsAllRequestDataGivesTheReasonPhrase() {
    assertThat(JsonErrorHandler.ruleOnly(": x", "Bad Request")).isEqualTo("Bad Request");
    assertThat(JsonErrorHandler.ruleOnly("sk-\u0001secret", "Bad Request"))
        .isEqualTo("Bad Request");
    assertThat(JsonErrorHandler.ruleOnly("x".repeat(300), "Bad Request")).isEqualTo("Bad Request");
  }
}
