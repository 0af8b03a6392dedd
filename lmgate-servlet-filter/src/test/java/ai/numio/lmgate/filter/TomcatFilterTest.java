package ai.numio.lmgate.filter;

import static ai.numio.lmgate.filter.GateFiles.BETA_KEY;
import static ai.numio.lmgate.filter.GateFiles.fixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every filter scenario in embedded Tomcat 10.1, and what Tomcat lets the filter see. */
class TomcatFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new TomcatContainer();
  }

  /**
   * A client that leaves while the application waits for its upstream (no response head yet), over
   * HTTP/1.1 (Tomcat's NIO connector): the record says 499 {@code client_disconnected} without
   * tokens, and the application's write fails at once.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled"})
  void aClientThatLeavesBeforeTheResponseHeadIsRecorded499(String client) throws Exception {
    clientLeavesBeforeTheResponseHead(client);
  }

  /**
   * Over HTTP/2 (h2c) Tomcat keeps a reset stream to itself: a client that leaves before the head
   * is not noticed then, only at the application's first write; LMGate says so once at INFO,
   * however many such requests come, and the requests are served as before.
   */
  @Test
  void overHttp2AClientThatLeavesBeforeTheHeadIsNoticedOnlyAtTheFirstWrite() throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json");
    CountDownLatch thinking = new CountDownLatch(1);
    CountDownLatch clientLeft = new CountDownLatch(1);
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              req.getInputStream().readAllBytes();
              if (req.getHeader("x-leave") != null) {
                thinking.countDown();
                clientLeft.await(10, SECONDS);
                Thread.sleep(300);
              }
              resp.setContentType("application/json");
              resp.getOutputStream().write(answer);
              resp.getOutputStream().flush();
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));
    String url = server.uri("/app/anthropic/v1/messages").toString();
    TomcatClientConnection.forgetSaid();

    try (LogCapture log = new LogCapture(TomcatClientConnection.class)) {
      Process leaving;
      try {
        leaving = curl("-H", "x-leave: yes", url).start();
      } catch (IOException e) {
        Assumptions.abort("curl is not installed");
        return;
      }
      assertThat(thinking.await(10, SECONDS)).isTrue();
      leaving.destroyForcibly().waitFor();
      Thread.sleep(200); // the close reaches the server
      clientLeft.countDown();
      Process staying = curl(url).redirectErrorStream(true).start();
      assertThat(new String(staying.getInputStream().readAllBytes(), UTF_8))
          .isEqualTo(new String(answer, UTF_8));
      assertThat(staying.waitFor()).isZero();
      List<JsonNode> records = files.awaitRecords(2, gate::flushRecords);
      // the one that left: noticed at the first write, after its head (status and tokens of
      // what was written); the one that stayed: served
      assertThat(records)
          .extracting(r -> r.get("status").asInt() + " " + r.get("error_type").asText())
          .containsExactlyInAnyOrder("200 client_disconnected", "200 null");

      assertThat(log.lines())
          .containsExactly(
              new LogCapture.Line(
                  Level.INFO,
                  "LMGate cannot look at Tomcat's client connections for requests over HTTP/2.0"
                      + " read by org.apache.coyote.http2.Stream$StandardStreamInputBuffer: a client"
                      + " that leaves before the response head is noticed only when a write to it"
                      + " fails",
                  null));
    }
  }

  private static ProcessBuilder curl(String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "curl",
                "-s",
                "--http2-prior-knowledge",
                "-d",
                "{}",
                "-H",
                "x-api-key: " + BETA_KEY,
                "-H",
                "Content-Type: application/json"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }
}
