package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the lean engine's handler does on its own. */
class GatewayHandlerTest {

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * {@code Expect: 100-continue} is settled between the client and the gateway (Jetty answers 100
   * when the body is first read) and not sent upstream, where Jetty's client would hold the body
   * back for a 100 that an upstream reading the whole request first never sends.
   */
  @Test
  void expectContinueIsAnsweredByTheGatewayNotForwarded() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, request.body(), "Content-Type", "application/json"));
    gateway = Gateway.on("lean").start(dir, upstream.uri());
    String body = "{\"model\":\"gpt-4o\",\"messages\":[]}";
    String response =
        gateway.raw(
            "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                + body.getBytes(UTF_8).length
                + "\r\nConnection: close\r\n\r\n"
                + body);
    assertThat(response).contains("HTTP/1.1 200 ").endsWith(body);
    assertThat(upstream.onlyRequest().header("expect")).isNull();
    assertThat(upstream.onlyRequest().bodyText()).isEqualTo(body);
  }
}
