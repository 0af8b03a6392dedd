package ai.numio.lmgate.examples.filterapp;

import static ai.numio.lmgate.examples.filterapp.AppFiles.CHAT_REQUEST;
import static ai.numio.lmgate.examples.filterapp.AppFiles.FORBIDDEN_BODY;
import static ai.numio.lmgate.examples.filterapp.AppFiles.KEY;
import static ai.numio.lmgate.examples.filterapp.AppFiles.assertRecord;
import static ai.numio.lmgate.examples.filterapp.AppFiles.fixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * filter-app.war as built, deployed under {@code /filter-app} in embedded Tomcat 10.1, LMGate
 * configured by the context parameter {@code lmgate.config} and the app's upstream by {@code
 * app.openai.upstream}, both pointing at a scripted loopback upstream. The filter comes from {@code
 * web.xml} and owns its core, so records are read from the stats file as it flushes them (every
 * second).
 */
class FilterAppIT {

  /** Tomcat logs through java.util.logging; kept here so the level setting is not collected. */
  private static final java.util.logging.Logger TOMCAT_LOG =
      java.util.logging.Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
  }

  @TempDir Path dir;
  private RawUpstream upstream;
  private AppFiles files;
  private Tomcat tomcat;
  private URI app;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    files = AppFiles.create(dir.resolve("lmgate"), upstream.uri());
  }

  @AfterEach
  void stopAll() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
    upstream.close();
  }

  /** Deploys the WAR; the app sends its provider calls to {@code appUpstream}. */
  private void deploy(URI appUpstream) throws Exception {
    Path war = Path.of(System.getProperty("filter-app.war", "target/filter-app.war"));
    assertThat(war).as("the built WAR; run `mvn verify`").exists();
    Path base = Files.createDirectories(dir.resolve("tomcat"));
    Files.createDirectories(base.resolve("webapps"));
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.getHost().setAppBase(base.resolve("webapps").toString());
    Connector connector = new Connector();
    connector.setProperty("address", "127.0.0.1");
    connector.setPort(0);
    tomcat.setConnector(connector);
    tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP engine here; the app serves no JSP
    Context context = tomcat.addWebapp("/filter-app", war.toAbsolutePath().toString());
    context.addParameter("lmgate.config", files.yaml.toString());
    context.addParameter(AskServlet.UPSTREAM_PARAM, appUpstream.toString());
    tomcat.start();
    app = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/filter-app/");
  }

  private HttpRequest chat(String header, String value, String body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(app.resolve("openai/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (header != null) {
      builder.header(header, value);
    }
    return builder.build();
  }

  private JsonNode awaitOnlyRecord() throws InterruptedException {
    return files.awaitOnlyRecord(() -> {}); // the WAR's filter flushes on its own, every second
  }

  @Test
  void aChatCompletionGoesThroughTheAppAndIsRecordedExactly() throws Exception {
    byte[] answer = fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json", "x-request-id", "req_app_1");
          RawUpstream.chunk(out, answer, 0, 700);
          RawUpstream.chunk(out, answer, 700, answer.length - 700);
          RawUpstream.lastChunk(out);
        });
    deploy(upstream.uri());

    Instant sent = Instant.now();
    HttpResponse<byte[]> response =
        client.send(
            chat("Authorization", "Bearer " + KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofByteArray());
    Instant answered = Instant.now();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(answer);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-request-id")).hasValue("req_app_1");
    assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).hasValue("team-search");

    assertThat(upstream.received()).hasSize(1);
    RawUpstream.Received call = upstream.received().get(0);
    assertThat(call.requestLine()).isEqualTo("POST /v1/chat/completions HTTP/1.1");
    assertThat(call.header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(call.header("content-type")).isEqualTo("application/json");
    assertThat(call.header("content-length"))
        .isEqualTo(String.valueOf(CHAT_REQUEST.getBytes(UTF_8).length));

    assertRecord(
        awaitOnlyRecord(),
        """
        {"lmgate_id":"7","provider":"openai","endpoint":"/openai/v1/chat/completions",
         "model":"gpt-4o-2024-08-06","status":200,"input_tokens":2006,"output_tokens":161,
         "masked_key":"APP777","error_type":null,"owner":"team-search","method":"POST",
         "stream":false,"cache_read_tokens":1792,"cache_write_tokens":null,"reasoning_tokens":0,
         "upstream_request_id":"req_app_1","cost_usd":null}""",
        sent,
        answered);
  }

  /**
   * The upstream holds back everything after the first event until the client has read that event
   * through the app: a buffering app would leave the client waiting, and the upstream would go on
   * only after its 10 s patience ran out.
   */
  @Test
  void aStreamReachesTheClientEventByEventAndIsRecordedExactly() throws Exception {
    byte[] sse = fixture("openai/chat-stream-include-usage.sse");
    int firstEventEnd = new String(sse, UTF_8).indexOf("\n\n") + 2;
    String firstEvent = new String(sse, 0, firstEventEnd, UTF_8);
    CountDownLatch clientHasFirstEvent = new CountDownLatch(1);
    AtomicBoolean releasedByClient = new AtomicBoolean();
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream; charset=utf-8");
          RawUpstream.chunk(out, sse, 0, firstEventEnd);
          releasedByClient.set(clientHasFirstEvent.await(10, TimeUnit.SECONDS));
          for (int i = firstEventEnd; i < sse.length; i += 61) { // splits lines and UTF-8 chars
            RawUpstream.chunk(out, sse, i, Math.min(61, sse.length - i));
          }
          RawUpstream.lastChunk(out);
        });
    deploy(upstream.uri());

    Instant sent = Instant.now();
    HttpResponse<InputStream> response =
        client.send(
            chat(
                "Authorization",
                "Bearer " + KEY,
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}"),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).hasValue("team-search");
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[8192];
      while (received.size() < firstEventEnd) {
        int n = body.read(buffer, 0, firstEventEnd - received.size());
        assertThat(n).as("stream ended before the first event").isPositive();
        received.write(buffer, 0, n);
      }
      assertThat(received.toString(UTF_8)).isEqualTo(firstEvent);
      clientHasFirstEvent.countDown();
      body.transferTo(received);
    }
    Instant answered = Instant.now();

    assertThat(releasedByClient).as("first event reached the client before the rest").isTrue();
    assertThat(received.toByteArray()).isEqualTo(sse);
    assertRecord(
        awaitOnlyRecord(),
        """
        {"lmgate_id":"7","provider":"openai","endpoint":"/openai/v1/chat/completions",
         "model":"gpt-4o-mini-2024-07-18","status":200,"input_tokens":1117,"output_tokens":233,
         "masked_key":"APP777","error_type":null,"owner":"team-search","method":"POST",
         "stream":true,"cache_read_tokens":1024,"cache_write_tokens":null,"reasoning_tokens":0,
         "upstream_request_id":null,"cost_usd":null}""",
        sent,
        answered);
  }

  @Test
  void aKeyNotOnTheListGets403AndTheAppIsNeverCalled() throws Exception {
    deploy(upstream.uri());

    for (String[] credential :
        List.of(
            new String[] {"Authorization", "Bearer sk-proj-not-on-the-list-000000"},
            new String[] {"Authorization", "Basic " + KEY},
            new String[] {"x-api-key", "sk-ant-not-on-the-list"},
            new String[] {null, null})) {
      HttpResponse<String> response =
          client.send(
              chat(credential[0], credential[1], CHAT_REQUEST),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).as(credential[0]).isEqualTo(403);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(response.body()).isEqualTo(FORBIDDEN_BODY);
      assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).isEmpty();
    }
    assertThat(upstream.received()).isEmpty();

    // denials write no record: the next record is the one of the allowed request that follows
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json");
          RawUpstream.chunk(out, fixture("openai/chat-nonstream.json"), 0, 100);
          RawUpstream.lastChunk(out);
        });
    HttpResponse<String> allowed =
        client.send(
            chat("Authorization", "Bearer " + KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(allowed.statusCode()).isEqualTo(200);
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("masked_key").asText()).isEqualTo("APP777");
    assertThat(record.get("status").asInt()).isEqualTo(200);
  }

  @Test
  void anUnreachableUpstreamGives502AndARecordSayingSo() throws Exception {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    deploy(closedPort);

    Instant sent = Instant.now();
    HttpResponse<String> response =
        client.send(
            chat("Authorization", "Bearer " + KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    Instant answered = Instant.now();

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_unreachable\","
                + "\"message\":\"Upstream provider could not be reached\"}");
    assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).hasValue("team-search");
    assertRecord(
        awaitOnlyRecord(),
        """
        {"lmgate_id":"7","provider":"openai","endpoint":"/openai/v1/chat/completions",
         "model":null,"status":502,"input_tokens":null,"output_tokens":null,
         "masked_key":"APP777","error_type":"upstream_unreachable","owner":"team-search",
         "method":"POST","stream":false,"cache_read_tokens":null,"cache_write_tokens":null,
         "reasoning_tokens":null,"upstream_request_id":null,"cost_usd":null}""",
        sent,
        answered);
  }

  /** The provider resets the connection after the first event, once the client has that event. */
  @Test
  void anAnswerTheProviderCutsMidwayIsCutForTheClientAndRecordedAsUpstreamDisconnected()
      throws Exception {
    byte[] sse = fixture("openai/chat-stream-include-usage.sse");
    int firstEventEnd = new String(sse, UTF_8).indexOf("\n\n") + 2;
    CountDownLatch clientHasFirstEvent = new CountDownLatch(1);
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream; charset=utf-8");
          RawUpstream.chunk(out, sse, 0, firstEventEnd);
          clientHasFirstEvent.await(10, TimeUnit.SECONDS);
          RawUpstream.reset(socket);
        });
    deploy(upstream.uri());

    HttpResponse<InputStream> response =
        client.send(
            chat("Authorization", "Bearer " + KEY, CHAT_REQUEST),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (InputStream body = response.body()) {
      assertThat(body.readNBytes(firstEventEnd)).isEqualTo(Arrays.copyOf(sse, firstEventEnd));
      clientHasFirstEvent.countDown();
      assertThatThrownBy(body::readAllBytes)
          .as("the client's response is cut too, not ended as if complete")
          .isInstanceOf(IOException.class);
    }

    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("stream").asBoolean()).isTrue();
  }
}
