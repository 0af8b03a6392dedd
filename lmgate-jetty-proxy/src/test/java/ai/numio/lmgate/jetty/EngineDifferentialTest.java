package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same recorded exchanges through the {@code servlet} and the {@code lean} engine: every
 * provider fixture (JSON with a {@code Content-Length}, SSE chunked), with the headers a provider
 * sends, requested by the same raw HTTP/1.1 bytes. The client gets the same status line, headers
 * (minus {@code Date}) and body from both; the upstream gets the same request; the usage records
 * are the same but for their times.
 */
class EngineDifferentialTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway servlet;
  private Gateway lean;

  @BeforeEach
  void setUp() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    Map<String, String> azure =
        Map.of(
            "LMGATE_PROVIDERS__AZURE__UPSTREAM",
            upstream.uri().toString(),
            "LMGATE_PROVIDERS__AZURE__FORMAT",
            "openai");
    servlet = Gateway.on("servlet").start(dir.resolve("servlet"), upstream.uri(), azure);
    lean = Gateway.on("lean").start(dir.resolve("lean"), upstream.uri(), azure);
  }

  @AfterEach
  void tearDown() throws IOException {
    servlet.close();
    lean.close();
    upstream.close();
  }

  static Stream<JsonNode> fixtures() throws IOException {
    try (InputStream in = Gateway.class.getResourceAsStream("/fixtures/manifest.json")) {
      List<JsonNode> list = new ArrayList<>();
      JSON.readTree(in).forEach(list::add);
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void bothEnginesAnswerAndRecordAlike(JsonNode fixture) throws Exception {
    byte[] body = Gateway.fixture(fixture.get("file").asText());
    int status = fixture.get("status").asInt();
    String contentType = fixture.get("content_type").asText();
    boolean sse = contentType.startsWith("text/event-stream");
    upstream.script(
        (request, socket, out) -> {
          String[] headers = {
            "Date", "Thu, 03 Dec 2026 18:00:00 GMT",
            "x-request-id", "req_differential",
            "Set-Cookie", "a=1; Path=/",
            "Set-Cookie", "b=2; Path=/",
            "Expires", "Thu, 01 Dec 2026 16:00:00 GMT",
            "Keep-Alive", "timeout=5",
            "Connection", "keep-alive, X-Hop",
            "X-Hop", "dropped"
          };
          if (sse) {
            RawUpstream.chunkedHead(out, status, contentType, headers);
            int third = body.length / 3;
            RawUpstream.chunk(out, body, 0, third);
            RawUpstream.chunk(out, body, third, third);
            RawUpstream.chunk(out, body, 2 * third, body.length - 2 * third);
            RawUpstream.lastChunk(out);
          } else {
            List<String> withType = new ArrayList<>(List.of("Content-Type", contentType));
            withType.addAll(List.of(headers));
            RawUpstream.fixedResponse(out, status, body, withType.toArray(String[]::new));
          }
        });
    String path = fixture.get("path").asText();
    String requestBody = "{\"model\":\"m\",\"stream\":" + sse + ",\"messages\":[]}";
    String request =
        "POST "
            + path
            + "?trace=1 HTTP/1.1\r\nHost: gw.example\r\nx-api-key: "
            + Gateway.BETA_KEY
            + "\r\nUser-Agent: differential/1\r\nAccept-Encoding: gzip, br, zstd\r\n"
            + "Content-Type: application/json\r\nX-Custom: one\r\nX-Custom: two\r\n"
            + "Content-Length: "
            + requestBody.length()
            + "\r\nConnection: close\r\n\r\n"
            + requestBody;

    Answer fromServlet = Answer.of(raw(servlet, request));
    RawUpstream.Received servletSent = upstream.received().get(upstream.received().size() - 1);
    Answer fromLean = Answer.of(raw(lean, request));
    RawUpstream.Received leanSent = upstream.received().get(upstream.received().size() - 1);

    assertThat(fromLean.statusLine).isEqualTo(fromServlet.statusLine);
    // Jetty's client parser and the servlet response each re-render a Content-Type (`; charset=`
    // spacing, the charset's case) in their own way: that one header is compared loosely
    assertThat(fromLean.headers.stream().map(EngineDifferentialTest::looseContentType))
        .containsExactlyElementsOf(
            fromServlet.headers.stream().map(EngineDifferentialTest::looseContentType).toList());
    assertThat(new String(fromLean.body, UTF_8)).isEqualTo(new String(fromServlet.body, UTF_8));
    assertThat(new String(fromLean.body, UTF_8)).isEqualTo(new String(body, UTF_8));

    assertThat(leanSent.requestLine()).isEqualTo(servletSent.requestLine());
    assertThat(sorted(leanSent.headerLines())).isEqualTo(sorted(servletSent.headerLines()));
    assertThat(leanSent.bodyText()).isEqualTo(servletSent.bodyText());

    assertThat(withoutTimes(lean.awaitOnlyRecord()))
        .isEqualTo(withoutTimes(servlet.awaitOnlyRecord()));
  }

  private static String looseContentType(String header) {
    return header.startsWith("Content-Type:")
        ? header.replace(" ", "").toLowerCase(Locale.ROOT)
        : header;
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }

  private static JsonNode withoutTimes(JsonNode record) {
    ObjectNode copy = record.deepCopy();
    copy.remove(List.of("timestamp", "duration_ms", "ttfb_ms"));
    return copy;
  }

  private static byte[] raw(Gateway gateway, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(response);
      return response.toByteArray();
    }
  }

  /** A response as the client got it: status line, headers in order (no Date), decoded body. */
  private record Answer(String statusLine, List<String> headers, byte[] body) {
    static Answer of(byte[] raw) {
      int end = indexOf(raw, "\r\n\r\n".getBytes(ISO_8859_1));
      String[] lines = new String(raw, 0, end, ISO_8859_1).split("\r\n");
      List<String> headers = new ArrayList<>();
      boolean chunked = false;
      for (int i = 1; i < lines.length; i++) {
        String lower = lines[i].toLowerCase(Locale.ROOT);
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
        if (!lower.startsWith("date:")) {
          headers.add(lines[i]);
        }
      }
      byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
      return new Answer(lines[0], headers, chunked ? dechunk(rest) : rest);
    }

    private static byte[] dechunk(byte[] chunked) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      int at = 0;
      while (true) {
        int lineEnd = indexOf(chunked, at, "\r\n".getBytes(ISO_8859_1));
        int size =
            Integer.parseInt(
                new String(chunked, at, lineEnd - at, ISO_8859_1).split(";")[0].trim(), 16);
        if (size == 0) {
          return body.toByteArray();
        }
        body.write(chunked, lineEnd + 2, size);
        at = lineEnd + 2 + size + 2;
      }
    }

    private static int indexOf(byte[] bytes, byte[] needle) {
      return indexOf(bytes, 0, needle);
    }

    private static int indexOf(byte[] bytes, int from, byte[] needle) {
      outer:
      for (int i = from; i <= bytes.length - needle.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (bytes[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      throw new AssertionError("no " + new String(needle, ISO_8859_1) + " in the response");
    }
  }
}
