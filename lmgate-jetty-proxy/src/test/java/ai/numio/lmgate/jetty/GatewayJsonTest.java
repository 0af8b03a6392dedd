package ai.numio.lmgate.jetty;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway in front of a WireMock upstream: forwarding, authorization, records. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayJsonTest {

  @Parameter String engine;

  @TempDir Path dir;
  private WireMockServer upstream;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    gateway = Gateway.on(engine).start(dir, URI.create("http://127.0.0.1:" + upstream.port()));
  }

  @AfterEach
  void tearDown() {
    gateway.close();
    upstream.stop();
  }

  @Test
  void forwardsUnchangedAndRecordsTheExchange() throws Exception {
    byte[] body = Gateway.fixture("openai/chat-nonstream.json");
    upstream.stubFor(
        post(urlEqualTo("/v1/chat/completions?a=1&b=%2F+x"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("x-request-id", "req_abc123")
                    .withBody(body)));
    String request = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions?a=1&b=%2F+x"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .header("Accept-Encoding", "br, gzip")
                .header("X-Custom", "kept")
                .POST(HttpRequest.BodyPublishers.ofString(request))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    // the provider compressed (the client accepts gzip); the client gets those bytes unchanged
    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(new String(gunzip(response.body()), UTF_8)).isEqualTo(new String(body, UTF_8));
    assertThat(response.headers().firstValue("x-request-id")).hasValue("req_abc123");

    List<LoggedRequest> sent = upstream.findAll(anyRequestedFor(anyUrl()));
    assertThat(sent).hasSize(1);
    LoggedRequest forwarded = sent.get(0);
    assertThat(forwarded.getUrl()).isEqualTo("/v1/chat/completions?a=1&b=%2F+x");
    assertThat(forwarded.getBodyAsString()).isEqualTo(request);
    assertThat(forwarded.getHeader("Authorization")).isEqualTo("Bearer " + Gateway.ALPHA_KEY);
    assertThat(forwarded.getHeader("Host")).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(forwarded.getHeader("Accept-Encoding")).isEqualTo("gzip");
    assertThat(forwarded.getHeader("X-Custom")).isEqualTo("kept");
    assertThat(forwarded.containsHeader("Via")).isFalse();
    assertThat(forwarded.containsHeader("X-Forwarded-For")).isFalse();

    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("lmgate_id").asText()).isEqualTo("1");
    assertThat(record.get("owner").asText()).isEqualTo("team-alpha");
    assertThat(record.get("provider").asText()).isEqualTo("openai");
    assertThat(record.get("endpoint").asText()).isEqualTo("/openai/v1/chat/completions");
    assertThat(record.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("input_tokens").asLong()).isEqualTo(2006);
    assertThat(record.get("output_tokens").asLong()).isEqualTo(161);
    assertThat(record.get("cache_read_tokens").asLong()).isEqualTo(1792);
    assertThat(record.get("masked_key").asText()).isEqualTo("XYZ123");
    assertThat(record.get("method").asText()).isEqualTo("POST");
    assertThat(record.get("stream").asBoolean()).isFalse();
    assertThat(record.get("error_type").isNull()).isTrue();
    assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_abc123");
    assertThat(record.get("ttfb_ms").asLong()).isBetween(0L, record.get("duration_ms").asLong());
  }

  private static byte[] gunzip(byte[] bytes) throws java.io.IOException {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  @Test
  void deniedRequestsNeverReachTheUpstream() throws Exception {
    upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    for (String auth : new String[] {null, "Bearer sk-not-on-the-list", "Basic dXNlcjpwYXNz"}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/openai/v1/models")).GET();
      if (auth != null) {
        request.header("Authorization", auth);
      }
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(response.body())
          .isEqualTo("{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}");
    }
    assertThat(upstream.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  @Test
  void unknownPathsAndEscapesAreAnsweredByTheGateway() throws Exception {
    upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    HttpResponse<String> notFound =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/nowhere/v1/x"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.body())
        .isEqualTo(
            "{\"error\":\"not_found\",\"message\":\"no route matches this path; paths must start"
                + " with one of /openai/, /anthropic/, /google/, /gemini/\"}");
    for (String path :
        new String[] {
          "/openai/%2e%2e/anthropic/v1/messages", "/openai//v1/models", "/openai/v1%2fmodels"
        }) {
      HttpResponse<String> rejected =
          client.send(
              HttpRequest.newBuilder(gateway.uri(path))
                  .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                  .build(),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(rejected.statusCode()).as(path).isEqualTo(400);
    }
    assertThat(upstream.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void upstreamCertificatesAreVerified() throws Exception {
    WireMockServer selfSigned =
        new WireMockServer(options().dynamicPort().dynamicHttpsPort().bindAddress("127.0.0.1"));
    selfSigned.start();
    try (Gateway tls =
        Gateway.on(engine)
            .start(dir.resolve("tls"), URI.create("https://localhost:" + selfSigned.httpsPort()))) {
      selfSigned.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(tls.uri("/openai/v1/models"))
                  .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                  .build(),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(tls.awaitOnlyRecord().get("error_type").asText())
          .isEqualTo("upstream_unreachable");
      assertThat(selfSigned.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    } finally {
      selfSigned.stop();
    }
  }

  @Test
  void forwardedHeadersAreAddedOnlyWhenConfigured() throws Exception {
    int forwardingPort;
    upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
    try (Gateway forwarding =
        Gateway.on(engine)
            .start(
                dir.resolve("fwd"),
                URI.create("http://127.0.0.1:" + upstream.port()),
                java.util.Map.of("LMGATE_UPSTREAM__FORWARDED_HEADERS", "true"))) {
      forwardingPort = forwarding.server.port();
      client.send(
          HttpRequest.newBuilder(forwarding.uri("/openai/v1/models"))
              .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
              .build(),
          HttpResponse.BodyHandlers.ofString(UTF_8));
    }
    LoggedRequest forwarded = upstream.findAll(anyRequestedFor(anyUrl())).get(0);
    assertThat(forwarded.getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(forwarded.getHeader("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(forwarded.getHeader("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + forwardingPort);
    assertThat(forwarded.containsHeader("Via")).isTrue();
  }

  @Test
  void responseHeadersReachTheClientAsSentExceptHopByHopOnes() throws Exception {
    byte[] body = Gateway.fixture("openai/chat-nonstream.json");
    try (RawUpstream raw =
            new RawUpstream(
                (request, socket, out) ->
                    RawUpstream.fixedResponse(
                        out,
                        200,
                        body,
                        "Content-Type",
                        "application/json",
                        "Expires",
                        "Thu, 01 Dec 2026 16:00:00 GMT",
                        "Set-Cookie",
                        "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/",
                        "Set-Cookie",
                        "b=2; Path=/v1",
                        "Cache-Control",
                        "no-cache, no-store",
                        "openai-processing-ms",
                        "412",
                        "Connection",
                        "keep-alive, X-Hop",
                        "X-Hop",
                        "upstream-only",
                        "Keep-Alive",
                        "timeout=5",
                        "Proxy-Authenticate",
                        "Basic realm=\"upstream\""));
        Gateway gateway = Gateway.on(engine).start(dir.resolve("raw"), raw.uri())) {
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
                  .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(body);
      var headers = response.headers();
      assertThat(headers.allValues("Expires")).containsExactly("Thu, 01 Dec 2026 16:00:00 GMT");
      assertThat(headers.allValues("Set-Cookie"))
          .containsExactly("a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/", "b=2; Path=/v1");
      assertThat(headers.allValues("Cache-Control")).containsExactly("no-cache, no-store");
      assertThat(headers.allValues("openai-processing-ms")).containsExactly("412");
      assertThat(headers.allValues("Content-Length"))
          .containsExactly(Integer.toString(body.length));
      assertThat(headers.allValues("Date")).hasSize(1);
      assertThat(headers.map().keySet())
          .map(name -> name.toLowerCase(java.util.Locale.ROOT))
          .doesNotContain("x-hop", "keep-alive", "proxy-authenticate", "connection");
      assertThat(gateway.awaitOnlyRecord().get("output_tokens").asLong()).isEqualTo(161);
    }
  }

  @Test
  void redirectsAreHandedToTheClientNotFollowed() throws Exception {
    upstream.stubFor(
        any(anyUrl())
            .willReturn(
                aResponse()
                    .withStatus(307)
                    .withHeader("Location", "https://elsewhere.example/v1")));
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/openai/v1/models"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(307);
    assertThat(response.headers().firstValue("Location")).hasValue("https://elsewhere.example/v1");
    assertThat(upstream.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(307);
    assertThat(record.get("error_type").isNull()).isTrue();
  }

  @Test
  void healthzNeedsNoKey() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
  }
}
