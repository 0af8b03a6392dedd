package ai.numio.lmgate.filter;

import static ai.numio.lmgate.filter.GateFiles.ALPHA_KEY;
import static ai.numio.lmgate.filter.GateFiles.BETA_KEY;
import static ai.numio.lmgate.filter.GateFiles.fixture;
import static ai.numio.lmgate.filter.GateFiles.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.Admission;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.IncomingRequest;
import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.RouteMode;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter in a real container over real sockets, the JDK HTTP client as the client. Each
 * container runs every scenario ({@link TomcatFilterTest}, {@link JettyFilterTest}). Records are
 * compared whole: the core runs on a manual clock, so durations are exactly 0 and the timestamp is
 * the arrival instant.
 */
abstract class FilterScenarios {

  static final Instant ARRIVAL = Instant.parse("2026-02-16T12:00:00Z");
  static final String FORBIDDEN_BODY =
      "{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}";

  @TempDir Path dir;
  GateFiles files;
  LMGate gate;
  WebContainer.Running server;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  abstract WebContainer container();

  @BeforeEach
  void startGate() throws Exception {
    files = GateFiles.create(dir.resolve("gate"));
    gate = files.startGate(new ManualTimeSource(ARRIVAL));
  }

  @AfterEach
  void stopAll() throws Exception {
    if (server != null) {
      server.close();
    }
    gate.close();
  }

  void deploy(WebApp... apps) throws Exception {
    server = container().start(dir, List.of(apps));
  }

  /** Stops the container now (every filter destroyed); the test reads what that wrote. */
  void stopServer() throws Exception {
    WebContainer.Running running = server;
    server = null;
    running.close();
  }

  HttpRequest.Builder request(String path, String header, String value) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(server.uri(path));
    if (header != null) {
      builder.header(header, value);
    }
    return builder;
  }

  HttpRequest post(String path, String key, String body) {
    return request(path, "Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static void writeInChunks(ServletOutputStream out, byte[] body, int chunk) throws IOException {
    for (int i = 0; i < body.length; i += chunk) {
      out.write(body, i, Math.min(chunk, body.length - i));
      out.flush();
    }
  }

  private static final String CHAT_REQUEST =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  // ---------------------------------------------------------------- synchronous

  @Test
  void syncJsonIsPassedOnAndRecordedExactly() throws Exception {
    byte[] body = fixture("openai/chat-nonstream.json");
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              assertThat(new String(req.getInputStream().readAllBytes(), UTF_8))
                  .isEqualTo(CHAT_REQUEST);
              resp.setContentType("application/json");
              resp.setHeader("x-request-id", "req_abc123");
              resp.getOutputStream().write(body);
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/openai/*", servlet));

    HttpResponse<byte[]> response =
        client.send(
            post("/app/openai/v1/chat/completions?a=1&b=%2F+x", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(response.headers().firstValue("x-request-id")).hasValue("req_abc123");
    assertThat(files.awaitOnlyRecord(gate))
        .isEqualTo(
            json(
                """
                {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"openai",
                 "endpoint":"/openai/v1/chat/completions","model":"gpt-4o-2024-08-06","status":200,
                 "input_tokens":2006,"output_tokens":161,"masked_key":"XYZ123","error_type":null,
                 "owner":"team-alpha","method":"POST","stream":false,"duration_ms":0,"ttfb_ms":0,
                 "cache_read_tokens":1792,"cache_write_tokens":null,"reasoning_tokens":0,
                 "upstream_request_id":"req_abc123","cost_usd":null}"""));
  }

  @Test
  void sseWrittenInChunksWithFlushesIsRecordedExactly() throws Exception {
    byte[] sse = fixture("anthropic/messages-stream.sse");
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("text/event-stream; charset=utf-8");
              resp.setHeader("request-id", "req_011CSHoEkz");
              writeInChunks(resp.getOutputStream(), sse, 97); // splits lines and UTF-8 sequences
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));

    HttpResponse<byte[]> response =
        client.send(
            request("/app/anthropic/v1/messages", "x-api-key", BETA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(sse);
    assertThat(files.awaitOnlyRecord(gate)).isEqualTo(anthropicStreamRecord(200, null));
  }

  static JsonNode anthropicStreamRecord(int status, String errorType) {
    ObjectNode record =
        (ObjectNode)
            json(
                """
                {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"2","provider":"anthropic",
                 "endpoint":"/anthropic/v1/messages","model":"claude-sonnet-4-5-20250929",
                 "status":200,"input_tokens":312,"output_tokens":587,"masked_key":"Q7w9Zz",
                 "error_type":null,"owner":"team-beta","method":"POST","stream":true,
                 "duration_ms":0,"ttfb_ms":0,"cache_read_tokens":9154,"cache_write_tokens":2207,
                 "reasoning_tokens":null,"upstream_request_id":"req_011CSHoEkz","cost_usd":0.02076345}""");
    record.put("status", status);
    record.put("error_type", errorType);
    return record;
  }

  /**
   * An application tells the filter how its egress failed — through {@code FailureReports} or the
   * legacy {@code lmgate.failure} attribute — and the record carries that failure with the status
   * the client got.
   */
  @Test
  void anEgressFailureTheAppReportsIsRecorded() throws Exception {
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              if (req.getRequestURI().endsWith("/typed")) {
                ai.numio.lmgate.servlet.FailureReports.report(
                    req, ai.numio.lmgate.Failure.UPSTREAM_TIMEOUT);
              } else {
                req.setAttribute(
                    ai.numio.lmgate.Failure.REQUEST_ATTRIBUTE,
                    ai.numio.lmgate.Failure.UPSTREAM_UNREACHABLE);
              }
              resp.sendError(502);
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/openai/*", servlet));

    String[][] cases = {{"typed", "upstream_timeout"}, {"legacy", "upstream_unreachable"}};
    for (String[] c : cases) {
      HttpResponse<String> response =
          client.send(
              post("/app/openai/v1/" + c[0], ALPHA_KEY, CHAT_REQUEST),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(502);
    }
    List<JsonNode> records = files.awaitRecords(2, gate::flushRecords);
    for (int i = 0; i < cases.length; i++) {
      JsonNode record = records.get(i);
      assertThat(record.get("endpoint").asText()).isEqualTo("/openai/v1/" + cases[i][0]);
      assertThat(record.get("status").asInt()).as(cases[i][0]).isEqualTo(502);
      assertThat(record.get("error_type").asText()).as(cases[i][0]).isEqualTo(cases[i][1]);
    }
  }

  @Test
  void deniedRequestsGet403AndNeverReachTheApp() throws Exception {
    TestServlet servlet = new TestServlet((req, resp) -> resp.getWriter().print("app answered"));
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/*", servlet));

    List<String[]> credentials =
        List.of(
            new String[] {null, null},
            new String[] {"Authorization", "Bearer sk-not-on-the-list"},
            new String[] {"Authorization", "Basic dXNlcjpwYXNz"},
            new String[] {"x-api-key", "sk-ant-wrong-key-000000"});
    for (String[] credential : credentials) {
      HttpResponse<String> response =
          client.send(
              request("/app/openai/v1/chat/completions", credential[0], credential[1])
                  .POST(HttpRequest.BodyPublishers.ofString(CHAT_REQUEST))
                  .build(),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).as(credential[0]).isEqualTo(403);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(response.body()).isEqualTo(FORBIDDEN_BODY);
    }

    assertThat(servlet.calls).hasValue(0);
    assertThat(gate.deniedCount()).isEqualTo(4);
    gate.flushRecords();
    assertThat(files.records()).isEmpty();
  }

  @Test
  void writerOutputIsPassedOnAtOnceAndMetered() throws Exception {
    String text = new String(fixture("openai/chat-nonstream-reasoning.json"), UTF_8);
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("application/json");
              resp.setCharacterEncoding("UTF-8");
              PrintWriter writer = resp.getWriter();
              assertThatThrownBy(resp::getOutputStream).isInstanceOf(IllegalStateException.class);
              int third = text.length() / 3;
              writer.print(text.substring(0, third));
              writer.write(text, third, third);
              writer.print(text.substring(2 * third).toCharArray());
              // no flush, no close: the container ends the response; a writer holding bytes of
              // its own would lose them here
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/openai/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(text);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .containsIgnoringCase("charset=utf-8");
    assertThat(files.awaitOnlyRecord(gate))
        .isEqualTo(
            json(
                """
                {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"openai",
                 "endpoint":"/openai/v1/chat/completions","model":"o4-mini-2025-04-16",
                 "status":200,"input_tokens":3157,"output_tokens":1529,"masked_key":"XYZ123",
                 "error_type":null,"owner":"team-alpha","method":"POST","stream":false,
                 "duration_ms":0,"ttfb_ms":0,"cache_read_tokens":2944,"cache_write_tokens":null,
                 "reasoning_tokens":1344,"upstream_request_id":null,"cost_usd":null}"""));
  }

  @Test
  void theAppReadsTheCallerFromRequestAttributes() throws Exception {
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("text/plain");
              resp.getWriter()
                  .print(
                      req.getAttribute(LMGateFilter.ID_ATTRIBUTE)
                          + " "
                          + req.getAttribute(LMGateFilter.OWNER_ATTRIBUTE));
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/*", servlet));

    HttpResponse<String> beta =
        client.send(
            request("/app/whoami", "x-goog-api-key", BETA_KEY).build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    HttpResponse<String> alpha =
        client.send(
            request("/app/whoami", "Authorization", "bearer  " + ALPHA_KEY + " ").build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(beta.body()).isEqualTo("2 team-beta");
    assertThat(alpha.body()).isEqualTo("1 team-alpha");
  }

  @Test
  void streamBytesReachTheClientAsTheyAreWritten() throws Exception {
    bytesReachTheClientAsTheyAreWritten(false);
  }

  @Test
  void writerBytesReachTheClientAtEachFlush() throws Exception {
    bytesReachTheClientAsTheyAreWritten(true);
  }

  /**
   * Lock-step instead of timing: the servlet writes an event, flushes, and waits until the client
   * has read that event before writing the next. Any buffering on the way holds the event back, the
   * servlet's wait runs out (10 s) and the acknowledgement list shows it.
   */
  private void bytesReachTheClientAsTheyAreWritten(boolean useWriter) throws Exception {
    int events = 5;
    List<CountDownLatch> read = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      read.add(new CountDownLatch(1));
    }
    List<Boolean> acknowledged = Collections.synchronizedList(new ArrayList<>());
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("text/event-stream");
              resp.setCharacterEncoding("UTF-8");
              PrintWriter writer = useWriter ? resp.getWriter() : null;
              ServletOutputStream out = useWriter ? null : resp.getOutputStream();
              for (int i = 0; i < events; i++) {
                String event = "data: {\"n\":" + i + ",\"text\":\"é\"}\n\n";
                if (useWriter) {
                  writer.print(event);
                  writer.flush();
                } else {
                  out.write(event.getBytes(UTF_8));
                  out.flush();
                }
                acknowledged.add(read.get(i).await(10, SECONDS));
              }
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/*", servlet));

    HttpResponse<InputStream> response =
        client.send(
            request("/app/events", "Authorization", "Bearer " + ALPHA_KEY).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      for (int i = 0; i < events; i++) {
        assertThat(lines.readLine()).isEqualTo("data: {\"n\":" + i + ",\"text\":\"é\"}");
        assertThat(lines.readLine()).isEmpty();
        read.get(i).countDown();
      }
      assertThat(lines.readLine()).isNull();
    }

    assertThat(acknowledged).containsExactly(true, true, true, true, true);
    JsonNode record = files.awaitOnlyRecord(gate);
    assertThat(record.get("provider").asText()).isEqualTo("unknown");
    assertThat(record.get("stream").asBoolean()).isFalse(); // unknown provider: not metered
    assertThat(record.get("status").asInt()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- asynchronous

  @Test
  void asyncResponseCompletedOnAnotherThreadIsRecordedOnComplete() throws Exception {
    byte[] sse = fixture("anthropic/messages-stream.sse");
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              AsyncContext async = req.startAsync(); // no-arg: the context must carry our wrappers
              async.start(
                  () -> {
                    try {
                      HttpServletResponse response = (HttpServletResponse) async.getResponse();
                      response.setContentType("text/event-stream; charset=utf-8");
                      response.setHeader("request-id", "req_011CSHoEkz");
                      writeInChunks(response.getOutputStream(), sse, 256);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    } finally {
                      async.complete();
                    }
                  });
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));

    HttpResponse<byte[]> response =
        client.send(
            request("/app/anthropic/v1/messages", "x-api-key", BETA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(sse);
    assertThat(files.awaitOnlyRecord(gate)).isEqualTo(anthropicStreamRecord(200, null));
  }

  /** Non-blocking output: the app writes only while the stream is ready, from the listener. */
  @Test
  void nonBlockingWritesArePassedOnAndMetered() throws Exception {
    byte[] sse = fixture("anthropic/messages-stream.sse");
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              AsyncContext async = req.startAsync();
              resp.setContentType("text/event-stream; charset=utf-8");
              resp.setHeader("request-id", "req_011CSHoEkz");
              ServletOutputStream out = resp.getOutputStream();
              out.setWriteListener(
                  new WriteListener() {
                    private int written;

                    @Override
                    public void onWritePossible() throws IOException {
                      while (out.isReady()) {
                        if (written == sse.length) {
                          async.complete();
                          return;
                        }
                        int n = Math.min(64, sse.length - written);
                        out.write(sse, written, n);
                        written += n;
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      async.complete();
                    }
                  });
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));

    HttpResponse<byte[]> response =
        client.send(
            request("/app/anthropic/v1/messages", "x-api-key", BETA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(sse);
    assertThat(files.awaitOnlyRecord(gate)).isEqualTo(anthropicStreamRecord(200, null));
  }

  /**
   * The app dispatches its async request back to itself and fails there. Tomcat reports that to
   * async listeners, Jetty 12 does not; mapped to {@code ASYNC} dispatches as well, the filter sees
   * the exception itself, so the record is the same in both.
   */
  @Test
  void asyncErrorIsRecordedWithTheStatusTheClientGot() throws Exception {
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              if (req.getDispatcherType() == DispatcherType.ASYNC) {
                throw new IllegalStateException("the app failed in its async dispatch");
              }
              req.startAsync().dispatch();
            });
    deploy(
        WebApp.at("/app")
            .filter(new LMGateFilter(gate))
            .alsoOn(DispatcherType.ASYNC)
            .servlet("/openai/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(500);
    // The filter ends the exchange when the container reports the error; Tomcat writes its 500
    // page around then, so whether a first byte had been seen (ttfb 0 here) is a race
    ObjectNode record = (ObjectNode) files.awaitOnlyRecord(gate);
    assertThat(record.get("ttfb_ms").isNull() || record.get("ttfb_ms").asInt() == 0)
        .as("ttfb_ms null or 0: %s", record.get("ttfb_ms"))
        .isTrue();
    record.put("ttfb_ms", 0);
    assertThat((JsonNode) record).isEqualTo(emptyOpenAiRecord(500, "gateway_error"));
  }

  @Test
  void asyncTimeoutIsRecordedWithTheStatusTheClientGot() throws Exception {
    TestServlet servlet =
        new TestServlet((req, resp) -> req.startAsync().setTimeout(200)); // never completed
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/openai/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(files.awaitOnlyRecord(gate)).isEqualTo(emptyOpenAiRecord(500, "upstream_timeout"));
  }

  /** A record of the openai route with no usage: nothing metered came. */
  static JsonNode emptyOpenAiRecord(int status, String errorType) {
    return emptyOpenAiRecord(status, errorType, 0);
  }

  static JsonNode emptyOpenAiRecord(int status, String errorType, Integer ttfb) {
    ObjectNode record =
        (ObjectNode)
            json(
                """
                {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"openai",
                 "endpoint":"/openai/v1/chat/completions","model":null,"status":0,
                 "input_tokens":null,"output_tokens":null,"masked_key":"XYZ123",
                 "error_type":null,"owner":"team-alpha","method":"POST","stream":false,
                 "duration_ms":0,"ttfb_ms":0,"cache_read_tokens":null,"cache_write_tokens":null,
                 "reasoning_tokens":null,"upstream_request_id":null,"cost_usd":null}""");
    record.put("status", status);
    record.put("error_type", errorType);
    record.put("ttfb_ms", ttfb);
    return record;
  }

  @Test
  void asyncClientDisconnectIsRecorded() throws Exception {
    byte[] sse = fixture("anthropic/messages-stream.sse");
    String text = new String(sse, UTF_8);
    byte[] messageStart = text.substring(0, text.indexOf("\n\n") + 2).getBytes(UTF_8);
    CountDownLatch clientRead = new CountDownLatch(1);
    AtomicReference<IOException> writeFailure = new AtomicReference<>();
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              AsyncContext async = req.startAsync();
              async.setTimeout(0);
              async.start(
                  () -> {
                    try {
                      HttpServletResponse response = (HttpServletResponse) async.getResponse();
                      response.setContentType("text/event-stream; charset=utf-8");
                      response.setHeader("request-id", "req_011CSHoEkz");
                      ServletOutputStream out = response.getOutputStream();
                      out.write(messageStart);
                      out.flush();
                      clientRead.await(10, SECONDS);
                      byte[] ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(UTF_8);
                      long deadline = System.nanoTime() + SECONDS.toNanos(10);
                      while (System.nanoTime() < deadline) {
                        out.write(ping); // until the closed connection makes a write fail
                        out.flush();
                        Thread.sleep(5);
                      }
                    } catch (IOException e) {
                      writeFailure.set(e);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      async.complete();
                    }
                  });
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/anthropic/*", servlet));

    HttpResponse<InputStream> response =
        client.send(
            request("/app/anthropic/v1/messages", "x-api-key", BETA_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    assertThat(body.readNBytes(messageStart.length)).isEqualTo(messageStart);
    body.close(); // the client goes away mid-stream
    clientRead.countDown();

    JsonNode record = files.awaitOnlyRecord(gate);
    assertThat(writeFailure.get()).isNotNull();
    ObjectNode expected = (ObjectNode) anthropicStreamRecord(200, "client_disconnected");
    expected.put("output_tokens", 3); // message_start's count; the final delta never came
    // what was metered is what is priced: 312·3 + 9154·0.3 + 2207·3.75 + 3·15 = 12003.45 per 1M
    expected.put("cost_usd", 0.01200345);
    assertThat(record).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- providers

  @Test
  void theProviderInitParamOrConstructorArgumentMetersEveryPathAsThatRoute() throws Exception {
    byte[] body = fixture("anthropic/messages-nonstream.json");
    TestServlet.Body answer =
        (req, resp) -> {
          resp.setContentType("application/json");
          resp.getOutputStream().write(body);
        };
    deploy(
        WebApp.at("/byparam")
            .filter(new LMGateFilter(gate))
            .filterParam(LMGateFilter.PROVIDER_PARAM, "anthropic")
            .servlet("/*", new TestServlet(answer)),
        WebApp.at("/byarg")
            .filter(new LMGateFilter(gate, "anthropic"))
            .servlet("/*", new TestServlet(answer)));

    for (String path : List.of("/byparam/chat/send", "/byarg/chat/send")) {
      HttpResponse<byte[]> response =
          client.send(post(path, ALPHA_KEY, "{}"), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.body()).isEqualTo(body);
    }

    JsonNode expected =
        json(
            """
            {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"anthropic",
             "endpoint":"/chat/send","model":"claude-sonnet-4-5-20250929","status":200,
             "input_tokens":217,"output_tokens":419,"masked_key":"XYZ123","error_type":null,
             "owner":"team-alpha","method":"POST","stream":false,"duration_ms":0,"ttfb_ms":0,
             "cache_read_tokens":6142,"cache_write_tokens":1913,"reasoning_tokens":null,
             "upstream_request_id":null,"cost_usd":0.01595235}""");
    assertThat(files.awaitRecords(2, gate::flushRecords)).containsExactly(expected, expected);
  }

  @Test
  void aPathUnderNoRouteIsRecordedAsUnknownWithoutTokens() throws Exception {
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("application/json");
              resp.setHeader("x-request-id", "req_internal_7");
              resp.getOutputStream().write(fixture("openai/chat-nonstream.json"));
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/internal/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/internal/ask?verbose=1", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(files.awaitOnlyRecord(gate))
        .isEqualTo(
            json(
                """
                {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"unknown",
                 "endpoint":"/internal/ask","model":null,"status":200,"input_tokens":null,
                 "output_tokens":null,"masked_key":"XYZ123","error_type":null,
                 "owner":"team-alpha","method":"POST","stream":false,"duration_ms":0,"ttfb_ms":0,
                 "cache_read_tokens":null,"cache_write_tokens":null,"reasoning_tokens":null,
                 "upstream_request_id":"req_internal_7","cost_usd":null}"""));
  }

  // ---------------------------------------------------------------- failures

  /**
   * A clock that throws inside the core's {@code Exchange.onResponse} stands for any unexpected
   * failure in metering: the app writes its response undisturbed, the core logs a WARN, and the
   * record is still written, without usage or time to first byte (the meter never started on the
   * body: one started late would count a partial body).
   */
  @Test
  void aFailureInsideMeteringNeverReachesTheApp() throws Exception {
    FailingClock clock = new FailingClock(ARRIVAL);
    GateFiles other = GateFiles.create(dir.resolve("clock"));
    LMGate failing = other.startGate(clock);
    byte[] body = fixture("openai/chat-nonstream.json");
    AtomicReference<Throwable> seenByApp = new AtomicReference<>();
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("application/json");
              resp.setHeader("x-request-id", "req_clock");
              clock.failNextNanoTimeOnThisThread();
              try {
                writeInChunks(resp.getOutputStream(), body, 512);
              } catch (RuntimeException | IOException e) {
                seenByApp.set(e);
                throw e;
              }
            });
    try (LogCapture log = new LogCapture(Exchange.class)) {
      deploy(WebApp.at("/app").filter(new LMGateFilter(failing)).servlet("/openai/*", servlet));

      HttpResponse<byte[]> response =
          client.send(
              post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(body);
      assertThat(seenByApp.get()).isNull();
      assertThat(other.awaitOnlyRecord(failing))
          .isEqualTo(
              json(
                  """
                  {"timestamp":"2026-02-16T12:00:00.000Z","lmgate_id":"1","provider":"openai",
                   "endpoint":"/openai/v1/chat/completions","model":null,"status":200,
                   "input_tokens":null,"output_tokens":null,"masked_key":"XYZ123",
                   "error_type":null,"owner":"team-alpha","method":"POST","stream":false,
                   "duration_ms":0,"ttfb_ms":null,"cache_read_tokens":null,
                   "cache_write_tokens":null,"reasoning_tokens":null,
                   "upstream_request_id":null,"cost_usd":null}"""));
      assertThat(log.lines())
          .containsExactly(
              new LogCapture.Line(
                  Level.WARN,
                  "LMGate metering failed while reading the response head; the response is not"
                      + " affected",
                  "clock failed"));
    } finally {
      stopServer();
      failing.close();
    }
  }

  @Test
  void anExceptionFromTheAppIsRethrownUnchangedAndRecorded() throws Exception {
    IllegalStateException thrown = new IllegalStateException("the app failed");
    AtomicReference<Throwable> seenOutside = new AtomicReference<>();
    Filter outer =
        (req, resp, chain) -> {
          try {
            chain.doFilter(req, resp);
          } catch (RuntimeException e) {
            seenOutside.set(e);
            throw e;
          }
        };
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              throw thrown;
            });
    deploy(
        WebApp.at("/app")
            .before(outer)
            .filter(new LMGateFilter(gate))
            .servlet("/openai/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(seenOutside.get()).isSameAs(thrown);
    // no response head was decided: the status is the 500 the container answers, no first byte
    assertThat(files.awaitOnlyRecord(gate))
        .isEqualTo(emptyOpenAiRecord(500, "gateway_error", null));
  }

  @Test
  void sendErrorIsRecordedWithItsStatus() throws Exception {
    TestServlet servlet = new TestServlet((req, resp) -> resp.sendError(429, "slow down"));
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/openai/*", servlet));

    HttpResponse<String> response =
        client.send(
            post("/app/openai/v1/chat/completions", ALPHA_KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(files.awaitOnlyRecord(gate)).isEqualTo(emptyOpenAiRecord(429, "upstream_error"));
  }

  // ---------------------------------------------------------------- configuration and lifecycle

  @Test
  void twoFiltersInOneJvmKeepTheirOwnAllowListsAndRecords() throws Exception {
    Instant before = Instant.now();
    GateFiles a = GateFiles.create(dir.resolve("a"), "1," + ALPHA_KEY + ",team-alpha");
    GateFiles b =
        GateFiles.create(dir.resolve("b"), "7," + GateFiles.hashed(BETA_KEY) + ",team-beta");
    byte[] body = fixture("openai/chat-nonstream.json");
    TestServlet.Body answer =
        (req, resp) -> {
          resp.setContentType("application/json");
          resp.getOutputStream().write(body);
        };
    deploy(
        WebApp.at("/a")
            .filterParam(LMGateFilter.CONFIG_PARAM, a.yaml.toString())
            .servlet("/*", new TestServlet(answer)),
        WebApp.at("/b")
            .filterParam(LMGateFilter.CONFIG_PARAM, b.yaml.toString())
            .servlet("/*", new TestServlet(answer)));

    String path = "/openai/v1/chat/completions";
    assertThat(status("/a" + path, ALPHA_KEY)).isEqualTo(200);
    assertThat(status("/a" + path, BETA_KEY)).isEqualTo(403);
    assertThat(status("/b" + path, BETA_KEY)).isEqualTo(200);
    assertThat(status("/b" + path, ALPHA_KEY)).isEqualTo(403);
    stopServer(); // destroy() closes each filter's own core, writing its records

    List<JsonNode> recordsA = a.records();
    List<JsonNode> recordsB = b.records();
    assertThat(recordsA).hasSize(1);
    assertThat(recordsB).hasSize(1);
    assertThat(withoutTimes(recordsA.get(0), before))
        .isEqualTo(openAiRecordWithoutTimes("1", "team-alpha", "XYZ123"));
    assertThat(withoutTimes(recordsB.get(0), before))
        .isEqualTo(openAiRecordWithoutTimes("7", "team-beta", "Q7w9Zz"));
  }

  int status(String path, String key) throws Exception {
    return client
        .send(post(path, key, CHAT_REQUEST), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The record without its clock fields, after checking those are plausible. */
  static JsonNode withoutTimes(JsonNode record, Instant notBefore) {
    ObjectNode copy = record.deepCopy();
    Instant timestamp = Instant.parse(copy.remove("timestamp").asText());
    long duration = copy.remove("duration_ms").asLong();
    long ttfb = copy.remove("ttfb_ms").asLong();
    assertThat(timestamp).isBetween(notBefore.minusMillis(1), Instant.now());
    assertThat(ttfb).isBetween(0L, duration);
    return copy;
  }

  static JsonNode openAiRecordWithoutTimes(String id, String owner, String maskedKey) {
    ObjectNode record =
        (ObjectNode)
            json(
                """
                {"provider":"openai","endpoint":"/openai/v1/chat/completions",
                 "model":"gpt-4o-2024-08-06","status":200,"input_tokens":2006,"output_tokens":161,
                 "error_type":null,"method":"POST","stream":false,"cache_read_tokens":1792,
                 "cache_write_tokens":null,"reasoning_tokens":0,"upstream_request_id":null,"cost_usd":null}""");
    record.put("lmgate_id", id);
    record.put("owner", owner);
    record.put("masked_key", maskedKey);
    return record;
  }

  @Test
  void destroyOfAFilterFromWebXmlWritesTheQueuedRecords() throws Exception {
    Instant before = Instant.now();
    GateFiles own = GateFiles.create(dir.resolve("own")); // records flushed every 3600 s
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("application/json");
              resp.getOutputStream().write(fixture("openai/chat-nonstream.json"));
            });
    deploy(
        WebApp.at("/app")
            .filterParam(LMGateFilter.CONFIG_PARAM, own.yaml.toString())
            .servlet("/*", servlet));

    assertThat(status("/app/openai/v1/chat/completions", ALPHA_KEY)).isEqualTo(200);
    assertThat(own.records()).isEmpty(); // queued, not yet written
    stopServer();

    List<JsonNode> records = own.records();
    assertThat(records).hasSize(1);
    assertThat(withoutTimes(records.get(0), before))
        .isEqualTo(openAiRecordWithoutTimes("1", "team-alpha", "XYZ123"));
  }

  @Test
  void destroyOfAFilterOnAGivenCoreWritesItsRecordsAndLeavesTheCoreRunning() throws Exception {
    TestServlet servlet =
        new TestServlet(
            (req, resp) -> {
              resp.setContentType("application/json");
              resp.getOutputStream().write(fixture("openai/chat-nonstream.json"));
            });
    deploy(WebApp.at("/app").filter(new LMGateFilter(gate)).servlet("/*", servlet));

    assertThat(status("/app/openai/v1/chat/completions", ALPHA_KEY)).isEqualTo(200);
    assertThat(files.records()).isEmpty(); // queued, not yet written
    stopServer();

    assertThat(files.records()).hasSize(1);
    Admission admission =
        gate.admit(
            new IncomingRequest(
                "GET",
                "/after",
                null,
                name -> name.equals("x-api-key") ? List.of(BETA_KEY) : List.of(),
                "-"),
            RouteMode.OPTIONAL);
    ((Admission.Admitted) admission).exchange().complete();
    gate.flushRecords();
    assertThat(files.records()).hasSize(2); // the core still writes: the caller owns it
  }

  /**
   * An invalid configuration fails the filter's {@code init}, so its webapp does not deploy (Tomcat
   * marks the context failed; Jetty fails the server's start) and no request reaches the app.
   */
  @Test
  void anInvalidConfigurationKeepsTheWebappFromDeploying() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "server:\n  port: 70000\nstats:\n  flush_interval_seconds: 0\n");
    TestServlet servlet = new TestServlet((req, resp) -> resp.getWriter().print("served"));
    deploy(
        WebApp.at("/bad")
            .filterParam(LMGateFilter.CONFIG_PARAM, bad.toString())
            .servlet("/*", servlet));

    assertThat(server.deployed("/bad")).isFalse();
    if (server.listening()) {
      assertThat(status("/bad/openai/v1/chat/completions", ALPHA_KEY)).isEqualTo(404);
    }
    assertThat(servlet.calls).hasValue(0);
  }

  /**
   * Which YAML file a filter from {@code web.xml} reads: init-param {@code config}, else context
   * init-param {@code lmgate.config}, else {@code LMGATE_CONFIG}, else the defaults (relative to
   * the working directory). Each source names an allow-list with a key of its own.
   */
  @Test
  void theConfigFileComesFromInitParamThenContextParamThenEnvironmentThenDefaults()
      throws Exception {
    GateFiles init = GateFiles.create(dir.resolve("init"), "1,sk-from-init-param-000001,i");
    GateFiles context = GateFiles.create(dir.resolve("context"), "1,sk-from-context-00002,c");
    GateFiles env = GateFiles.create(dir.resolve("env"), "1,sk-from-environment-03,e");
    Path workingDir = Files.createDirectories(dir.resolve("wd/data"));
    Files.writeString(
        workingDir.resolve("allowlist.csv"), "id,api_key,owner,added\n1,sk-from-defaults-04,d,x\n");
    Path wd = workingDir.getParent();
    Map<String, String> noEnv = Map.of();
    deploy(
        WebApp.at("/init")
            .filter(new LMGateFilter(noEnv, wd))
            .filterParam(LMGateFilter.CONFIG_PARAM, init.yaml.toString())
            .contextParam(LMGateFilter.CONTEXT_CONFIG_PARAM, context.yaml.toString())
            .servlet("/*", new TestServlet((req, resp) -> resp.setStatus(200))),
        WebApp.at("/context")
            .filter(new LMGateFilter(Map.of("LMGATE_CONFIG", env.yaml.toString()), wd))
            .contextParam(LMGateFilter.CONTEXT_CONFIG_PARAM, context.yaml.toString())
            .servlet("/*", new TestServlet((req, resp) -> resp.setStatus(200))),
        WebApp.at("/env")
            .filter(new LMGateFilter(Map.of("LMGATE_CONFIG", env.yaml.toString()), wd))
            .servlet("/*", new TestServlet((req, resp) -> resp.setStatus(200))),
        WebApp.at("/defaults")
            .filter(new LMGateFilter(noEnv, wd))
            .servlet("/*", new TestServlet((req, resp) -> resp.setStatus(200))));

    Map<String, String> keyOf =
        Map.of(
            "/init", "sk-from-init-param-000001",
            "/context", "sk-from-context-00002",
            "/env", "sk-from-environment-03",
            "/defaults", "sk-from-defaults-04");
    for (String app : keyOf.keySet()) {
      for (Map.Entry<String, String> key : keyOf.entrySet()) {
        assertThat(status(app + "/x", key.getValue()))
            .as("%s with the key of %s", app, key.getKey())
            .isEqualTo(app.equals(key.getKey()) ? 200 : 403);
      }
    }
    stopServer();
    assertThat(Files.exists(wd.resolve("data/stats.jsonl"))).isTrue(); // the default stats path
  }

  // ---------------------------------------------------------------- a client that leaves early

  /**
   * A client that leaves while the application waits for its upstream (no response head yet), in
   * one of three ways ({@code HTTP/1.1 socket closed}, {@code HTTP/1.1 JDK client cancelled},
   * {@code HTTP/2 curl killed}): the record says 499 {@code client_disconnected} without tokens,
   * not the 200 nobody received, and the application's write fails at once (its connection is
   * closed). The application's own egress stays in charge of its upstream request.
   */
  void clientLeavesBeforeTheResponseHead(String client) throws Exception {
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
