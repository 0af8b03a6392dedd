package ai.numio.lmgate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ErrorResponseTest {

  @Test
  void forbiddenBodyIsExactlyTheSpecifiedOne() {
    assertThat(new String(ErrorResponse.FORBIDDEN.body(), UTF_8))
        .isEqualTo("{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}");
    assertThat(ErrorResponse.FORBIDDEN.status()).isEqualTo(403);
  }

  @Test
  void everyFailureMapsToItsStatusAndType() {
    assertThat(ErrorResponse.of(Failure.UPSTREAM_UNREACHABLE).status()).isEqualTo(502);
    assertThat(ErrorResponse.of(Failure.UPSTREAM_TIMEOUT).status()).isEqualTo(504);
    for (Failure failure : Failure.values()) {
      assertThat(ErrorResponse.of(failure).error()).isEqualTo(failure.answerError());
      assertThat(ErrorResponse.of(failure).status()).isEqualTo(failure.status());
    }
    assertThat(ErrorResponse.of(Failure.MALFORMED_REQUEST_BODY).error()).isEqualTo("bad_request");
    assertThat(Failure.MALFORMED_REQUEST_BODY.errorType()).isEqualTo("client_disconnected");
  }

  @Test
  void messagesAreEscapedIntoValidJson() throws Exception {
    ErrorResponse odd =
        new ErrorResponse(400, "bad_request", "a \"quoted\" \\ path\nwith a line break");
    assertThat(new ObjectMapper().readTree(odd.body()).get("message").asText())
        .isEqualTo("a \"quoted\" \\ path\nwith a line break");
  }
}
