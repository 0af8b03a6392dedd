package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request body streamed over HTTP/2 (h2c) without {@code content-length} reaches the upstream
 * whole: HTTP/2 has no {@code Transfer-Encoding}, so a rule that looks only for a length or that
 * header would forward an empty body while the client gets the upstream's answer.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayHttp2BodyTest {

  @Parameter String engine;

  private static final String BODY =
      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
          + "\"content\":\""
          + "x".repeat(50_000)
          + "\"}]}";

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;

  @BeforeEach
  void setUp() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, Gateway.fixture("anthropic/messages-nonstream.json")));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
  }

  @AfterEach
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
  }

  @Test
  void theJdkClientsStreamingBodyOverH2cArrivesWhole() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // the first request upgrades the connection to h2c; the next one is HTTP/2 end to end
    HttpResponse<String> upgrade =
        h2.send(
            HttpRequest.newBuilder(gateway.uri("/anthropic/v1/models"))
                .header("x-api-key", Gateway.ALPHA_KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(upgrade.statusCode()).isEqualTo(200);
    gateway.awaitOnlyRecord();
    HttpResponse<String> response =
        h2.send(
            HttpRequest.newBuilder(gateway.uri("/anthropic/v1/messages"))
                .header("x-api-key", Gateway.ALPHA_KEY)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(BODY.getBytes(UTF_8))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(last().bodyText()).isEqualTo(BODY);
    assertThat(gateway.awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
  }

  /**
   * A fresh client's first request offers the upgrade with a chunked body: served over HTTP/1.1
   * (Jetty alone upgraded it and read the body as the HTTP/2 preface: a reset, nothing forwarded).
   */
  @Test
  void aStreamingBodyOfferingTheH2cUpgradeArrivesWhole() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> response =
        h2.send(
            HttpRequest.newBuilder(gateway.uri("/anthropic/v1/messages"))
                .header("x-api-key", Gateway.ALPHA_KEY)
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(BODY.getBytes(UTF_8))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(last().bodyText()).isEqualTo(BODY);
    assertThat(gateway.awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
    // a bodiless request on the same client still upgrades
    HttpResponse<String> models =
        h2.send(
            HttpRequest.newBuilder(gateway.uri("/anthropic/v1/models"))
                .header("x-api-key", Gateway.ALPHA_KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.version()).isEqualTo(HttpClient.Version.HTTP_2);
    gateway.awaitOnlyRecord();
  }

  @Test
  void curlsStreamedBodyWithPriorKnowledgeArrivesWhole() throws Exception {
    Process curl;
    try {
      curl =
          new ProcessBuilder(
                  List.of(
                      "curl",
                      "-s",
                      "-o",
                      "/dev/null",
                      "-w",
                      "%{http_version} %{http_code}",
                      "--http2-prior-knowledge",
                      "-X",
                      "POST",
                      "-T",
                      "-",
                      "-H",
                      "x-api-key: " + Gateway.ALPHA_KEY,
                      "-H",
                      "content-type: application/json",
                      gateway.uri("/anthropic/v1/messages").toString()))
              .start();
    } catch (IOException e) {
      Assumptions.abort("curl is not installed: " + e.getMessage());
      return;
    }
    try (OutputStream in = curl.getOutputStream()) {
      in.write(BODY.getBytes(UTF_8));
    }
    assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(curl.getInputStream().readAllBytes(), UTF_8)).isEqualTo("2 200");
    assertThat(last().bodyText()).isEqualTo(BODY);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
  }

  private RawUpstream.Received last() {
    List<RawUpstream.Received> received = upstream.received();
    return received.get(received.size() - 1);
  }
}
