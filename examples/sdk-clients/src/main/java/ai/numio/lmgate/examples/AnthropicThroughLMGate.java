package ai.numio.lmgate.examples;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Usage;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The official Anthropic Java SDK through LMGate: the only change from calling Anthropic directly
 * is the base URL, {@code <LMGATE_URL>/anthropic}. The API key is sent as usual ({@code
 * x-api-key}); LMGate lets it through if it is on the allow-list and records the usage.
 *
 * <p>Environment: {@code LMGATE_URL} (default {@code http://localhost:8080}), {@code
 * ANTHROPIC_API_KEY} (required), {@code ANTHROPIC_MODEL} (default {@code claude-sonnet-4-5}).
 */
public final class AnthropicThroughLMGate {

  private AnthropicThroughLMGate() {}

  /** Sends one message, then the same one streamed; prints the answers and the usage. */
  public static void main(String[] args) {
    // exit now: the SDK's HTTP client keeps idle threads a while after close()
    System.exit(run(System.getenv(), System.out));
  }

  /** The example; returns the exit code (0 ok, 2 missing key). */
  static int run(Map<String, String> env, PrintStream out) {
    String apiKey = env.get("ANTHROPIC_API_KEY");
    if (apiKey == null || apiKey.isBlank()) {
      out.println("Set ANTHROPIC_API_KEY to a key on the gateway's allow-list.");
      return 2;
    }
    String baseUrl = Gateway.url(env) + "/anthropic";
    out.println("Anthropic through LMGate at " + baseUrl);
    AnthropicClient client =
        AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey(apiKey).build();
    try {
      MessageCreateParams params =
          MessageCreateParams.builder()
              .model(env.getOrDefault("ANTHROPIC_MODEL", "claude-sonnet-4-5"))
              .maxTokens(256)
              .addUserMessage("In one sentence: what does an API gateway do?")
              .build();

      Message message = client.messages().create(params);
      out.println("answer: " + text(message));
      out.println(usage(message.usage()));

      // A stream reports input tokens in message_start and cumulative output tokens in each
      // message_delta; the accumulator puts the whole message, usage included, back together.
      out.print("streamed answer: ");
      MessageAccumulator accumulator = MessageAccumulator.create();
      try (StreamResponse<RawMessageStreamEvent> stream =
          client.messages().createStreaming(params)) {
        for (Iterator<RawMessageStreamEvent> it = stream.stream().iterator(); it.hasNext(); ) {
          RawMessageStreamEvent event = accumulator.accumulate(it.next());
          event
              .contentBlockDelta()
              .flatMap(delta -> delta.delta().text())
              .ifPresent(text -> out.print(text.text()));
          out.flush();
        }
      }
      out.println();
      out.println(usage(accumulator.message().usage()));
      return 0;
    } finally {
      client.close();
    }
  }

  private static String text(Message message) {
    return message.content().stream()
        .flatMap(block -> block.text().stream())
        .map(block -> block.text())
        .collect(Collectors.joining());
  }

  private static String usage(Usage usage) {
    return "usage: input "
        + usage.inputTokens()
        + " tokens, output "
        + usage.outputTokens()
        + " tokens";
  }
}
