package ai.numio.lmgate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.config.ErrorFormat;
import ai.numio.lmgate.route.Format;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ErrorShapeTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void lmgateFormatKeepsLMGatesOwnBytesForEveryRoute() {
    for (Format format : Format.values()) {
      assertThat(ErrorShape.of(ErrorFormat.LMGATE, format)).isEqualTo(ErrorShape.LMGATE);
    }
    assertThat(ErrorShape.of(ErrorFormat.PROVIDER, null)).isEqualTo(ErrorShape.LMGATE);
  }

  @Test
  void openAiShapeCarriesMessageTypeAndLMGatesCode() {
    assertThat(text(ErrorResponse.FORBIDDEN, ErrorShape.OPENAI))
        .isEqualTo(
            "{\"error\":{\"message\":\"API key not authorized\",\"type\":\"permission_error\","
                + "\"param\":null,\"code\":\"forbidden\"}}");
    assertThat(text(ErrorResponse.of(Failure.UPSTREAM_TIMEOUT), ErrorShape.OPENAI))
        .isEqualTo(
            "{\"error\":{\"message\":\"Upstream provider did not answer in time\","
                + "\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_timeout\"}}");
  }

  @Test
  void anthropicShapeUsesAnthropicsDocumentedTypes() {
    assertThat(text(ErrorResponse.of(Failure.UPSTREAM_TIMEOUT), ErrorShape.ANTHROPIC))
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"timeout_error\","
                + "\"message\":\"Upstream provider did not answer in time\"}}");
    assertThat(ErrorShape.anthropicType(404)).isEqualTo("not_found_error");
    assertThat(ErrorShape.anthropicType(429)).isEqualTo("rate_limit_error");
    assertThat(ErrorShape.anthropicType(400)).isEqualTo("invalid_request_error");
    assertThat(ErrorShape.anthropicType(502)).isEqualTo("api_error");
  }

  @Test
  void googleShapeHasCodeStatusAndAnErrorInfoNamingLMGatesType() throws Exception {
    JsonNode body =
        JSON.readTree(ErrorResponse.of(Failure.UPSTREAM_UNREACHABLE).body(ErrorShape.GOOGLE));
    assertThat(body.at("/error/code").asInt()).isEqualTo(502);
    assertThat(body.at("/error/status").asText()).isEqualTo("UNAVAILABLE");
    assertThat(body.at("/error/message").asText())
        .isEqualTo("Upstream provider could not be reached");
    assertThat(body.at("/error/details/0/@type").asText())
        .isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(body.at("/error/details/0/reason").asText()).isEqualTo("UPSTREAM_UNREACHABLE");
    assertThat(body.at("/error/details/0/domain").asText()).isEqualTo("lmgate");
    assertThat(ErrorShape.googleStatus(403)).isEqualTo("PERMISSION_DENIED");
    assertThat(ErrorShape.googleStatus(429)).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(ErrorShape.googleStatus(504)).isEqualTo("DEADLINE_EXCEEDED");
  }

  @Test
  void everyShapeEscapesTheMessageIntoValidJson() throws Exception {
    ErrorResponse odd = new ErrorResponse(400, "bad_request", "a \"q\" \\ \n\u0001 é");
    for (ErrorShape shape : ErrorShape.values()) {
      JsonNode body = JSON.readTree(odd.body(shape));
      String message =
          shape == ErrorShape.LMGATE
              ? body.get("message").asText()
              : body.at("/error/message").asText();
      assertThat(message).as(shape.name()).isEqualTo("a \"q\" \\ \n\u0001 é");
    }
  }

  private static String text(ErrorResponse error, ErrorShape shape) {
    return new String(error.body(shape), UTF_8);
  }
}
