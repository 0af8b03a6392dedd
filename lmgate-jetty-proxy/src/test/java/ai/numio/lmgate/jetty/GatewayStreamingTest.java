package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every provider fixture through the real gateway, exact records. Unbuffered delivery is checked by
 * the contract suite ({@link StandaloneContractTest}), which runs against this gateway too.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayStreamingTest {

  private final String engine;

  GatewayStreamingTest(String engine) {
    this.engine =
        engine; // by constructor: the gateway starts in @BeforeAll, before field injection
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private RawUpstream upstream;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    gateway =
        Gateway.on(engine)
            .start(
                dir,
                upstream.uri(),
                Map.of(
                    "LMGATE_PROVIDERS__AZURE__UPSTREAM",
                    upstream.uri().toString(),
                    "LMGATE_PROVIDERS__AZURE__FORMAT",
                    "openai"));
  }

  @AfterEach
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
  }

  static Stream<JsonNode> fixtures() throws IOException {
    try (InputStream in = Gateway.class.getResourceAsStream("/fixtures/manifest.json")) {
      List<JsonNode> list = new ArrayList<>();
      JSON.readTree(in).forEach(list::add);
      return list.stream();
    }
  }

  /** Every provider fixture, served in pieces through the gateway, yields its exact record. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFixtureIsRecordedExactly(JsonNode fixture) throws Exception {
    byte[] body = Gateway.fixture(fixture.get("file").asText());
    int status = fixture.get("status").asInt();
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, status, fixture.get("content_type").asText());
          int third = body.length / 3;
          RawUpstream.chunk(out, body, 0, third);
          RawUpstream.chunk(out, body, third, third);
          RawUpstream.chunk(out, body, 2 * third, body.length - 2 * third);
          RawUpstream.lastChunk(out);
        });
    String path = fixture.get("path").asText();
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(gateway.uri(path))
                .header("x-api-key", Gateway.BETA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(new String(response.body(), UTF_8)).isEqualTo(new String(body, UTF_8));

    JsonNode record = gateway.awaitOnlyRecord();
    JsonNode expect = fixture.get("expect");
    for (Map.Entry<String, String> field :
        Map.of(
                "model", "model",
                "input_tokens", "input_tokens",
                "output_tokens", "output_tokens",
                "cache_read_tokens", "cache_read_tokens",
                "cache_write_tokens", "cache_write_tokens",
                "reasoning_tokens", "reasoning_tokens",
                "error_type", "error_type",
                "stream", "stream")
            .entrySet()) {
      assertThat(record.get(field.getKey()))
          .as(field.getKey())
          .isEqualTo(expect.get(field.getValue()));
    }
    assertThat(record.get("status").asInt()).isEqualTo(status);
    assertThat(record.get("owner").asText()).isEqualTo("team-beta");
    assertThat(record.get("endpoint").asText()).isEqualTo(path);
  }
}
