package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile input: route escapes, header injection, oversized headers, smuggling probes, odd and
 * duplicate credentials, h2c. Every test runs with LMGate's loggers at DEBUG and every log line is
 * searched for a full key afterwards.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewaySecurityTest {

  @Parameter String engine;

  /** A well-formed key that is on no allow-list. */
  private static final String UNKNOWN_KEY = "sk-proj-unknown-but-secret-key-9876543210";

  private static final String FORBIDDEN =
      "{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}";

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Level lmgateLevel;

  @BeforeEach
  void setUp() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger lmgate = (Logger) LoggerFactory.getLogger("ai.numio.lmgate");
    lmgateLevel = lmgate.getLevel();
    lmgate.setLevel(Level.DEBUG); // an operator chasing a problem with logging.level DEBUG
    logs.start();
    root.addAppender(logs);
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              // one request per connection: no pooled connection the upstream is closing
              RawUpstream.chunkedHead(out, 200, "application/json", "Connection", "close");
              RawUpstream.chunk(out, "{\"model\":\"m\",\"usage\":{\"input_tokens\":1}}");
              RawUpstream.lastChunk(out);
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
  }

  @AfterEach
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger("ai.numio.lmgate")).setLevel(lmgateLevel);
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    // whatever a test sent, no log line holds a full key
    for (ILoggingEvent event : logs.list) {
      String text = event.getFormattedMessage() + throwableText(event.getThrowableProxy());
      for (String key : new String[] {Gateway.ALPHA_KEY, Gateway.BETA_KEY, UNKNOWN_KEY}) {
        assertThat(text).as(event.getLoggerName()).doesNotContain(key);
      }
    }
  }

  @Test
  void routeEscapesNeverReachAnUpstream() throws Exception {
    for (String path :
        new String[] {
          "/openai/../anthropic/v1/messages",
          "/openai/%2e%2e/anthropic/v1/messages",
          "/openai/.%2E/anthropic/v1/messages",
          "/openai/..%2fanthropic/v1/messages",
          "/openai/v1%2F..%2F..%2Fanthropic/v1/messages",
          "/openai//v1/models",
          "//openai/v1/models",
          "/openai/./v1/models",
          "/openai/%2e/v1/models",
          "/openai/v1/%2e%2e/%2e%2e/anthropic",
          "/openai/v1/%5c..%5canthropic",
          "/openai/..;/anthropic/v1/messages",
          "/openai/v1/..;/..;/anthropic/v1/messages",
          "/openai/%252e%252e/anthropic/v1/messages",
          "/openai/v1/models%00",
          "/openai/v1/models%0d%0aX-Injected:%20yes",
          "/openai/v1/models#fragment",
          "http://evil.example/../anthropic/v1/messages",
        }) {
      String response = gateway.raw(get(path, "x-api-key: " + Gateway.ALPHA_KEY));
      assertThat(response).as(path).startsWith("HTTP/1.1 400 ");
      assertJsonError(response, "bad_request");
    }
    String backslashes = gateway.raw(get("/openai/v1\\..\\..\\anthropic", "x-api-key: x"));
    assertThat(backslashes).startsWith("HTTP/1.1 400 ");
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  @Test
  void prefixLookalikesAreNotFound() throws Exception {
    for (String path :
        new String[] {"/OPENAI/v1/models", "/openai", "/openai;x=1/v1/models", "/openaiX/v1"}) {
      String response = gateway.raw(get(path, "x-api-key: " + Gateway.ALPHA_KEY));
      assertThat(response).as(path).startsWith("HTTP/1.1 404 ");
      assertJsonError(response, "not_found");
    }
    assertThat(upstream.received()).isEmpty();
  }

  /** The upstream comes from configuration only, never from an absolute URI or a Host header. */
  @Test
  void anAbsoluteRequestTargetStillGoesToTheConfiguredUpstream() throws Exception {
    String response =
        gateway.raw(
            "GET http://evil.example/openai/v1/models HTTP/1.1\r\nHost: evil.example\r\n"
                + "Authorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ");
    RawUpstream.Received received = upstream.onlyRequest();
    assertThat(received.requestLine()).isEqualTo("GET /v1/models HTTP/1.1");
    assertThat(received.header("host")).isEqualTo(upstream.uri().getAuthority());
    assertThat(gateway.awaitOnlyRecord().get("endpoint").asText()).isEqualTo("/openai/v1/models");
  }

  @Test
  void aQueryAUrlCannotCarryIsRefusedWithJsonNotAServerError() throws Exception {
    String response =
        gateway.raw(get("/openai/v1/models?a=|b{c}", "Authorization: Bearer " + Gateway.ALPHA_KEY));
    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).contains("{\"error\":\"bad_request\"").doesNotContain("127.0.0.1");
    assertThat(upstream.received()).isEmpty();
  }

  /**
   * CR, LF, NUL or folding in a header: 400 before routing, so nothing can be injected upstream.
   */
  @Test
  void headerInjectionIsRefused() throws Exception {
    String auth = "Authorization: Bearer " + Gateway.ALPHA_KEY;
    for (String headers :
        new String[] {
          auth + "\r\nX-A: a\rX-Injected: b", // bare CR inside a value
          auth + "\r\nX-A: a\u0000b", // NUL inside a value
          auth + "\u0000", // NUL after the key
          "Authorization: Bearer \u0000" + Gateway.ALPHA_KEY,
          auth + "\r\nX\u0000A: b", // NUL inside a name
          auth + "\r\nX A: b", // space inside a name
          "Authorization : Bearer " + Gateway.ALPHA_KEY, // space before the colon
          auth + "\r\nX-A: a\r\n X-Injected: folded", // obs-fold
          "Authorization: Bearer\r\n " + Gateway.ALPHA_KEY, // the key folded onto a new line
          "x-api-key: x\r\n\t" + Gateway.ALPHA_KEY, // folded with a tab
          auth + "\r\n: no-name",
        }) {
      String response = gateway.raw(get("/openai/v1/models", headers));
      assertThat(response).as(headers).startsWith("HTTP/1.1 400 ");
      assertJsonError(response, "bad_request");
    }
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  /** What HTTP allows in a value (tab, bytes 0x80-0xFF, LF-only lines) passes through unchanged. */
  @Test
  void legalOddHeadersAndEncodedControlsInTheQueryAreForwardedAsSent() throws Exception {
    String response =
        gateway.raw(
            "GET /openai/v1/models?q=%0d%0aX-Injected:%20yes HTTP/1.1\nHost: gw\n"
                + "Authorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\nX-Tab: a\tb\r\nX-Latin: caf\u00e9 \u0080\u00ff\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ");
    RawUpstream.Received received = upstream.onlyRequest();
    assertThat(received.requestLine())
        .isEqualTo("GET /v1/models?q=%0d%0aX-Injected:%20yes HTTP/1.1");
    assertThat(received.headerNames()).doesNotContain("x-injected");
    assertThat(received.header("x-tab")).isEqualTo("a\tb");
    assertThat(received.header("x-latin")).isEqualTo("caf\u00e9 \u0080\u00ff");
  }

  @Test
  void oversizedHeadersAre431() throws Exception {
    StringBuilder many = new StringBuilder("Authorization: Bearer " + Gateway.ALPHA_KEY);
    for (int i = 0; i < 400; i++) {
      many.append("\r\nX-Header-").append(i).append(": value-").append(i);
    }
    for (String headers :
        new String[] {
          "X-Big: " + "a".repeat(64 * 1024), // one huge header
          many.toString(), // 400 small ones, 10 KB in all
          "Authorization: Bearer " + Gateway.ALPHA_KEY + "x".repeat(16 * 1024), // a huge key
        }) {
      String response = gateway.raw(get("/openai/v1/models", headers));
      assertThat(response).startsWith("HTTP/1.1 431 ");
      assertJsonError(response, "request_header_fields_too_large");
    }
    String longUri =
        gateway.raw(
            get(
                "/openai/v1/models?q=" + "a".repeat(16 * 1024),
                "Authorization: Bearer " + Gateway.ALPHA_KEY));
    assertThat(longUri).startsWith("HTTP/1.1 414 ");
    assertJsonError(longUri, "uri_too_long");
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  /** Framing an HTTP parser might read two ways: refused, never forwarded. */
  @Test
  void smugglingProbesDoNotReachTheUpstream() throws Exception {
    String auth = "x-api-key: " + Gateway.ALPHA_KEY + "\r\n";
    for (String framing :
        new String[] {
          "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
          "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
          "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
          "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
          "Content-Length: 2, 2\r\n\r\n{}",
          "Content-Length: +2\r\n\r\n{}",
          "Content-Length: -1\r\n\r\n{}",
          "Content-Length: 99999999999999999999999\r\n\r\n{}",
          "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
          "Transfer-Encoding: gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
          "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
          "Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
          "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        }) {
      String response =
          gateway.raw(
              "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\n"
                  + auth
                  + "Connection: close\r\n"
                  + framing);
      assertThat(response).as(framing).startsWith("HTTP/1.1 400 ");
      assertJsonError(response, "bad_request");
    }
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  /**
   * A second request hidden after a complete chunked body is only a pipelined request: it is
   * authorized on its own (here: no key, 403) and never rides on the first one's key.
   */
  @Test
  void aPipelinedRequestIsAuthorizedOnItsOwn() throws Exception {
    String response =
        gateway.raw(
            "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nx-api-key: "
                + Gateway.ALPHA_KEY
                + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /anthropic/v1/models HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ");
    assertThat(response).contains("\r\n\r\nHTTP/1.1 403 Forbidden\r\n").endsWith(FORBIDDEN);
    assertThat(upstream.onlyRequest().requestLine())
        .isEqualTo("POST /v1/chat/completions HTTP/1.1");
    assertThat(gateway.awaitOnlyRecord().get("provider").asText()).isEqualTo("openai");
  }

  /**
   * Duplicate, odd and malformed credentials (raw bytes included): a clear 200 or 403, never
   * anything else, and only an allowed key reaches the upstream.
   */
  @Test
  void oddAndDuplicateCredentialsGetAClearAnswer() throws Exception {
    String key = Gateway.ALPHA_KEY;
    String other = "sk-other-key-0000000000000000";
    Object[][] cases = {
      // header lines, expected status
      {"Authorization: Bearer " + key + "\r\nAuthorization: Bearer " + key, 200},
      {"Authorization: Bearer " + key + "\r\nAuthorization: Bearer " + other, 403},
      {"Authorization: Bearer " + other + "\r\nAuthorization: Bearer " + key, 403},
      {"Authorization: Bearer " + key + ", Bearer " + other, 403},
      {"Authorization: Bearer " + key + "\r\nx-api-key: " + other, 403},
      {"x-api-key: " + key + "\r\nx-goog-api-key: " + other, 403},
      {"x-api-key: " + key + "\r\nx-api-key: " + key, 200},
      {"Authorization: Bearer", 403},
      {"Authorization: Bearer ", 403},
      {"Authorization: Basic c2stcHJvajpzZWNyZXQ=", 403},
      {"Authorization: Basic " + key, 403},
      // a credential LMGate cannot check, beside the key it checked: refused (issue 15)
      {"Authorization: Basic Zm9vOmJhcg==\r\nx-api-key: " + key, 403},
      {"Authorization: Token " + other + "\r\nx-api-key: " + key, 403},
      {"Authorization: Bearer:" + other + "\r\nx-api-key: " + key, 403},
      {"x-api-key: " + key + "\r\nx_api_key: " + other, 403},
      {"x-api-key: " + key + "\r\nX_Goog_Api_Key: " + other, 403},
      {"x-api-key: " + key + "\r\nx_request_id: 7", 200}, // not a credential name
      {"Authorization: bearer " + key, 200},
      {"Authorization: BEARER " + key, 200},
      {"Authorization:    Bearer    " + key + "   ", 200},
      {"Authorization:\tBearer " + key + "\t", 200},
      {"Authorization: Bearer\t" + key, 403}, // the scheme ends at a space
      {"Authorization: Bearer" + key, 403},
      {"Authorization: Bearer " + key + " x", 403},
      {"Authorization: Bearer sk-proj alpha-0123456789", 403},
      {"Authorization: Bearer " + key + "\u00e9", 403}, // raw byte 0xE9 after the key
      {"Authorization: Bearer \u0080\u00ff" + key, 403}, // raw bytes 0x80 0xFF before it
      {"x-api-key: " + key + "\u00a0", 403}, // a no-break space
      {"x-api-key: sk-\u00e9\u00e8-non-ascii-key", 403},
      {"X-API-KEY: " + key, 200},
      {"x-api-key:" + key, 200},
      {"x-api-key: " + UNKNOWN_KEY, 403},
    };
    int forwarded = 0;
    for (Object[] c : cases) {
      String headers = (String) c[0];
      int status = (Integer) c[1];
      String response = gateway.raw(get("/openai/v1/models", headers));
      assertThat(response).as(headers).startsWith("HTTP/1.1 " + status + " ");
      if (status == 403) {
        assertThat(response).as(headers).endsWith("\r\n\r\n" + FORBIDDEN);
      } else {
        forwarded++;
      }
    }
    for (String query : new String[] {"key=", "KEY=", "alt=sse;key=", "api_key=", "apiKey="}) {
      String keyInQuery =
          gateway.raw(get("/gemini/v1beta/models?" + query + other, "x-goog-api-key: " + key));
      assertThat(keyInQuery).as(query).startsWith("HTTP/1.1 403 ");
    }
    assertThat(upstream.received()).hasSize(forwarded);
    for (RawUpstream.Received received : upstream.received()) {
      assertThat(String.join("\n", received.headerLines())).contains(key).doesNotContain(other);
    }
    List<JsonNode> records = gateway.records();
    assertThat(records).hasSize(forwarded);
    assertThat(records)
        .allSatisfy(r -> assertThat(r.get("owner").asText()).isEqualTo("team-alpha"));
  }

  @Test
  void h2cIsServedOnTheSamePort() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> response =
        h2.send(
            HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"model\":\"m\",\"usage\":{\"input_tokens\":1}}");
    assertThat(gateway.awaitOnlyRecord().get("input_tokens").asLong()).isEqualTo(1);
  }

  /**
   * Keys through every path that logs: allowed, denied, conflicting, malformed, in the query. (Each
   * test of this class is checked the same way after it runs.)
   */
  @Test
  void fullKeysNeverAppearInTheLogs() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (String[] headers :
        new String[][] {
          {"Authorization", "Bearer " + Gateway.ALPHA_KEY},
          {"Authorization", "Bearer " + UNKNOWN_KEY},
          {"x-api-key", UNKNOWN_KEY},
          {"x-goog-api-key", Gateway.BETA_KEY},
        }) {
      client.send(
          HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
              .header(headers[0], headers[1])
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    List<String> raw = new ArrayList<>();
    raw.add("Authorization: Bearer " + Gateway.ALPHA_KEY + "\r\nx-api-key: " + UNKNOWN_KEY);
    raw.add("Authorization: Bearer " + UNKNOWN_KEY + "\u00e9");
    raw.add("Authorization: Bearer \u0080" + UNKNOWN_KEY);
    raw.add("Authorization: Bearer " + UNKNOWN_KEY + " " + UNKNOWN_KEY);
    raw.add("Authorization: Basic " + UNKNOWN_KEY);
    raw.add("Authorization: Bearer " + UNKNOWN_KEY + "\u0000"); // refused by Jetty's parser
    raw.add("Authorization: Bearer " + UNKNOWN_KEY + "x".repeat(16 * 1024)); // 431
    for (String headers : raw) {
      gateway.raw(get("/openai/v1/models", headers));
    }
    gateway.raw(get("/gemini/v1beta/models?key=" + UNKNOWN_KEY, "x-goog-api-key: x"));
    gateway.raw(
        get("/gemini/v1beta/models?key=" + Gateway.BETA_KEY, "x-goog-api-key: " + UNKNOWN_KEY));
    gateway.close();

    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("Denied request"));
    // the search for keys is in tearDown, for every test of this class
  }

  /** A GET with these header lines (CRLF between them), closing the connection after. */
  private static String get(String pathAndQuery, String headerLines) {
    return "GET "
        + pathAndQuery
        + " HTTP/1.1\r\nHost: gw\r\n"
        + headerLines
        + "\r\nConnection: close\r\n\r\n";
  }

  /** The response is LMGate's JSON error of this type. */
  private static void assertJsonError(String response, String error) {
    assertThat(response).containsIgnoringCase("\r\nContent-Type: application/json");
    assertThat(response.substring(response.indexOf("\r\n\r\n") + 4))
        .startsWith("{\"error\":\"" + error + "\",\"message\":\"");
  }

  private static String throwableText(IThrowableProxy proxy) {
    StringBuilder text = new StringBuilder();
    for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
      text.append(' ').append(p.getClassName()).append(": ").append(p.getMessage());
    }
    return text.toString();
  }

  /** TRACE and unknown methods are answered 405 JSON and never reach the upstream. */
  @Test
  void methodsLlmApisDoNotUseAreRefusedAndNotForwarded() throws Exception {
    int before = upstream.received().size();
    for (String method : new String[] {"TRACE", "PROPFIND", "FOO"}) {
      String response =
          gateway.raw(
              method
                  + " /openai/v1/models HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                  + Gateway.ALPHA_KEY
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(response).as(method).startsWith("HTTP/1.1 405 ");
      assertThat(response).as(method).contains("\r\nAllow: GET, POST, PUT, PATCH, DELETE");
      assertThat(response)
          .as(method)
          .endsWith(
              "\r\n\r\n{\"error\":\"method_not_allowed\",\"message\":\"Method not allowed;"
                  + " LMGate forwards GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS\"}");
    }
    assertThat(upstream.received()).hasSize(before);
  }
}
