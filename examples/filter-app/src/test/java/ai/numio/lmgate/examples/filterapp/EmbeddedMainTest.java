package ai.numio.lmgate.examples.filterapp;

import static ai.numio.lmgate.examples.filterapp.AppFiles.CHAT_REQUEST;
import static ai.numio.lmgate.examples.filterapp.AppFiles.FORBIDDEN_BODY;
import static ai.numio.lmgate.examples.filterapp.AppFiles.KEY;
import static ai.numio.lmgate.examples.filterapp.AppFiles.fixture;
import static ai.numio.lmgate.examples.filterapp.AppFiles.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.testing.RawUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programmatic registration of {@link EmbeddedMain}: {@code new LMGateFilter(gate)} on a core
 * the app owns, before {@link AskServlet}, in embedded Tomcat. The core runs on a manual clock, so
 * records are compared whole (durations exactly 0, the timestamp the arrival instant).
 */
class EmbeddedMainTest {

  private static final Instant ARRIVAL = Instant.parse("2026-03-02T09:30:00Z");

  /** Tomcat logs through java.util.logging; kept here so the level setting is not collected. */
  private static final java.util.logging.Logger TOMCAT_LOG =
      java.util.logging.Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
  }

  @TempDir Path dir;
  private RawUpstream upstream;
  private AppFiles files;
  private LMGate gate;
  private Tomcat tomcat;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    files = AppFiles.create(dir.resolve("lmgate"), upstream.uri());
    gate =
        LMGate.start(
            ConfigLoader.load(Optional.of(files.yaml), Map.of(), dir),
            new ManualTimeSource(ARRIVAL));
  }

  @AfterEach
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
    gate.close();
    upstream.close();
  }

  private URI chatUri() {
    return URI.create(
        "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/openai/v1/chat/completions");
  }

  private HttpRequest chat(String authorization) {
    return HttpRequest.newBuilder(chatUri())
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(CHAT_REQUEST))
        .build();
  }

  @Test
  void anAllowedCallIsAnsweredByTheAppAndRecordedExactly() throws Exception {
    byte[] answer = fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json", "x-request-id", "req_embedded");
          RawUpstream.chunk(out, answer, 0, answer.length);
          RawUpstream.lastChunk(out);
        });
    tomcat = EmbeddedMain.start(gate, upstream.uri(), "127.0.0.1", 0, dir.resolve("tomcat"));

    HttpResponse<byte[]> response =
        client.send(chat("Bearer " + KEY), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(answer);
    assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).hasValue("team-search");
    assertThat(upstream.received()).hasSize(1);
    assertThat(upstream.received().get(0).header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(files.awaitOnlyRecord(gate::flushRecords))
        .isEqualTo(
            json(
                """
                {"timestamp":"2026-03-02T09:30:00.000Z","lmgate_id":"7","provider":"openai",
                 "endpoint":"/openai/v1/chat/completions","model":"gpt-4o-2024-08-06",
                 "status":200,"input_tokens":2006,"output_tokens":161,"masked_key":"APP777",
                 "error_type":null,"owner":"team-search","method":"POST","stream":false,
                 "duration_ms":0,"ttfb_ms":0,"cache_read_tokens":1792,"cache_write_tokens":null,
                 "reasoning_tokens":0,"upstream_request_id":"req_embedded","cost_usd":null}"""));
  }

  @Test
  void aDeniedCallGets403WithoutReachingTheApp() throws Exception {
    tomcat = EmbeddedMain.start(gate, upstream.uri(), "127.0.0.1", 0, dir.resolve("tomcat"));

    HttpResponse<String> response =
        client.send(
            chat("Bearer sk-proj-not-on-the-list-000000"),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo(FORBIDDEN_BODY);
    assertThat(response.headers().firstValue(AskServlet.CALLER_HEADER)).isEmpty();
    assertThat(upstream.received()).isEmpty();
    assertThat(gate.deniedCount()).isEqualTo(1);
    gate.flushRecords();
    assertThat(files.newRecords()).isEmpty();
  }

  /** The servlet relies on the filter: mounted alone, it refuses to call the provider unmetered. */
  @Test
  void withoutTheFilterTheAppRefusesToCallTheProvider() throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(dir.resolve("tomcat").toString());
    Connector connector = new Connector();
    connector.setProperty("address", "127.0.0.1");
    connector.setPort(0);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", dir.toString());
    Tomcat.addServlet(context, "ask", new AskServlet(upstream.uri()));
    context.addServletMappingDecoded("/openai/*", "ask");
    tomcat.start();

    HttpResponse<String> response =
        client.send(chat("Bearer " + KEY), HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"not_configured\","
                + "\"message\":\"LMGate filter is not mounted; the provider is not called\"}");
    assertThat(upstream.received()).isEmpty();
  }
}
