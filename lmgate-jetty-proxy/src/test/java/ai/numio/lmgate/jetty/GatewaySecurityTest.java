package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Route escapes, oversized headers, h2c, and keys that must never reach a log line. */
class GatewaySecurityTest {

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
              RawUpstream.chunkedHead(out, 200, "application/json");
              RawUpstream.chunk(out, "{\"model\":\"m\",\"usage\":{\"input_tokens\":1}}");
              RawUpstream.lastChunk(out);
            });
    gateway = Gateway.start(dir, upstream.uri());
  }

  @AfterEach
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger("ai.numio.lmgate")).setLevel(lmgateLevel);
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
  }

  @Test
  void routeEscapesNeverReachAnUpstream() throws Exception {
    for (String path :
        new String[] {
          "/openai/../anthropic/v1/messages",
          "/openai/%2e%2e/anthropic/v1/messages",
          "/openai/.%2E/anthropic/v1/messages",
          "/openai/..%2fanthropic/v1/messages",
          "/openai//v1/models",
          "/openai/v1/%2e%2e/%2e%2e/anthropic",
          "/openai/v1\\..\\..\\anthropic",
        }) {
      String status =
          rawRequest(
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: x\r\nx-api-key: "
                  + Gateway.ALPHA_KEY
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(status).as(path).matches("HTTP/1\\.1 4\\d\\d .*");
    }
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  @Test
  void aQueryAUrlCannotCarryIsRefusedWithJsonNotAServerError() throws Exception {
    String response =
        rawResponse(
            "GET /openai/v1/models?a=|b{c} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).contains("{\"error\":\"bad_request\"").doesNotContain("127.0.0.1");
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void oversizedHeadersAre431() throws Exception {
    String status =
        rawRequest(
            "GET /openai/v1/models HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
    assertThat(status).startsWith("HTTP/1.1 431");
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void smugglingProbesDoNotReachTheUpstream() throws Exception {
    String status =
        rawRequest(
            "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-api-key: "
                + Gateway.ALPHA_KEY
                + "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "0\r\n\r\nGET /anthropic/v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(status).startsWith("HTTP/1.1 400");
    assertThat(upstream.received()).isEmpty();
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
    assertThat(gateway.onlyRecord().get("input_tokens").asLong()).isEqualTo(1);
  }

  @Test
  void fullKeysNeverAppearInTheLogs() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String unknown = "sk-proj-unknown-but-secret-key-9876543210";
    for (String[] headers :
        new String[][] {
          {"Authorization", "Bearer " + Gateway.ALPHA_KEY},
          {"Authorization", "Bearer " + unknown},
          {"x-api-key", unknown},
          {"x-goog-api-key", Gateway.BETA_KEY},
        }) {
      client.send(
          HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
              .header(headers[0], headers[1])
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    rawRequest(
        "GET /openai/v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + Gateway.ALPHA_KEY
            + "\r\nx-api-key: "
            + unknown
            + "\r\nConnection: close\r\n\r\n");
    gateway.close();

    assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("Denied request"));
    for (ILoggingEvent event : logs.list) {
      String text = event.getFormattedMessage() + throwableText(event.getThrowableProxy());
      for (String key : new String[] {Gateway.ALPHA_KEY, Gateway.BETA_KEY, unknown}) {
        assertThat(text).as(event.getLoggerName()).doesNotContain(key);
      }
    }
  }

  private static String throwableText(IThrowableProxy proxy) {
    StringBuilder text = new StringBuilder();
    for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
      text.append(' ').append(p.getClassName()).append(": ").append(p.getMessage());
    }
    return text.toString();
  }

  /** Sends raw bytes; returns the whole response. */
  private String rawResponse(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
    }
  }

  /** Sends raw bytes; returns the status line. */
  private String rawRequest(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        line.append((char) b);
      }
      return line.toString().trim();
    } catch (java.net.SocketException e) {
      return "HTTP/1.1 400 connection closed: " + e.getMessage(); // refused outright
    }
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, UTF_8);
  }
}
