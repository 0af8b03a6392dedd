package ai.numio.lmgate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each example runs against a stub gateway: the right paths and keys go out, the answers print. */
class ExamplesTest {

  private static final String OPENAI_JSON =
      """
      {"id":"chatcmpl-1","object":"chat.completion","created":1760000000,
       "model":"gpt-4o-mini-2024-07-18",
       "choices":[{"index":0,"message":{"role":"assistant","content":"It routes requests.",
         "refusal":null},"logprobs":null,"finish_reason":"stop"}],
       "usage":{"prompt_tokens":14,"completion_tokens":4,"total_tokens":18}}
      """;

  private static final String OPENAI_SSE =
      chunk("{\"role\":\"assistant\",\"content\":\"It routes \"}", "null")
          + chunk("{\"content\":\"requests.\"}", "null")
          + "data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\","
          + "\"created\":1760000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":14,\"completion_tokens\":4,\"total_tokens\":18}}\n\n"
          + "data: [DONE]\n\n";

  private static final String ANTHROPIC_JSON =
      """
      {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
       "content":[{"type":"text","text":"It routes requests."}],
       "stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":15,"output_tokens":5}}
      """;

  private static final String ANTHROPIC_SSE =
      event(
              "message_start",
              "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                  + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
                  + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                  + "\"usage\":{\"input_tokens\":15,\"output_tokens\":1}}}")
          + event(
              "content_block_start",
              "{\"type\":\"content_block_start\",\"index\":0,"
                  + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
          + event(
              "content_block_delta",
              "{\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":\"It routes \"}}")
          + event(
              "content_block_delta",
              "{\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":\"requests.\"}}")
          + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
          + event(
              "message_delta",
              "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                  + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}")
          + event("message_stop", "{\"type\":\"message_stop\"}");

  @Test
  void openAiExampleSendsThroughTheGatewayAndPrintsAnswersAndUsage() throws Exception {
    try (StubGateway gateway = new StubGateway(new StubGateway.Replies(OPENAI_JSON, OPENAI_SSE))) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();

      int exit =
          OpenAiThroughLMGate.run(
              Map.of("LMGATE_URL", gateway.url() + "/", "OPENAI_API_KEY", "sk-proj-test-123"),
              new PrintStream(printed, true, UTF_8));

      assertThat(exit).isZero();
      assertThat(printed.toString(UTF_8))
          .isEqualTo(
              "OpenAI through LMGate at "
                  + gateway.url()
                  + "/openai/v1\n"
                  + "answer: It routes requests.\n"
                  + "usage: input 14 tokens, output 4 tokens\n"
                  + "streamed answer: It routes requests.\n"
                  + "usage: input 14 tokens, output 4 tokens\n");
      assertThat(gateway.received()).hasSize(2);
      for (StubGateway.Received request : gateway.received()) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/openai/v1/chat/completions");
        assertThat(request.bearer()).isEqualTo("Bearer sk-proj-test-123");
        assertThat(request.body()).contains("\"model\":\"gpt-4o-mini\"");
      }
      assertThat(gateway.received().get(1).body())
          .contains("\"stream\":true")
          .contains("\"include_usage\":true");
    }
  }

  @Test
  void anthropicExampleSendsThroughTheGatewayAndPrintsAnswersAndUsage() throws Exception {
    try (StubGateway gateway =
        new StubGateway(new StubGateway.Replies(ANTHROPIC_JSON, ANTHROPIC_SSE))) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();

      int exit =
          AnthropicThroughLMGate.run(
              Map.of(
                  "LMGATE_URL",
                  gateway.url(),
                  "ANTHROPIC_API_KEY",
                  "sk-ant-api03-test",
                  "ANTHROPIC_MODEL",
                  "claude-haiku-4-5"),
              new PrintStream(printed, true, UTF_8));

      assertThat(exit).isZero();
      assertThat(printed.toString(UTF_8))
          .isEqualTo(
              "Anthropic through LMGate at "
                  + gateway.url()
                  + "/anthropic\n"
                  + "answer: It routes requests.\n"
                  + "usage: input 15 tokens, output 5 tokens\n"
                  + "streamed answer: It routes requests.\n"
                  + "usage: input 15 tokens, output 5 tokens\n");
      assertThat(gateway.received()).hasSize(2);
      for (StubGateway.Received request : gateway.received()) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/anthropic/v1/messages");
        // this SDK version sends the key as a bearer token; LMGate reads either header
        assertThat(request.bearer()).isEqualTo("Bearer sk-ant-api03-test");
        assertThat(request.body()).contains("\"model\":\"claude-haiku-4-5\"");
      }
    }
  }

  @Test
  void withoutAKeyTheExamplesSayWhatToSetAndSendNothing() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, UTF_8);

    assertThat(OpenAiThroughLMGate.run(Map.of(), out)).isEqualTo(2);
    assertThat(AnthropicThroughLMGate.run(Map.of("ANTHROPIC_API_KEY", " "), out)).isEqualTo(2);

    assertThat(printed.toString(UTF_8))
        .isEqualTo(
            "Set OPENAI_API_KEY to a key on the gateway's allow-list.\n"
                + "Set ANTHROPIC_API_KEY to a key on the gateway's allow-list.\n");
  }

  private static String chunk(String delta, String usage) {
    return "data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1760000000,\"model\":\"gpt-4o-mini-2024-07-18\","
        + "\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"finish_reason\":null}],\"usage\":"
        + usage
        + "}\n\n";
  }

  private static String event(String name, String data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }
}
