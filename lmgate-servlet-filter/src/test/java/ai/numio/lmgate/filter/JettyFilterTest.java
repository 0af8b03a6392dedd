package ai.numio.lmgate.filter;

import static ai.numio.lmgate.filter.GateFiles.BETA_KEY;
import static ai.numio.lmgate.filter.GateFiles.fixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
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
   * record says 499 {@code client_disconnected} without tokens, not the 200 nobody received, and
   * the application's write fails at once (its connection is closed), over HTTP/1.1 as over HTTP/2.
   * The application's own egress stays in charge of its upstream request.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled", "HTTP/2 curl killed"})
  void aClientThatLeavesBeforeTheResponseHeadIsRecorded499(String client) throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json");
    CountDownLatch thinking = new CountDownLatch(1);
    CountDownLatch clientLeft = new CountDownLatch(1);
    AtomicReference<Throwable> writeFailure = new AtomicReference<>();
    CountDownLatch written = new CountDownLatch(1);
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              req.getInputStream().readAllBytes();
              thinking.countDown();
              clientLeft.await(10, SECONDS); // the upstream answers once the client has gone
              Thread.sleep(300);
              try {
                resp.setContentType("application/json");
                resp.getOutputStream().write(answer);
                resp.getOutputStream().flush();
              } catch (IOException e) {
                writeFailure.set(e);
                throw e;
              } finally {
                written.countDown();
              }
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));
    String path = "/app/anthropic/v1/messages";

    switch (client) {
      case "HTTP/1.1 socket closed" -> {
        try (Socket socket = new Socket("127.0.0.1", server.uri("/").getPort())) {
          socket
              .getOutputStream()
              .write(
                  ("POST "
                          + path
                          + " HTTP/1.1\r\nHost: app\r\nx-api-key: "
                          + BETA_KEY
                          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                      .getBytes(UTF_8));
          socket.getOutputStream().flush();
          assertThat(thinking.await(10, SECONDS)).isTrue();
        }
      }
      case "HTTP/1.1 JDK client cancelled" -> {
        CompletableFuture<HttpResponse<String>> response =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(
                    request(path, "x-api-key", BETA_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(thinking.await(10, SECONDS)).isTrue();
        response.cancel(true); // closes its connection (JDK 16+)
      }
      default -> {
        Process curl;
        try {
          curl =
              new ProcessBuilder(
                      "curl",
                      "-s",
                      "--http2-prior-knowledge",
                      "-d",
                      "{}",
                      "-H",
                      "x-api-key: " + BETA_KEY,
                      server.uri(path).toString())
                  .start();
        } catch (IOException e) {
          Assumptions.abort("curl is not installed");
          return;
        }
        assertThat(thinking.await(10, SECONDS)).isTrue();
        curl.destroyForcibly().waitFor();
      }
    }
    Thread.sleep(200); // the close reaches the server
    clientLeft.countDown();

    assertThat(written.await(10, SECONDS)).isTrue();
    assertThat(writeFailure.get()).as("the application's write fails").isNotNull();
    JsonNode record = files.awaitOnlyRecord(gate);
    assertThat(record.get("status").asInt()).isEqualTo(499);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("output_tokens").isNull()).isTrue();
  }
}
