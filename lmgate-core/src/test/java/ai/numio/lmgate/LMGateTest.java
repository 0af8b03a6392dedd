package ai.numio.lmgate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.Sha256;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.stats.UsageRecord;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The facade end to end: route, authorize, exchange, record line on disk. */
class LMGateTest {

  private static final String ALPHA_KEY = "sk-proj-alpha-0123456789abcdefXYZ123";
  private static final String BETA_KEY = "sk-ant-api03-beta-key-for-tests-Q7w9";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-02-16T12:00:00Z"));
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private LMGate gate;
  private Path allowList;

  @BeforeEach
  void setUp() throws Exception {
    allowList = dir.resolve("allowlist.csv");
    Files.writeString(
        allowList,
        "id,api_key,owner,added\n"
            + "1,"
            + ALPHA_KEY
            + ",team-alpha,2026-01-15\n"
            + "2,"
            + Sha256.allowListForm(BETA_KEY)
            + ",team-beta,2026-02-01\n");
    LMGateConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(
                "LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString(),
                "LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString(),
                "LMGATE_AUTH__POLL_INTERVAL_SECONDS", "3600"),
            dir);
    logs.start();
    ((Logger) LoggerFactory.getLogger("ai.numio.lmgate")).addAppender(logs);
    gate = LMGate.start(config, time);
  }

  @AfterEach
  void tearDown() {
    gate.close();
    ((Logger) LoggerFactory.getLogger("ai.numio.lmgate")).detachAppender(logs);
  }

  @Test
  void anAllowedStreamIsRecordedWithEveryField() throws IOException {
    Admission.Admitted admitted =
        (Admission.Admitted)
            gate.admit(
                new IncomingRequest(
                    "POST",
                    "/openai/v1/chat/completions",
                    "stream=true",
                    headers("Authorization", "Bearer " + ALPHA_KEY),
                    "10.0.0.7"),
                RouteMode.REQUIRED);
    assertThat(admitted.upstreamUri())
        .isEqualTo("https://api.openai.com/v1/chat/completions?stream=true");
    Caller caller = admitted.caller();
    assertThat(caller.id()).isEqualTo("1");
    assertThat(caller.owner()).isEqualTo("team-alpha");
    assertThat(caller.toString()).doesNotContain(ALPHA_KEY);

    Exchange exchange = admitted.exchange();
    time.advance(Duration.ofMillis(250));
    exchange.onResponse(
        200,
        headers("Content-Type", "text/event-stream; charset=utf-8", "x-request-id", "req_8f2a"));
    time.advance(Duration.ofMillis(1500));
    byte[] body = fixture("openai/chat-stream-include-usage.sse");
    exchange.onBytes(body, 0, body.length / 2);
    exchange.onBytes(body, body.length / 2, body.length - body.length / 2);
    exchange.complete();
    exchange.fail(Failure.CLIENT_DISCONNECTED); // too late: the record is written once

    List<String> lines = records();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .isEqualTo(
            "{\"timestamp\":\"2026-02-16T12:00:00.000Z\",\"lmgate_id\":\"1\",\"provider\":\"openai\","
                + "\"endpoint\":\"/openai/v1/chat/completions\",\"model\":\"gpt-4o-mini-2024-07-18\","
                + "\"status\":200,\"input_tokens\":1117,\"output_tokens\":233,\"masked_key\":\"XYZ123\","
                + "\"error_type\":null,\"owner\":\"team-alpha\",\"method\":\"POST\",\"stream\":true,"
                + "\"duration_ms\":1750,\"ttfb_ms\":250,\"cache_read_tokens\":1024,"
                + "\"cache_write_tokens\":null,\"reasoning_tokens\":0,\"upstream_request_id\":\"req_8f2a\",\"cost_usd\":null}");
  }

  @Test
  void hashedKeysAuthorizeThroughTheirHeader() {
    Caller caller = gate.authorize(headers("x-api-key", BETA_KEY), null, "10.0.0.8").orElseThrow();
    assertThat(caller.owner()).isEqualTo("team-beta");
  }

  @Test
  void deniedRequestsAreCountedAndLoggedWithoutTheKey() {
    String unknown = "sk-unknown-key-that-is-not-listed-42";
    assertThat(gate.authorize(headers("Authorization", "Bearer " + unknown), null, "192.0.2.1"))
        .isEmpty();
    assertThat(gate.authorize(headers(), null, "192.0.2.2")).isEmpty();
    assertThat(gate.authorize(headers("Authorization", "Basic dXNlcjpwYXNz"), null, "192.0.2.3"))
        .isEmpty();
    assertThat(
            gate.authorize(
                headers("Authorization", "Bearer " + ALPHA_KEY, "x-api-key", unknown),
                null,
                "192.0.2.4"))
        .isEmpty();
    assertThat(gate.deniedCount()).isEqualTo(4);
    List<String> messages = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(messages)
        .contains(
            "Denied request from 192.0.2.1: key not on the allow-list (key …ted-42)",
            "Denied request from 192.0.2.2: no API key (key none)",
            "Denied request from 192.0.2.4: different keys in several credential headers (key none)");
    assertThat(String.join("\n", messages)).doesNotContain(unknown).doesNotContain(ALPHA_KEY);
  }

  @Test
  void closeLogsTheSummaryOfDenialsThatWereNotLogged() {
    for (int i = 0; i < DenialLog.PER_SECOND + 4; i++) {
      assertThat(gate.authorize(headers(), null, "192.0.2.9")).isEmpty();
    }

    gate.close();

    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
        .contains("4 more denied requests were not logged (at most 20 are logged a second)");
  }

  @Test
  void aGeminiQueryKeyMustBeTheCheckedKey() {
    Headers h = headers("x-goog-api-key", ALPHA_KEY);
    assertThat(gate.authorize(h, "alt=sse", "c")).isPresent();
    assertThat(gate.authorize(h, "alt=sse&key=" + ALPHA_KEY, "c")).isPresent();
    assertThat(gate.authorize(h, "key=AIzaSyOtherKey&alt=sse", "c")).isEmpty();
    assertThat(gate.authorize(h, "k%65y=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "key", "c")).isEmpty();
    assertThat(gate.authorize(h, "monkey=1", "c")).isPresent();
    // every spelling a server might read as the key
    assertThat(gate.authorize(h, "KEY=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "alt=sse;key=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "api_key=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "x-goog-api-key=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "apiKey=AIzaSyOtherKey", "c")).isEmpty();
    assertThat(gate.authorize(h, "KEY=" + ALPHA_KEY + ";alt=sse", "c")).isPresent();
  }

  @Test
  void failuresBeforeAResponseRecordTheGatewaysAnswer() throws IOException {
    Exchange exchange = begin("POST", "/anthropic/v1/messages");
    time.advance(Duration.ofSeconds(10));
    exchange.fail(Failure.UPSTREAM_UNREACHABLE);

    JsonNode record = JSON.readTree(records().get(0));
    assertThat(record.get("status").asInt()).isEqualTo(502);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_unreachable");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("duration_ms").asLong()).isEqualTo(10_000);
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(ErrorResponse.of(Failure.UPSTREAM_UNREACHABLE).status()).isEqualTo(502);
  }

  @Test
  void aFailureTheAdapterAnsweredRecordsTheStatusItSent() throws IOException {
    Exchange malformedBody = begin("POST", "/anthropic/v1/messages");
    assertThat(malformedBody.fail(Failure.MALFORMED_REQUEST_BODY).status()).isEqualTo(400);
    Exchange cutStream = begin("POST", "/anthropic/v1/messages");
    cutStream.onResponse(200, headers("content-type", "text/event-stream"));
    // too late for an answer: the client already got 200
    assertThat(cutStream.fail(Failure.UPSTREAM_DISCONNECTED)).isNull();

    List<String> lines = records();
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("status").asInt()).isEqualTo(400);
    assertThat(first.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(first.get("ttfb_ms").isNull()).isTrue();
    JsonNode second = JSON.readTree(lines.get(1));
    assertThat(second.get("status").asInt()).isEqualTo(200);
    assertThat(second.get("error_type").asText()).isEqualTo("upstream_disconnected");
  }

  @Test
  void aStreamCutMidwayKeepsTheTokensSeenAndTheStatusSent() throws IOException {
    Exchange exchange = begin("POST", "/anthropic/v1/messages");
    exchange.onResponse(200, headers("content-type", "text/event-stream", "request-id", "req_011"));
    String stream = new String(fixture("anthropic/messages-stream.sse"), UTF_8);
    byte[] firstHalf = stream.substring(0, stream.indexOf("event: message_delta")).getBytes(UTF_8);
    exchange.onBytes(firstHalf, 0, firstHalf.length);
    exchange.fail(Failure.UPSTREAM_DISCONNECTED);

    JsonNode record = JSON.readTree(records().get(0));
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("input_tokens").isNull()).isFalse();
    assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_011");
    assertThat(record.get("stream").asBoolean()).isTrue();
  }

  @Test
  void providerErrorsWinOverTheStatusClass() throws IOException {
    Exchange withBody = begin("POST", "/openai/v1/chat/completions");
    withBody.onResponse(429, headers("content-type", "application/json"));
    byte[] body = fixture("openai/error-429-rate-limit-tokens.json");
    withBody.onBytes(body, 0, body.length);
    withBody.complete();
    Exchange noBody = begin("GET", "/openai/v1/models");
    noBody.onResponse(500, headers("content-type", "text/html"));
    noBody.complete();
    Exchange ok = begin("GET", "/openai/v1/models");
    ok.onResponse(200, headers());
    ok.complete();

    List<String> lines = records();
    assertThat(JSON.readTree(lines.get(0)).get("error_type").asText()).isEqualTo("tokens");
    assertThat(JSON.readTree(lines.get(1)).get("error_type").asText()).isEqualTo("upstream_error");
    assertThat(JSON.readTree(lines.get(2)).get("error_type").isNull()).isTrue();
  }

  @Test
  void observersSeeEveryQueuedRecordAndOneThatFailsChangesNothing() throws IOException {
    List<UsageRecord> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    gate.observeRecords(
        (record, overhead) -> {
          throw new IllegalStateException("observer bug");
        });
    gate.observeRecords((record, overhead) -> seen.add(record));
    Exchange first = begin("POST", "/openai/v1/chat/completions");
    assertThat(gate.inflightCount()).isEqualTo(1);
    first.onResponse(200, headers("content-type", "application/json"));
    byte[] body = fixture("openai/chat-nonstream.json");
    first.onBytes(body, 0, body.length);
    first.complete();
    Exchange second = begin("GET", "/openai/v1/models");
    second.onResponse(404, headers());
    second.complete();

    assertThat(gate.inflightCount()).isZero();
    assertThat(seen).extracting(UsageRecord::status).containsExactly(200, 404);
    List<String> lines = records();
    assertThat(lines).hasSize(2);
    JsonNode written = JSON.readTree(lines.get(0));
    assertThat(seen.get(0).lmgateId()).isEqualTo(written.get("lmgate_id").asText());
    assertThat(seen.get(0).inputTokens()).isEqualTo(written.get("input_tokens").asLong());
    assertThat(
            logs.list.stream()
                .filter(e -> e.getFormattedMessage().startsWith("A record observer"))
                .count())
        .isEqualTo(1);
  }

  @Test
  void closingTheGateClosesObserversThatHoldSomethingAfterTheLastRecord() throws IOException {
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    class Holding implements ai.numio.lmgate.stats.RecordObserver, AutoCloseable {
      @Override
      public void recorded(UsageRecord record, long overheadNanos) {
        events.add("recorded " + record.status());
      }

      @Override
      public void close() {
        events.add("closed");
      }
    }
    gate.observeRecords(new Holding());
    gate.observeRecords((record, overhead) -> events.add("plain"));
    assertThat(gate.recordObservers()).hasSize(2);
    Exchange exchange = begin("GET", "/openai/v1/models");
    exchange.onResponse(200, headers());
    exchange.complete();

    gate.close();
    gate.close();

    assertThat(events).containsExactly("recorded 200", "plain", "closed");
  }

  @Test
  void withoutAnObserverModuleNoObserverIsRegistered() {
    // lmgate-core's class path has no RecordObserverProvider: only what a caller adds is observed
    assertThat(gate.recordObservers()).isEmpty();
  }

  @Test
  void unknownProvidersAreRecordedWithoutMetering() throws IOException {
    Exchange exchange =
        ((Admission.Admitted)
                gate.admit(
                    new IncomingRequest(
                        "POST", "/app/llm", null, headers("x-api-key", ALPHA_KEY), "c"),
                    RouteMode.OPTIONAL))
            .exchange();
    exchange.onResponse(200, headers("content-type", "application/json"));
    byte[] body = fixture("openai/chat-nonstream.json");
    exchange.onBytes(body, 0, body.length);
    exchange.complete();
    JsonNode record = JSON.readTree(records().get(0));
    assertThat(record.get("provider").asText()).isEqualTo("unknown");
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("model").isNull()).isTrue();
  }

  @Test
  void routingAnswersNotFoundAndRejectsEscapes() {
    assertThat(refusal("/nope/v1/x").status()).isEqualTo(404);
    assertThat(refusal("/openai/../anthropic/v1/messages").status()).isEqualTo(400);
    assertThat(refusal("/openai/%2e%2e/anthropic/v1/messages").status()).isEqualTo(400);
    Admission gemini =
        gate.admit(
            new IncomingRequest(
                "POST",
                "/gemini/v1beta/models/gemini-2.5-flash:generateContent",
                null,
                headers("x-goog-api-key", ALPHA_KEY),
                "c"),
            RouteMode.REQUIRED);
    assertThat(((Admission.Admitted) gemini).route().orElseThrow().route().name())
        .isEqualTo("gemini");
    ((Admission.Admitted) gemini).exchange().complete();
  }

  @Test
  void anAllowListEditTakesEffectAtTheNextCheck() throws IOException {
    Headers alpha = headers("Authorization", "Bearer " + ALPHA_KEY);
    assertThat(gate.authorize(alpha, null, "c")).isPresent();
    Files.writeString(
        allowList, "id,api_key,owner,added\n9,sk-someone-else-entirely,team-gamma,2026-03-01\n");
    Files.setLastModifiedTime(allowList, FileTime.from(time.now()));
    time.setWallClock(time.now().plusSeconds(60));
    assertThat(gate.reloadAllowList()).isTrue();
    assertThat(gate.authorize(alpha, null, "c")).isEmpty();
    Files.writeString(allowList, "id,api_key\nbroken");
    Files.setLastModifiedTime(allowList, FileTime.from(time.now()));
    time.setWallClock(time.now().plusSeconds(60));
    assertThat(gate.reloadAllowList()).isFalse();
    assertThat(gate.allowList().size()).isEqualTo(1);
  }

  @Test
  void theFirstFailureNotedWinsAndTheClientGetsNoAnswerOnceGone() throws IOException {
    Exchange exchange = begin("POST", "/openai/v1/chat/completions");
    exchange.onRequestSent();
    exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
    exchange.noteFailure(Failure.GATEWAY_ERROR); // later: ignored
    ErrorResponse answer = exchange.fail(Failure.UPSTREAM_DISCONNECTED); // the aborted upstream
    assertThat(answer).isEqualTo(ErrorResponse.of(Failure.CLIENT_DISCONNECTED));
    JsonNode record = JSON.readTree(records().get(0));
    assertThat(record.get("status").asInt()).isEqualTo(499);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
  }

  @Test
  void aConnectionThatBreaksBeforeTheHeadIsUnreachableOnlyIfTheRequestWasNotSent()
      throws IOException {
    Exchange neverSent = begin("POST", "/openai/v1/chat/completions");
    assertThat(neverSent.fail(Failure.UPSTREAM_DISCONNECTED).error())
        .isEqualTo("upstream_unreachable");
    Exchange sent = begin("POST", "/openai/v1/chat/completions");
    sent.onRequestSent();
    assertThat(sent.fail(Failure.UPSTREAM_DISCONNECTED).error()).isEqualTo("upstream_disconnected");
    Exchange handshake = begin("POST", "/openai/v1/chat/completions");
    handshake.onRequestSent(); // begun on a connection whose TLS handshake then failed
    assertThat(handshake.fail(Failure.UPSTREAM_UNREACHABLE).error())
        .isEqualTo("upstream_unreachable");
    List<String> lines = records();
    assertThat(JSON.readTree(lines.get(0)).get("error_type").asText())
        .isEqualTo("upstream_unreachable");
    assertThat(JSON.readTree(lines.get(1)).get("error_type").asText())
        .isEqualTo("upstream_disconnected");
    assertThat(JSON.readTree(lines.get(1)).get("status").asInt()).isEqualTo(502);
  }

  @Test
  void anExchangeCutAfterTheShutdownGraceIsRecordedShutdown() throws IOException {
    Exchange early = begin("POST", "/anthropic/v1/messages");
    Exchange late = begin("POST", "/anthropic/v1/messages");
    late.onResponse(200, headers("content-type", "text/event-stream"));
    gate.shuttingDown(Duration.ofSeconds(5));
    time.advance(Duration.ofSeconds(4));
    early.fail(Failure.UPSTREAM_DISCONNECTED); // within the grace: what it is
    time.advance(Duration.ofSeconds(1));
    late.fail(Failure.CLIENT_DISCONNECTED); // the connection closed under it at the deadline
    List<String> lines = records();
    assertThat(JSON.readTree(lines.get(0)).get("error_type").asText())
        .isEqualTo("upstream_unreachable");
    JsonNode cut = JSON.readTree(lines.get(1));
    assertThat(cut.get("error_type").asText()).isEqualTo("shutdown");
    assertThat(cut.get("status").asInt()).isEqualTo(200);
  }

  @Test
  void aQueryAUrlCannotCarryIsRefusedBeforeAnythingIsForwarded() {
    Admission admission =
        gate.admit(
            new IncomingRequest(
                "GET", "/openai/v1/models", "a=|b", headers("x-api-key", ALPHA_KEY), "c"),
            RouteMode.REQUIRED);
    assertThat(((Admission.Refused) admission).error()).isEqualTo(ErrorResponse.UNFORWARDABLE);
  }

  @Test
  void onlyTheMethodsLlmApisUseAreForwarded() {
    for (String method : new String[] {"TRACE", "CONNECT", "PROPFIND", "get"}) {
      Admission admission =
          gate.admit(
              new IncomingRequest(
                  method, "/openai/v1/models", null, headers("x-api-key", ALPHA_KEY), "c"),
              RouteMode.REQUIRED);
      ErrorResponse error = ((Admission.Refused) admission).error();
      assertThat(error.status()).as(method).isEqualTo(405);
      assertThat(error.headers())
          .containsEntry("Allow", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    }
    for (String method :
        new String[] {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
      Admission admission =
          gate.admit(
              new IncomingRequest(
                  method, "/openai/v1/models", null, headers("x-api-key", ALPHA_KEY), "c"),
              RouteMode.REQUIRED);
      assertThat(admission).as(method).isInstanceOf(Admission.Admitted.class);
      ((Admission.Admitted) admission).exchange().complete();
    }
    // a filter in front of an application's own egress leaves its methods to it
    Admission propfind =
        gate.admit(
            new IncomingRequest("PROPFIND", "/app", null, headers("x-api-key", ALPHA_KEY), "c"),
            RouteMode.OPTIONAL);
    assertThat(propfind).isInstanceOf(Admission.Admitted.class);
    ((Admission.Admitted) propfind).exchange().complete();
  }

  @Test
  void aFilterMayMeterEveryRequestAsOneRoute() throws IOException {
    Admission admission =
        gate.admit(
            new IncomingRequest(
                "POST", "/app/ask", null, headers("x-api-key", ALPHA_KEY), "10.0.0.9"),
            RouteMode.fixed("openai"));
    Exchange exchange = ((Admission.Admitted) admission).exchange();
    exchange.onResponse(200, headers("content-type", "application/json"));
    byte[] body = fixture("openai/chat-nonstream.json");
    exchange.onBytes(body, 0, body.length);
    exchange.complete();
    JsonNode record = JSON.readTree(records().get(0));
    assertThat(record.get("provider").asText()).isEqualTo("openai");
    assertThat(record.get("endpoint").asText()).isEqualTo("/app/ask");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(2006);
  }

  @Test
  void refusalsAreShapedByTheConfiguredErrorFormat() throws Exception {
    gate.close();
    gate =
        LMGate.start(
            ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString(),
                    "LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString(),
                    "LMGATE_SERVER__ERROR_FORMAT", "provider"),
                dir),
            time);
    Admission.Refused anthropic =
        (Admission.Refused)
            gate.admit(
                new IncomingRequest("POST", "/anthropic/v1/messages", null, headers(), "c"),
                RouteMode.REQUIRED);
    assertThat(new String(anthropic.body(), UTF_8))
        .isEqualTo(
            "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
                + "\"message\":\"API key not authorized\"}}");
    Admission.Refused unrouted =
        (Admission.Refused)
            gate.admit(
                new IncomingRequest("GET", "/nowhere", null, headers(), "c"), RouteMode.REQUIRED);
    assertThat(unrouted.shape()).isEqualTo(ErrorShape.LMGATE);
    assertThat(gate.errorShape("/gemini/v1beta/models")).isEqualTo(ErrorShape.GOOGLE);
  }

  @Test
  void closeWaitsForExchangesStillEndingAndWritesTheirRecords() throws Exception {
    Exchange ending = begin("POST", "/anthropic/v1/messages");
    ending.onResponse(200, headers("content-type", "text/event-stream"));
    Thread closer = new Thread(gate::close);
    closer.start();
    closer.join(200);
    assertThat(closer.isAlive()).as("close waits for the open exchange").isTrue();
    ending.fail(Failure.CLIENT_DISCONNECTED); // the cut stream reports on its own thread
    closer.join(5000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(Files.readAllLines(dir.resolve("out/stats.jsonl"))).hasSize(1);
  }

  @Test
  void closeWritesEveryQueuedRecord() throws IOException {
    for (int i = 0; i < 500; i++) {
      Exchange exchange = begin("GET", "/openai/v1/models");
      exchange.onResponse(200, headers());
      exchange.complete();
    }
    gate.close();
    assertThat(Files.readAllLines(dir.resolve("out/stats.jsonl"))).hasSize(500);
  }

  @Test
  void aMissingAllowListIsFatalAtStart() throws IOException {
    Files.delete(allowList);
    assertThatThrownBy(() -> LMGate.start(gate.config(), time))
        .isInstanceOf(AllowListException.class)
        .hasMessageContaining(allowList.toString());
  }

  @Test
  void theOverheadIsAdmissionToRequestSentPlusTheFirstChunksRelay() {
    List<Long> overheads = new java.util.concurrent.CopyOnWriteArrayList<>();
    gate.observeRecords((record, overhead) -> overheads.add(overhead));
    Exchange exchange = begin("POST", "/openai/v1/chat/completions");
    assertThat(gate.inflightByRoute()).containsEntry("openai", 1).containsEntry("unknown", 0);
    assertThat(exchange.requestOverheadNanos()).isEqualTo(-1);
    time.advance(Duration.ofNanos(70_000)); // connecting, writing the head: the gateway's
    exchange.onRequestSent();
    assertThat(exchange.requestOverheadNanos()).isEqualTo(70_000);
    time.advance(Duration.ofSeconds(2)); // the provider thinks: not overhead
    exchange.onResponse(200, headers("content-type", "application/json"));
    time.advance(Duration.ofSeconds(1)); // the body comes later: not overhead
    exchange.onUpstreamBytes();
    time.advance(Duration.ofNanos(15_000)); // written to the client: overhead
    byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.onBytes(body, 0, body.length);
    exchange.onUpstreamBytes(); // later chunks change nothing
    time.advance(Duration.ofNanos(5_000_000));
    exchange.onBytes(body, 0, body.length);
    exchange.complete();
    // a refusal never reached the upstream: no overhead
    Exchange unsent = begin("GET", "/openai/v1/models");
    unsent.fail(Failure.UPSTREAM_UNREACHABLE);

    assertThat(overheads).containsExactly(85_000L, -1L);
    assertThat(gate.inflightByRoute()).containsEntry("openai", 0);
  }

  @Test
  void denialsAreCountedByReason() {
    gate.admit(
        new IncomingRequest("GET", "/openai/v1/models", null, headers(), "c"), RouteMode.REQUIRED);
    gate.admit(
        new IncomingRequest(
            "GET", "/openai/v1/models", null, headers("x-api-key", "sk-unknown-000000"), "c"),
        RouteMode.REQUIRED);
    gate.admit(
        new IncomingRequest(
            "GET", "/openai/v1/models", null, headers("x-api-key", "sk-unknown-000000"), "c"),
        RouteMode.REQUIRED);
    assertThat(gate.deniedByReason())
        .containsEntry("no_key", 1L)
        .containsEntry("unknown_key", 2L)
        .containsEntry("rate_limited", 0L);
    assertThat(gate.deniedCount()).isEqualTo(3);
  }

  /** The exchange of an admitted request by the alpha key. */
  private Exchange begin(String method, String path) {
    return ((Admission.Admitted)
            gate.admit(
                new IncomingRequest(method, path, null, headers("x-api-key", ALPHA_KEY), "c"),
                RouteMode.REQUIRED))
        .exchange();
  }

  /** The answer to a refused request by the alpha key. */
  private ErrorResponse refusal(String path) {
    return ((Admission.Refused)
            gate.admit(
                new IncomingRequest("GET", path, null, headers("x-api-key", ALPHA_KEY), "c"),
                RouteMode.REQUIRED))
        .error();
  }

  private List<String> records() throws IOException {
    gate.flushRecords();
    return Files.readAllLines(dir.resolve("out/stats.jsonl"));
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = LMGateTest.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  /** Headers from name/value pairs; names compared case-insensitively, repeats allowed. */
  static Headers headers(String... nameValues) {
    return name -> {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < nameValues.length; i += 2) {
        if (nameValues[i].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
          values.add(nameValues[i + 1]);
        }
      }
      return values;
    };
  }
}
