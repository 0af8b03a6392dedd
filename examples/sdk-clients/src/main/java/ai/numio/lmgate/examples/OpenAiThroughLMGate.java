package ai.numio.lmgate.examples;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/**
 * The official OpenAI Java SDK through LMGate: the only change from calling OpenAI directly is the
 * base URL, {@code <LMGATE_URL>/openai/v1}. The API key is sent as usual; LMGate lets it through if
 * it is on the allow-list and records the usage.
 *
 * <p>Environment: {@code LMGATE_URL} (default {@code http://localhost:8080}), {@code
 * OPENAI_API_KEY} (required), {@code OPENAI_MODEL} (default {@code gpt-4o-mini}).
 */
public final class OpenAiThroughLMGate {

  private OpenAiThroughLMGate() {}

  /** Sends one chat completion, then the same one streamed; prints the answers and the usage. */
  public static void main(String[] args) {
    // exit now: the SDK's HTTP client keeps idle threads a while after close()
    System.exit(run(System.getenv(), System.out));
  }

  /** The example; returns the exit code (0 ok, 2 missing key). */
  static int run(Map<String, String> env, PrintStream out) {
    String apiKey = env.get("OPENAI_API_KEY");
    if (apiKey == null || apiKey.isBlank()) {
      out.println("Set OPENAI_API_KEY to a key on the gateway's allow-list.");
      return 2;
    }
    String baseUrl = Gateway.url(env) + "/openai/v1";
    out.println("OpenAI through LMGate at " + baseUrl);
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(apiKey).build();
    try {
      ChatCompletionCreateParams params =
          ChatCompletionCreateParams.builder()
              .model(env.getOrDefault("OPENAI_MODEL", "gpt-4o-mini"))
              .addUserMessage("In one sentence: what does an API gateway do?")
              .build();

      ChatCompletion completion = client.chat().completions().create(params);
      out.println("answer: " + completion.choices().get(0).message().content().orElse(""));
      completion.usage().ifPresent(usage -> out.println(usage(usage)));

      // Usage comes in a final chunk, and only when asked for with stream_options.include_usage.
      ChatCompletionCreateParams streamed =
          params.toBuilder()
              .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
              .build();
      out.print("streamed answer: ");
      try (StreamResponse<ChatCompletionChunk> stream =
          client.chat().completions().createStreaming(streamed)) {
        CompletionUsage lastUsage = null;
        for (Iterator<ChatCompletionChunk> it = stream.stream().iterator(); it.hasNext(); ) {
          ChatCompletionChunk chunk = it.next();
          chunk.choices().forEach(choice -> choice.delta().content().ifPresent(out::print));
          out.flush();
          if (chunk.usage().isPresent()) {
            lastUsage = chunk.usage().get();
          }
        }
        out.println();
        out.println(lastUsage == null ? "usage: not reported" : usage(lastUsage));
      }
      return 0;
    } finally {
      client.close();
    }
  }

  private static String usage(CompletionUsage usage) {
    return "usage: input "
        + usage.promptTokens()
        + " tokens, output "
        + usage.completionTokens()
        + " tokens";
  }
}
