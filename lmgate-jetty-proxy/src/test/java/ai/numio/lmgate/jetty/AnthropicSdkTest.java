package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Anthropic Java SDK as a real client of the gateway: its requests reach the upstream
 * unchanged, it parses the provider's answers through the gateway, and each exchange is recorded
 * exactly. The key is team-beta's, which the allow-list holds only as a SHA-256 hash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSdkTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private AnthropicClient anthropic;
  private int receivedBefore;

  /** The engine the gateway runs ({@code server.engine}); subclasses run the suite on another. */
  String engine() {
    return "servlet";
  }

  @BeforeAll
  void setUp() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    gateway = Gateway.on(engine()).start(dir, upstream.uri());
    anthropic = client(Gateway.BETA_KEY);
  }

  @AfterAll
  void tearDown() throws IOException {
    anthropic.close();
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierExchanges() {
    upstream.script((request, socket, out) -> {});
    receivedBefore = upstream.received().size();
    assertThat(gateway.newRecords()).as("records left by an earlier test").isEmpty();
  }

  private AnthropicClient client(String apiKey) {
    return builder().apiKey(apiKey).build();
  }

  private AnthropicOkHttpClient.Builder builder() {
    return AnthropicOkHttpClient.builder()
        .baseUrl(gateway.uri("/anthropic").toString())
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10));
  }

  private static MessageCreateParams params(String question) {
    return MessageCreateParams.builder()
        .model("claude-sonnet-4-5")
        .maxTokens(1024)
        .addUserMessage(question)
        .build();
  }

  @Test
  void message() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            200,
            "application/json",
            Gateway.fixture("anthropic/messages-nonstream.json"),
            "request-id",
            "req_011CVmsg1"));

    Message message = anthropic.messages().create(params("Refactor the retry loop."));

    assertThat(message.id()).isEqualTo("msg_01HkP3vQ9bZr7TnWc2XyLmEa");
    assertThat(message.model().asString()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(text(message))
        .isEqualTo(
            "Here is the refactored function. I extracted the retry loop into `with_backoff()` and"
                + " replaced the bare `except:` with `except TimeoutError:` so real bugs are no"
                + " longer swallowed.");
    Usage usage = message.usage();
    assertThat(usage.inputTokens()).isEqualTo(217);
    assertThat(usage.outputTokens()).isEqualTo(419);
    assertThat(usage.cacheReadInputTokens()).hasValue(6142L);
    assertThat(usage.cacheCreationInputTokens()).hasValue(1913L);

    assertBearerKey(assertForwarded("application/json"));
    assertRecord(
        """
        {"lmgate_id": "2", "provider": "anthropic", "endpoint": "/anthropic/v1/messages",
         "model": "claude-sonnet-4-5-20250929", "status": 200, "method": "POST", "stream": false,
         "input_tokens": 217, "output_tokens": 419, "cache_read_tokens": 6142,
         "cache_write_tokens": 1913, "reasoning_tokens": null, "error_type": null,
         "owner": "team-beta", "masked_key": "Q7w9Zz", "upstream_request_id": "req_011CVmsg1",
         "cost_usd": 0.01595235}
        """);
  }

  @Test
  void messageStream() throws Exception {
    upstream.script(
        FixtureReplies.inChunks(
            200,
            "text/event-stream; charset=utf-8",
            Gateway.fixture("anthropic/messages-stream.sse"),
            6,
            "request-id",
            "req_011CVstream1"));

    MessageAccumulator accumulator = MessageAccumulator.create();
    StringBuilder deltas = new StringBuilder();
    int events = 0;
    try (StreamResponse<RawMessageStreamEvent> stream =
        anthropic.messages().createStreaming(params("Is this migration safe to run online?"))) {
      for (RawMessageStreamEvent event :
          (Iterable<RawMessageStreamEvent>) stream.stream()::iterator) {
        events++;
        accumulator.accumulate(event);
        event
            .contentBlockDelta()
            .flatMap(delta -> delta.delta().text())
            .ifPresent(text -> deltas.append(text.text()));
      }
    }

    String expected =
        "The migration is safe to run online: it only adds a nullable column and builds the index"
            + " with `CONCURRENTLY`, so writes are never blocked.\n\nRun it in two steps and"
            + " verify with `\\d+ orders` in between — done ✅";
    assertThat(events).as("every event but the ping").isEqualTo(11);
    assertThat(deltas.toString()).isEqualTo(expected);
    Message message = accumulator.message();
    assertThat(text(message)).isEqualTo(expected);
    assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
    Usage usage = message.usage();
    assertThat(usage.inputTokens()).isEqualTo(312);
    assertThat(usage.outputTokens()).as("cumulative, not 3 + 587").isEqualTo(587);
    assertThat(usage.cacheReadInputTokens()).hasValue(9154L);
    assertThat(usage.cacheCreationInputTokens()).hasValue(2207L);

    assertBearerKey(assertForwarded("text/event-stream"));
    assertRecord(
        """
        {"lmgate_id": "2", "provider": "anthropic", "endpoint": "/anthropic/v1/messages",
         "model": "claude-sonnet-4-5-20250929", "status": 200, "method": "POST", "stream": true,
         "input_tokens": 312, "output_tokens": 587, "cache_read_tokens": 9154,
         "cache_write_tokens": 2207, "reasoning_tokens": null, "error_type": null,
         "owner": "team-beta", "masked_key": "Q7w9Zz", "upstream_request_id": "req_011CVstream1",
         "cost_usd": 0.02076345}
        """);
  }

  /**
   * The classic {@code x-api-key} header (what the Anthropic API documents and other Anthropic
   * clients send) set on the SDK: the SDK then adds no {@code Authorization}, and the gateway
   * authorizes by {@code x-api-key}.
   */
  @Test
  void messageWithTheXApiKeyHeader() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            200, "application/json", Gateway.fixture("anthropic/messages-nonstream.json")));
    AnthropicClient classic =
        builder().apiKey(Gateway.BETA_KEY).putHeader("x-api-key", Gateway.BETA_KEY).build();
    Message message;
    try {
      message = classic.messages().create(params("Refactor the retry loop."));
    } finally {
      classic.close();
    }

    assertThat(message.usage().outputTokens()).isEqualTo(419);
    RawUpstream.Received request = assertForwarded("application/json");
    assertThat(request.header("x-api-key")).isEqualTo(Gateway.BETA_KEY);
    assertThat(request.header("Authorization")).isNull();
    assertRecord(
        """
        {"lmgate_id": "2", "provider": "anthropic", "endpoint": "/anthropic/v1/messages",
         "model": "claude-sonnet-4-5-20250929", "status": 200, "method": "POST", "stream": false,
         "input_tokens": 217, "output_tokens": 419, "cache_read_tokens": 6142,
         "cache_write_tokens": 1913, "reasoning_tokens": null, "error_type": null,
         "owner": "team-beta", "masked_key": "Q7w9Zz", "upstream_request_id": null,
         "cost_usd": 0.01595235}
        """);
  }

  @Test
  void deniedKeyIsPermissionDeniedAndNeverReachesTheUpstream() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            200, "application/json", Gateway.fixture("anthropic/messages-nonstream.json")));
    AnthropicClient stranger = client("sk-ant-api03-not-on-the-allow-list-Hq31xP");
    try {
      assertThatThrownBy(() -> stranger.messages().create(params("hello")))
          .isInstanceOfSatisfying(
              PermissionDeniedException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                // the SDK shows the gateway's body as it is
                assertThat(e.getMessage())
                    .isEqualTo(
                        "403: {\"error\":\"forbidden\",\"message\":\"API key not authorized\"}");
                assertThat(e.errorType()).isEmpty();
              });
    } finally {
      stranger.close();
    }
    assertThat(newReceived()).isEmpty();
    assertThat(gateway.newRecords()).isEmpty();
  }

  @Test
  void upstreamOverloadedIsRaisedAndRecorded() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            529,
            "application/json",
            Gateway.fixture("anthropic/error-529-overloaded.json"),
            "request-id",
            "req_011CVx5bKp3WrY9dNh6tLsQa"));

    assertThatThrownBy(() -> anthropic.messages().create(params("Summarise the design doc.")))
        .isInstanceOfSatisfying(
            OverloadedException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(529);
              assertThat(e.errorType()).hasValue(ErrorType.OVERLOADED_ERROR);
              assertThat(e.requestId()).hasValue("req_011CVx5bKp3WrY9dNh6tLsQa");
            });

    assertThat(newReceived()).as("no retry: maxRetries is 0").hasSize(1);
    assertBearerKey(assertForwarded("application/json"));
    assertRecord(
        """
        {"lmgate_id": "2", "provider": "anthropic", "endpoint": "/anthropic/v1/messages",
         "model": null, "status": 529, "method": "POST", "stream": false,
         "input_tokens": null, "output_tokens": null, "cache_read_tokens": null,
         "cache_write_tokens": null, "reasoning_tokens": null, "error_type": "overloaded_error",
         "owner": "team-beta", "masked_key": "Q7w9Zz",
         "upstream_request_id": "req_011CVx5bKp3WrY9dNh6tLsQa", "cost_usd": null}
        """);
  }

  private static String text(Message message) {
    StringBuilder text = new StringBuilder();
    message.content().stream()
        .flatMap(block -> block.text().stream())
        .map(TextBlock::text)
        .forEach(text::append);
    return text.toString();
  }

  private List<RawUpstream.Received> newReceived() {
    List<RawUpstream.Received> all = upstream.received();
    return List.copyOf(all.subList(receivedBefore, all.size()));
  }

  /**
   * The SDK's one request reached the upstream on the provider's path (the route prefix stripped)
   * with the SDK's own credential and headers. This SDK sends a key given to {@code apiKey(..)} as
   * {@code Authorization: Bearer}, not {@code x-api-key}.
   */
  private RawUpstream.Received assertForwarded(String accept) {
    List<RawUpstream.Received> received = newReceived();
    assertThat(received).hasSize(1);
    RawUpstream.Received request = received.get(0);
    assertThat(request.requestLine()).isEqualTo("POST /v1/messages HTTP/1.1");
    assertThat(request.header("Accept")).isEqualTo(accept);
    assertThat(request.header("anthropic-version")).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(request.header("User-Agent")).startsWith("AnthropicClientImpl/Java ");
    assertThat(request.header("X-Stainless-Retry-Count")).isEqualTo("0");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    return request;
  }

  private void assertBearerKey(RawUpstream.Received request) {
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + Gateway.BETA_KEY);
    assertThat(request.header("x-api-key")).isNull();
  }

  private void assertRecord(String expected) throws Exception {
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(SdkRecords.withoutTimings(record)).isEqualTo(JSON.readTree(expected));
  }
}
