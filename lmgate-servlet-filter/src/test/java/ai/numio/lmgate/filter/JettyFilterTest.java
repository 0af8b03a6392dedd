package ai.numio.lmgate.filter;

import static ai.numio.lmgate.filter.GateFiles.BETA_KEY;
import static ai.numio.lmgate.filter.GateFiles.fixture;
import static java.net.http.HttpRequest.BodyPublishers.ofString;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every filter scenario in embedded Jetty 12 (ee10), and what only Jetty lets the filter see. */
class JettyFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new JettyContainer();
  }

  /**
   * A client that leaves while the application waits for its upstream (no response head yet): the
   * record says 499 {@code client_disconnected} without tokens, and the application's write fails
   * at once, over HTTP/1.1 as over HTTP/2 (Jetty reads an HTTP/2 connection all the time).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled", "HTTP/2 curl killed"})
  void aClientThatLeavesBeforeTheResponseHeadIsRecorded499(String client) throws Exception {
    clientLeavesBeforeTheResponseHead(client);
  }

  /**
   * Over HTTP/2 a client that cancels one request before its head ends that stream only: the record
   * says 499 for it, and the other request on the same connection is answered whole.
   */
  @Test
  void overHttp2ACancelledRequestLeavesTheOtherStreamsOfItsConnectionAlone() throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json");
    CountDownLatch bothThinking = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              req.getInputStream().readAllBytes();
              if (req.getHeader("x-wait") != null) {
                bothThinking.countDown();
                release.await(10, SECONDS);
                Thread.sleep(300);
              }
              resp.setContentType("application/json");
              resp.getOutputStream().write(answer);
              resp.getOutputStream().flush();
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));
    String path = "/app/anthropic/v1/messages";
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> first =
        h2.send(
            request(path, "x-api-key", BETA_KEY).GET().build(), // upgrades the connection to h2c
            HttpResponse.BodyHandlers.ofString());
    assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);

    CompletableFuture<HttpResponse<String>> leaving =
        h2.sendAsync(
            request(path, "x-api-key", BETA_KEY).header("x-wait", "a").POST(ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> staying =
        h2.sendAsync(
            request(path, "x-api-key", BETA_KEY).header("x-wait", "b").POST(ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bothThinking.await(10, SECONDS)).isTrue();
    leaving.cancel(true); // resets its stream (JDK 16+)
    Thread.sleep(200); // the reset reaches the server
    release.countDown();

    HttpResponse<String> answered = staying.get(10, SECONDS);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo(new String(answer, UTF_8));
    List<JsonNode> records = files.awaitRecords(3, gate::flushRecords);
    assertThat(records)
        .extracting(r -> r.get("status").asInt() + " " + r.get("error_type").asText())
        .containsExactlyInAnyOrder("200 null", "200 null", "499 client_disconnected");
  }
}
