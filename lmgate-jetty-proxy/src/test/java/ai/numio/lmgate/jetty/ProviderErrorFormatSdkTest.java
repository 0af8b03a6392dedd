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
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code server.error_format: provider}, the official SDKs show LMGate's own message and raise
 * the exception class of the status (with {@code lmgate}, the OpenAI SDK shows {@code 403: null}:
 * see {@link OpenAiSdkTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProviderErrorFormatSdkTest {

  private static final String STRANGER = "sk-not-on-the-allow-list-4f2a9cQx";

  @TempDir static Path dir;
  private RawUpstream upstream;
  private Gateway gateway;

  @BeforeAll
  void setUp() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort(); // nothing listens there once closed: connections refused
    }
    gateway =
        Gateway.start(
            dir,
            upstream.uri(),
            Map.of(
                "LMGATE_SERVER__ERROR_FORMAT", "provider",
                "LMGATE_PROVIDERS__DEADAI__PREFIX", "/deadai/",
                "LMGATE_PROVIDERS__DEADAI__UPSTREAM", "http://127.0.0.1:" + closed,
                "LMGATE_PROVIDERS__DEADAI__FORMAT", "openai",
                "LMGATE_PROVIDERS__DEADANT__PREFIX", "/deadant/",
                "LMGATE_PROVIDERS__DEADANT__UPSTREAM", "http://127.0.0.1:" + closed,
                "LMGATE_PROVIDERS__DEADANT__FORMAT", "anthropic"));
  }

  @AfterAll
  void tearDown() throws IOException {
    gateway.close();
    upstream.close();
  }

  @Test
  void openAiSdkShowsTheMessageOfARefusal() {
    OpenAIClient client = openai("/openai/v1", STRANGER);
    try {
      assertThatThrownBy(() -> client.chat().completions().create(chat()))
          .isInstanceOfSatisfying(
              com.openai.errors.PermissionDeniedException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.getMessage()).isEqualTo("403: API key not authorized");
                assertThat(e.type()).contains("permission_error");
                assertThat(e.code()).contains("forbidden");
              });
    } finally {
      client.close();
    }
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void openAiSdkRaisesAServerErrorForAnUnreachableUpstream() throws Exception {
    OpenAIClient client = openai("/deadai/v1", Gateway.ALPHA_KEY);
    try {
      assertThatThrownBy(() -> client.chat().completions().create(chat()))
          .isInstanceOfSatisfying(
              com.openai.errors.InternalServerException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(502);
                assertThat(e.getMessage()).isEqualTo("502: Upstream provider could not be reached");
                assertThat(e.code()).contains("upstream_unreachable");
              });
    } finally {
      client.close();
    }
    assertThat(gateway.awaitOnlyRecord().get("error_type").asText())
        .isEqualTo("upstream_unreachable");
  }

  @Test
  void anthropicSdkShowsTheMessageAndTypeOfARefusal() {
    AnthropicClient client = anthropic("/anthropic", STRANGER);
    try {
      assertThatThrownBy(() -> client.messages().create(message()))
          .isInstanceOfSatisfying(
              com.anthropic.errors.PermissionDeniedException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.getMessage()).contains("API key not authorized");
                assertThat(e.errorType().map(Object::toString)).contains("permission_error");
              });
    } finally {
      client.close();
    }
    assertThat(upstream.received()).isEmpty();
  }

  @Test
  void anthropicSdkRaisesAServerErrorForAnUnreachableUpstream() throws Exception {
    AnthropicClient client = anthropic("/deadant", Gateway.ALPHA_KEY);
    try {
      assertThatThrownBy(() -> client.messages().create(message()))
          .isInstanceOfSatisfying(
              com.anthropic.errors.InternalServerException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(502);
                assertThat(e.getMessage()).contains("Upstream provider could not be reached");
                assertThat(e.errorType().map(Object::toString)).contains("api_error");
              });
    } finally {
      client.close();
    }
    assertThat(gateway.awaitOnlyRecord().get("status").asInt()).isEqualTo(502);
  }

  /** Jetty's own answers (a malformed request) take the shape of the path's route too. */
  @Test
  void theHttpServersOwnRefusalsAreShapedByThePathsRoute() throws Exception {
    String routed = gateway.raw("GET /anthropic/v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertThat(routed).startsWith("HTTP/1.1 400 ");
    assertThat(routed.substring(routed.indexOf("\r\n\r\n") + 4))
        .startsWith("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",");
    String unrouted = gateway.raw("GET /nowhere HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertThat(unrouted.substring(unrouted.indexOf("\r\n\r\n") + 4))
        .startsWith("{\"error\":\"bad_request\",\"message\":");
  }

  private OpenAIClient openai(String base, String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(gateway.uri(base).toString())
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private AnthropicClient anthropic(String base, String key) {
    return AnthropicOkHttpClient.builder()
        .baseUrl(gateway.uri(base).toString())
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10))
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
