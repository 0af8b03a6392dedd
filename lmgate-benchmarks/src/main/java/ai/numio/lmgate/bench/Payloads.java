package ai.numio.lmgate.bench;

import java.nio.charset.StandardCharsets;

/** Realistic response bodies for benchmarks, shaped like the providers' documented formats. */
final class Payloads {

  private Payloads() {}

  /** A ~1 KB OpenAI chat completion. */
  static byte[] chatCompletionJson() {
    String content =
        "The capital of France is Paris. It has been the country's capital since the 10th century"
            + " and is home to the national government, the Louvre and the Eiffel Tower. Paris is"
            + " also the most populous city in France, with about 2.1 million residents in the city"
            + " proper and over 12 million in its metropolitan area.";
    return utf8(
        "{\n  \"id\": \"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\n  \"object\": \"chat.completion\",\n"
            + "  \"created\": 1741570283,\n  \"model\": \"gpt-4o-2024-08-06\",\n  \"choices\": [\n"
            + "    {\n      \"index\": 0,\n      \"message\": {\n        \"role\": \"assistant\",\n"
            + "        \"content\": \""
            + content
            + "\",\n        \"refusal\": null,\n        \"annotations\": []\n      },\n"
            + "      \"logprobs\": null,\n      \"finish_reason\": \"stop\"\n    }\n  ],\n"
            + "  \"usage\": {\n    \"prompt_tokens\": 1117,\n    \"completion_tokens\": 76,\n"
            + "    \"total_tokens\": 1193,\n    \"prompt_tokens_details\": {\n"
            + "      \"cached_tokens\": 1024,\n      \"audio_tokens\": 0\n    },\n"
            + "    \"completion_tokens_details\": {\n      \"reasoning_tokens\": 0,\n"
            + "      \"audio_tokens\": 0,\n      \"accepted_prediction_tokens\": 0,\n"
            + "      \"rejected_prediction_tokens\": 0\n    }\n  },\n"
            + "  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"fp_fc9f1d7035\"\n}\n");
  }

  /** An OpenAI chat stream with {@code include_usage}: {@code deltas} content chunks. */
  static byte[] openAiChatStream(int deltas) {
    StringBuilder out = new StringBuilder();
    String head =
        "data: {\"id\":\"chatcmpl-C2xyz\",\"object\":\"chat.completion.chunk\",\"created\":1754000000,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_560af6e559\",\"choices\":[";
    out.append(head)
        .append(
            "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},")
        .append(
            "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"e3Q\"}\n\n");
    for (int i = 0; i < deltas; i++) {
      out.append(head)
          .append("{\"index\":0,\"delta\":{\"content\":\" word")
          .append(i % 10)
          .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,")
          .append("\"obfuscation\":\"Kq2Xb\"}\n\n");
    }
    out.append(head)
        .append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],")
        .append("\"usage\":null,\"obfuscation\":\"Zt\"}\n\n");
    out.append(head)
        .append("],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":")
        .append(deltas)
        .append(",\"total_tokens\":")
        .append(1117 + deltas)
        .append(",\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},")
        .append("\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,")
        .append("\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},")
        .append("\"obfuscation\":\"v2\"}\n\ndata: [DONE]\n\n");
    return utf8(out.toString());
  }

  /** An Anthropic Messages stream with {@code deltas} text deltas. */
  static byte[] anthropicMessagesStream(int deltas) {
    StringBuilder out = new StringBuilder();
    out.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{")
        .append(
            "\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",")
        .append("\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,")
        .append("\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,")
        .append("\"cache_creation_input_tokens\":31,\"cache_read_input_tokens\":2048,")
        .append("\"output_tokens\":2}}}\n\n")
        .append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,")
        .append("\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
        .append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    for (int i = 0; i < deltas; i++) {
      out.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,")
          .append("\"delta\":{\"type\":\"text_delta\",\"text\":\" word")
          .append(i % 10)
          .append("\"}}\n\n");
    }
    out.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
        .append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{")
        .append(
            "\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":")
        .append(deltas)
        .append("}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    return utf8(out.toString());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
