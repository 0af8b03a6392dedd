package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official SDKs against LMGate's policy refusals ({@code server.error_format: provider}): a
 * rate-limited caller gets the SDK's rate-limit exception with LMGate's message, and an SDK that
 * retries waits for the {@code Retry-After} LMGate gives and then succeeds — the refused attempt
 * never reached the upstream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicySdkTest {

  @TempDir static Path dir;
  private RawUpstream upstream;
  private Gateway gateway;

  @BeforeAll
  void setUp() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "keys:\n  '1': { rpm: 60 }\n  '2': { rpm: 60 }\n");
    gateway =
        Gateway.start(
            dir,
            upstream.uri(),
            Map.of(
                "LMGATE_SERVER__ERROR_FORMAT",
                "provider",
                "LMGATE_POLICY__PATH",
                policy.toString()));
  }

  @AfterAll
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
  }

  @Test
  void openAiSdkRaisesItsRateLimitErrorAndHonoursRetryAfter() throws Exception {
    byte[] answer = Gateway.fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) ->
            RawUpstream.fixedResponse(
                out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    OpenAIClient noRetry = openai(0);
    try {
      assertThatThrownBy(() -> untilRefused(() -> noRetry.chat().completions().create(chat())))
          .isInstanceOfSatisfying(
              com.openai.errors.RateLimitException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(429);
                assertThat(e.headers().values("Retry-After")).containsExactly("1");
                assertThat(e.code()).contains("rate_limited");
              });
    } finally {
      noRetry.close();
    }

    int before = upstream.received().size();
    OpenAIClient retrying = openai(3);
    try {
      long start = System.nanoTime();
      assertThat(retrying.chat().completions().create(chat()).usage().orElseThrow().promptTokens())
          .isEqualTo(2006);
      // it waited for the bucket to hold a request again (about a second), then went through
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(500));
    } finally {
      retrying.close();
    }
    assertThat(upstream.received()).hasSize(before + 1);
  }

  @Test
  void anthropicSdkRaisesItsRateLimitErrorAndHonoursRetryAfter() throws Exception {
    byte[] answer = Gateway.fixture("anthropic/messages-nonstream.json");
    upstream.script(
        (request, socket, out) ->
            RawUpstream.fixedResponse(
                out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    AnthropicClient noRetry = anthropic(0);
    try {
      assertThatThrownBy(() -> untilRefused(() -> noRetry.messages().create(message())))
          .isInstanceOfSatisfying(
              com.anthropic.errors.RateLimitException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(429);
                assertThat(e.errorType().map(Object::toString)).contains("rate_limit_error");
              });
    } finally {
      noRetry.close();
    }

    int before = upstream.received().size();
    AnthropicClient retrying = anthropic(3);
    try {
      assertThat(retrying.messages().create(message()).usage().outputTokens()).isEqualTo(419);
    } finally {
      retrying.close();
    }
    assertThat(upstream.received()).hasSize(before + 1);
  }

  /**
   * Calls until the SDK throws (rpm 60: the 61st call, give or take what refills meanwhile); the
   * calls before all succeed.
   */
  private static void untilRefused(Runnable call) {
    for (int i = 0; i < 200; i++) {
      call.run(); // throws once LMGate refuses
      assertThat(i).isLessThan(120);
    }
    throw new AssertionError("never rate limited");
  }

  private OpenAIClient openai(int retries) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(gateway.uri("/openai/v1").toString())
        .apiKey(Gateway.ALPHA_KEY)
        .maxRetries(retries)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  private AnthropicClient anthropic(int retries) {
    return AnthropicOkHttpClient.builder()
        .baseUrl(gateway.uri("/anthropic").toString())
        .apiKey(Gateway.BETA_KEY)
        .maxRetries(retries)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  private static ChatCompletionCreateParams chat() {
    return ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hello").build();
  }

  private static MessageCreateParams message() {
    return MessageCreateParams.builder()
        .model("claude-sonnet-4-5")
        .maxTokens(64)
        .addUserMessage("hello")
        .build();
  }
}
