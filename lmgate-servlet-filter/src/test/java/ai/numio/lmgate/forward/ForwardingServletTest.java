package ai.numio.lmgate.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.filter.RawClientExchange;
import ai.numio.lmgate.testing.RawUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ForwardingServlet in embedded Tomcat: what reaches the upstream, what comes back. */
class ForwardingServletTest {

  private static final String KEY = "sk-proj-alpha-0123456789abcdefXYZ123";
  private static final String USER_AGENT = "OpenAI/Java 4.8.0";
  private static final byte[] ANSWER =
      "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o-2024-08-06\",\"usage\":{\"prompt_tokens\":12}}"
          .getBytes(UTF_8);

  @TempDir Path dir;
  private RawUpstream upstream;
  private ForwardingTomcat tomcat;
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void forwardsMethodPathQueryHeadersAndBodyUnchangedButHopByHop() throws Exception {
    byte[] gzipped = gzip(ANSWER);
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out,
                    200,
                    gzipped,
                    "Content-Type",
                    "application/json",
                    "Content-Encoding",
                    "gzip",
                    "x-request-id",
                    "req_abc123",
                    "Set-Cookie",
                    "a=1",
                    "Set-Cookie",
                    "b=2",
                    "Connection",
                    "close, X-Hop-Secret",
                    "X-Hop-Secret",
                    "upstream-internal",
                    "Keep-Alive",
                    "timeout=5",
                    "Proxy-Authenticate",
                    "Basic realm=\"upstream\""));
    tomcat = ForwardingTomcat.start(dir, upstream.uri());
    byte[] body =
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"café ☕\"}]}"
            .getBytes(UTF_8);

    RawClientExchange response =
        RawClientExchange.send(
            tomcat.port(),
            "POST /openai/v1/chat/completions?a=1&b=%2F+x&c=%7e&&d HTTP/1.1\r\n"
                + "Host: 127.0.0.1:"
                + tomcat.port()
                + "\r\n"
                + "Authorization: Bearer "
                + KEY
                + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n"
                + "X-Custom: kept\r\n"
                + "X-Multi: one\r\n"
                + "X-Multi: two\r\n"
                + "Accept-Encoding: br, gzip;q=0.9, zstd\r\n"
                + "Connection: close, X-Drop-Me\r\n"
                + "X-Drop-Me: client-to-gateway-only\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-Checksum\r\n"
                + "Proxy-Authorization: Basic cHJveHk6cGFzcw==\r\n"
                + "Upgrade: websocket\r\n"
                + "\r\n",
            body);

    RawUpstream.Received forwarded = upstream.onlyRequest();
    assertThat(forwarded.requestLine())
        .isEqualTo("POST /v1/chat/completions?a=1&b=%2F+x&c=%7e&&d HTTP/1.1");
    assertThat(forwarded.body()).isEqualTo(body);
    assertThat(forwarded.chunked()).isFalse();
    assertThat(forwarded.headers("Content-Length")).containsExactly(String.valueOf(body.length));
    assertThat(forwarded.headers("Host")).containsExactly("127.0.0.1:" + upstream.port());
    assertThat(forwarded.headers("Authorization")).containsExactly("Bearer " + KEY);
    assertThat(forwarded.headers("Content-Type")).containsExactly("application/json");
    assertThat(forwarded.headers("X-Custom")).containsExactly("kept");
    assertThat(forwarded.headers("X-Multi")).containsExactly("one", "two");
    assertThat(forwarded.headers("Accept-Encoding")).containsExactly("gzip;q=0.9");
    assertThat(forwarded.headerNames())
        .doesNotContain(
            "connection",
            "x-drop-me",
            "keep-alive",
            "te",
            "trailer",
            "proxy-authorization",
            "upgrade",
            "via",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(gzipped); // the provider's bytes, not decoded
    assertThat(response.headers("Content-Encoding")).containsExactly("gzip");
    assertThat(response.headers("Content-Length")).containsExactly(String.valueOf(gzipped.length));
    assertThat(response.headers("Content-Type")).containsExactly("application/json");
    assertThat(response.headers("x-request-id")).containsExactly("req_abc123");
    assertThat(response.headers("Set-Cookie")).containsExactly("a=1", "b=2");
    assertThat(response.headers("X-Hop-Secret")).isEmpty();
    assertThat(response.headers("Keep-Alive")).isEmpty();
    assertThat(response.headers("Proxy-Authenticate")).isEmpty();
  }

  @Test
  void aChunkedRequestBodyIsStreamedChunked() throws Exception {
    upstream =
        new RawUpstream((request, socket, out) -> RawUpstream.fixedResponse(out, 201, ANSWER));
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    RawClientExchange response =
        RawClientExchange.send(
            tomcat.port(),
            "PUT /anthropic/v1/files/f_1 HTTP/1.1\r\nHost: gw\r\nx-api-key: "
                + KEY
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n".getBytes(UTF_8));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body()).isEqualTo(ANSWER);
    RawUpstream.Received forwarded = upstream.onlyRequest();
    assertThat(forwarded.requestLine()).isEqualTo("PUT /v1/files/f_1 HTTP/1.1");
    assertThat(forwarded.chunked()).isTrue();
    assertThat(forwarded.bodyText()).isEqualTo("hello, world");
    assertThat(forwarded.headers("x-api-key")).containsExactly(KEY);
  }

  @Test
  void aRequestWithoutBodyIsSentWithoutBody() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(out, 200, ANSWER, "Content-Type", "application/json"));
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(tomcat.uri("/gemini/v1beta/models?pageSize=5"))
                .header("x-goog-api-key", KEY)
                .header("User-Agent", USER_AGENT)
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(ANSWER);
    RawUpstream.Received forwarded = upstream.onlyRequest();
    assertThat(forwarded.requestLine()).isEqualTo("DELETE /v1beta/models?pageSize=5 HTTP/1.1");
    assertThat(forwarded.body()).isEmpty();
    assertThat(forwarded.chunked()).isFalse();
    // exactly the client's headers (no Accept-Encoding sent, none forwarded), Host rewritten; the
    // JDK 17 client adds "Content-Length: 0" to a body-less DELETE, which says the same thing
    assertThat(forwarded.headers("Content-Length")).isSubsetOf("0");
    assertThat(
            forwarded.headerLines().stream()
                .filter(line -> !line.toLowerCase(Locale.ROOT).startsWith("content-length:")))
        .containsExactlyInAnyOrder(
            "Host: 127.0.0.1:" + upstream.port(),
            "user-agent: " + USER_AGENT,
            "x-goog-api-key: " + KEY);
  }

  @Test
  void forwardedHeadersAreAddedOnlyWhenConfigured() throws Exception {
    upstream =
        new RawUpstream((request, socket, out) -> RawUpstream.fixedResponse(out, 204, new byte[0]));
    tomcat =
        ForwardingTomcat.start(
            dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__FORWARDED_HEADERS", "true"));

    RawClientExchange response =
        RawClientExchange.send(
            tomcat.port(),
            "GET /openai/v1/models HTTP/1.1\r\nHost: gw.example:8080\r\n"
                + "Via: 1.1 edge\r\nX-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n",
            new byte[0]);

    assertThat(response.status()).isEqualTo(204);
    RawUpstream.Received forwarded = upstream.onlyRequest();
    assertThat(forwarded.headers("Host")).containsExactly("127.0.0.1:" + upstream.port());
    assertThat(forwarded.headers("Via")).containsExactly("1.1 edge, 1.1 lmgate");
    assertThat(forwarded.headers("X-Forwarded-For")).containsExactly("203.0.113.7, 127.0.0.1");
    assertThat(forwarded.headers("X-Forwarded-Proto")).containsExactly("http");
    assertThat(forwarded.headers("X-Forwarded-Host")).containsExactly("gw.example:8080");
  }

  @Test
  void aPathUnderNoRouteIs404Json() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(tomcat.uri("/nowhere/v1/x?key=secret")).build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"not_found\",\"message\":\"no route matches this path; paths must start"
                + " with one of /openai/, /anthropic/, /google/, /gemini/\"}");
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void aPathThatTriesToLeaveItsRouteIs400Json() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    for (String path : new String[] {"/openai/v1/%2e%2e/admin", "/openai//v1/models"}) {
      RawClientExchange response =
          RawClientExchange.send(
              tomcat.port(),
              "GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
              new byte[0]);
      assertThat(response.status()).as(path).isEqualTo(400);
      assertThat(response.headers("Content-Type")).containsExactly("application/json");
      assertThat(new String(response.body(), UTF_8))
          .as(path)
          .startsWith("{\"error\":\"bad_request\",\"message\":\"path ");
    }
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void underAContextPathTheRoutePrefixFollowsIt() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(out, 200, ANSWER, "Content-Type", "application/json"));
    tomcat =
        ForwardingTomcat.start(
            dir, "/lmgate", ForwardingTomcat.config(dir, upstream.uri(), Map.of()));

    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(tomcat.uri("/openai/v1/chat/completions?x=%20y"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(tomcat.uri("/openai/v1/chat/completions").getPath())
        .isEqualTo("/lmgate/openai/v1/chat/completions");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(ANSWER);
    assertThat(upstream.onlyRequest().requestLine())
        .isEqualTo("POST /v1/chat/completions?x=%20y HTTP/1.1");

    HttpResponse<String> notFound =
        client.send(
            HttpRequest.newBuilder(tomcat.uri("/lmgate/openai/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.body()).startsWith("{\"error\":\"not_found\"");
    assertThat(upstream.received()).hasSize(1);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }
}
