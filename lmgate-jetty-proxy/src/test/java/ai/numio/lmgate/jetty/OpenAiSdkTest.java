package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
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
 * The official OpenAI Java SDK as a real client of the gateway: its requests reach the upstream
 * unchanged, it parses the provider's answers through the gateway, and each exchange is recorded
 * exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SSE = "text/event-stream; charset=utf-8";

  @TempDir static Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private OpenAIClient openai;
  private int receivedBefore;

  /** The engine the gateway runs ({@code server.engine}); subclasses run the suite on another. */
  String engine() {
    return "servlet";
  }

  @BeforeAll
  void setUp() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    gateway = Gateway.on(engine()).start(dir, upstream.uri());
    openai = client(Gateway.ALPHA_KEY);
  }

  @AfterAll
  void tearDown() throws IOException {
    openai.close();
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void forgetEarlierExchanges() {
    upstream.script((request, socket, out) -> {});
    receivedBefore = upstream.received().size();
    assertThat(gateway.newRecords()).as("records left by an earlier test").isEmpty();
  }

  private OpenAIClient client(String apiKey) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(gateway.uri("/openai/v1").toString())
        .apiKey(apiKey)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  @Test
  void chatCompletion() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            200,
            "application/json",
            Gateway.fixture("openai/chat-nonstream.json"),
            "x-request-id",
            "req_chat_1"));

    ChatCompletion completion =
        openai
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("gpt-4o")
                    .addUserMessage("Check the invoice against the purchase order.")
                    .build());

    assertThat(completion.model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content())
        .hasValue(
            "The invoice total is 4,180.00 EUR, due on 30 November. The line items match the"
                + " purchase order except for item 7, which was billed twice.");
    CompletionUsage usage = completion.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(2006);
    assertThat(usage.completionTokens()).isEqualTo(161);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).hasValue(1792L);
    assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).hasValue(0L);

    assertForwarded("POST /v1/chat/completions HTTP/1.1");
    assertRecord(
        """
        {"lmgate_id": "1", "provider": "openai", "endpoint": "/openai/v1/chat/completions",
         "model": "gpt-4o-2024-08-06", "status": 200, "method": "POST", "stream": false,
         "input_tokens": 2006, "output_tokens": 161, "cache_read_tokens": 1792,
         "cache_write_tokens": null, "reasoning_tokens": 0, "error_type": null,
         "owner": "team-alpha", "masked_key": "XYZ123", "upstream_request_id": "req_chat_1",
         "cost_usd": null}
        """);
  }

  @Test
  void chatCompletionStreamWithIncludeUsage() throws Exception {
    upstream.script(
        FixtureReplies.inChunks(
            200,
            SSE,
            Gateway.fixture("openai/chat-stream-include-usage.sse"),
            7,
            "x-request-id",
            "req_chat_stream_1"));

    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    StringBuilder content = new StringBuilder();
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream =
        openai
            .chat()
            .completions()
            .createStreaming(
                ChatCompletionCreateParams.builder()
                    .model("gpt-4o-mini")
                    .addUserMessage("How do I reduce cold-start latency?")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunks++;
        accumulator.accumulate(chunk);
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(content::append));
      }
    }

    String expected =
        "Here are three ways to reduce cold-start latency: keep a warm pool, trim the image, and"
            + " defer non-critical init — e.g. lazy-load the café menu ☕.";
    assertThat(chunks).isEqualTo(38); // every data: event but [DONE]
    assertThat(content.toString()).isEqualTo(expected);
    ChatCompletion whole = accumulator.chatCompletion();
    assertThat(whole.choices().get(0).message().content()).hasValue(expected);
    CompletionUsage usage = whole.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(1117);
    assertThat(usage.completionTokens()).isEqualTo(233);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).hasValue(1024L);

    assertForwarded("POST /v1/chat/completions HTTP/1.1");
    assertRecord(
        """
        {"lmgate_id": "1", "provider": "openai", "endpoint": "/openai/v1/chat/completions",
         "model": "gpt-4o-mini-2024-07-18", "status": 200, "method": "POST", "stream": true,
         "input_tokens": 1117, "output_tokens": 233, "cache_read_tokens": 1024,
         "cache_write_tokens": null, "reasoning_tokens": 0, "error_type": null,
         "owner": "team-alpha", "masked_key": "XYZ123", "upstream_request_id": "req_chat_stream_1",
         "cost_usd": null}
        """);
  }

  @Test
  void responsesNonStream() throws Exception {
    upstream.script(
        FixtureReplies.inChunks(
            200, "application/json", Gateway.fixture("openai/responses-nonstream.json"), 3));

    Response response =
        openai
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model("gpt-4.1")
                    .input("What is the difference between liveness and readiness probes?")
                    .build());

    assertThat(response.id()).isEqualTo("resp_0c3f9a1e7b2d4c58006909f1a2b3c48190a7d6e5f4c3b2a1d0");
    assertThat(outputText(response))
        .isEqualTo(
            "Kubernetes liveness probes restart a container that is stuck; readiness probes only"
                + " take it out of the Service endpoints until it is ready again.");
    ResponseUsage usage = response.usage().orElseThrow();
    assertThat(usage.inputTokens()).isEqualTo(1873);
    assertThat(usage.outputTokens()).isEqualTo(412);
    assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(1536);
    assertThat(usage.outputTokensDetails().reasoningTokens()).isZero();

    assertForwarded("POST /v1/responses HTTP/1.1");
    assertRecord(
        """
        {"lmgate_id": "1", "provider": "openai", "endpoint": "/openai/v1/responses",
         "model": "gpt-4.1-2025-04-14", "status": 200, "method": "POST", "stream": false,
         "input_tokens": 1873, "output_tokens": 412, "cache_read_tokens": 1536,
         "cache_write_tokens": null, "reasoning_tokens": 0, "error_type": null,
         "owner": "team-alpha", "masked_key": "XYZ123", "upstream_request_id": null,
         "cost_usd": null}
        """);
  }

  @Test
  void responsesStream() throws Exception {
    upstream.script(
        FixtureReplies.inChunks(200, SSE, Gateway.fixture("openai/responses-stream.sse"), 5));

    ResponseAccumulator accumulator = ResponseAccumulator.create();
    StringBuilder deltas = new StringBuilder();
    try (StreamResponse<ResponseStreamEvent> stream =
        openai
            .responses()
            .createStreaming(
                ResponseCreateParams.builder()
                    .model("gpt-4.1-mini")
                    .input("Squash my last three commits.")
                    .build())) {
      for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
        accumulator.accumulate(event);
        event.outputTextDelta().ifPresent(delta -> deltas.append(delta.delta()));
      }
    }

    String expected = "Use `git rebase -i HEAD~3` and mark the last two commits as `fixup`.";
    assertThat(deltas.toString()).isEqualTo(expected);
    Response response = accumulator.response();
    assertThat(outputText(response)).isEqualTo(expected);
    ResponseUsage usage = response.usage().orElseThrow();
    assertThat(usage.inputTokens()).isEqualTo(1421);
    assertThat(usage.outputTokens()).isEqualTo(97);
    assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(1280);

    assertForwarded("POST /v1/responses HTTP/1.1");
    assertRecord(
        """
        {"lmgate_id": "1", "provider": "openai", "endpoint": "/openai/v1/responses",
         "model": "gpt-4.1-mini-2025-04-14", "status": 200, "method": "POST", "stream": true,
         "input_tokens": 1421, "output_tokens": 97, "cache_read_tokens": 1280,
         "cache_write_tokens": null, "reasoning_tokens": 0, "error_type": null,
         "owner": "team-alpha", "masked_key": "XYZ123", "upstream_request_id": null,
         "cost_usd": null}
        """);
  }

  @Test
  void deniedKeyIsPermissionDeniedAndNeverReachesTheUpstream() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            200, "application/json", Gateway.fixture("openai/chat-nonstream.json")));
    OpenAIClient stranger = client("sk-proj-not-on-the-allow-list-4f2a9c");
    try {
      assertThatThrownBy(
              () ->
                  stranger
                      .chat()
                      .completions()
                      .create(
                          ChatCompletionCreateParams.builder()
                              .model("gpt-4o")
                              .addUserMessage("hello")
                              .build()))
          .isInstanceOfSatisfying(
              PermissionDeniedException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.headers().values("Content-Type")).containsExactly("application/json");
                // the SDK reads details from an OpenAI-shaped {"error": {...}} object; the
                // gateway's {"error": "forbidden", ...} has none, so the SDK says "403: null"
                assertThat(e.type()).isEmpty();
                assertThat(e.getMessage()).isEqualTo("403: null");
              });
    } finally {
      stranger.close();
    }
    assertThat(newReceived()).isEmpty();
    assertThat(gateway.newRecords()).isEmpty();
  }

  @Test
  void upstreamRateLimitIsRaisedAndRecorded() throws Exception {
    upstream.script(
        FixtureReplies.withLength(
            429,
            "application/json; charset=utf-8",
            Gateway.fixture("openai/error-429-rate-limit-tokens.json"),
            "x-request-id",
            "req_429_tpm",
            "retry-after-ms",
            "1878"));

    assertThatThrownBy(
            () ->
                openai
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("gpt-4o")
                            .addUserMessage("Summarise the attached 40-page contract.")
                            .build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(429);
              assertThat(e.type()).hasValue("tokens");
              assertThat(e.code()).hasValue("rate_limit_exceeded");
              assertThat(e.getMessage()).contains("Rate limit reached for gpt-4o");
            });

    assertThat(newReceived()).as("no retry: maxRetries is 0").hasSize(1);
    assertForwarded("POST /v1/chat/completions HTTP/1.1");
    assertRecord(
        """
        {"lmgate_id": "1", "provider": "openai", "endpoint": "/openai/v1/chat/completions",
         "model": null, "status": 429, "method": "POST", "stream": false,
         "input_tokens": null, "output_tokens": null, "cache_read_tokens": null,
         "cache_write_tokens": null, "reasoning_tokens": null, "error_type": "tokens",
         "owner": "team-alpha", "masked_key": "XYZ123", "upstream_request_id": "req_429_tpm",
         "cost_usd": null}
        """);
  }

  private static String outputText(Response response) {
    StringBuilder text = new StringBuilder();
    response.output().stream()
        .flatMap(item -> item.message().stream())
        .flatMap(message -> message.content().stream())
        .flatMap(content -> content.outputText().stream())
        .map(ResponseOutputText::text)
        .forEach(text::append);
    return text.toString();
  }

  private List<RawUpstream.Received> newReceived() {
    List<RawUpstream.Received> all = upstream.received();
    return List.copyOf(all.subList(receivedBefore, all.size()));
  }

  /**
   * The SDK's one request reached the upstream on the provider's path (the route prefix stripped)
   * with the SDK's own key and headers.
   */
  private void assertForwarded(String requestLine) {
    List<RawUpstream.Received> received = newReceived();
    assertThat(received).hasSize(1);
    RawUpstream.Received request = received.get(0);
    assertThat(request.requestLine()).isEqualTo(requestLine);
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + Gateway.ALPHA_KEY);
    assertThat(request.header("User-Agent")).isEqualTo("OpenAIClientImpl/Java 4.8.0");
    assertThat(request.header("X-Stainless-Lang")).isEqualTo("java");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("Accept-Encoding")).isEqualTo("gzip");
  }

  private void assertRecord(String expected) throws Exception {
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(SdkRecords.withoutTimings(record)).isEqualTo(JSON.readTree(expected));
  }
}
