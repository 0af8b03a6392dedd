package ai.numio.lmgate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every form of LMGate promises about policies (SPEC-2 §14), mixed into {@link
 * GatewayContract}, whose configuration carries {@link #POLICY} and the keys below: a refusal is
 * answered by LMGate with its {@code error_type}, recorded once, and never reaches the upstream; a
 * body read ahead for a model rule reaches the upstream byte for byte.
 */
interface PolicyContract {

  /** Allowed {@code gpt-4o-mini*} only. */
  String MODELS_KEY = "sk-proj-policy-models-0123456789abcdef";

  /** Expired at the end of 2020-01-31. */
  String EXPIRED_KEY = "sk-proj-policy-expired-0123456789abcdef";

  /** One request per minute. */
  String RPM_KEY = "sk-proj-policy-rpm-0123456789abcdef";

  /** Ten tokens a day. */
  String BUDGET_KEY = "sk-proj-policy-budget-0123456789abcdef";

  /** Its owner may use the anthropic route only. */
  String ROUTES_KEY = "sk-proj-policy-routes-0123456789abcdef";

  /** Allow-list rows for the keys above (ids 43–47). */
  String ALLOW_LIST_ROWS =
      "43,"
          + MODELS_KEY
          + ",team-models,2026-11-01\n"
          + "44,"
          + EXPIRED_KEY
          + ",team-expired,2026-11-01\n"
          + "45,"
          + RPM_KEY
          + ",team-rpm,2026-11-01\n"
          + "46,"
          + BUDGET_KEY
          + ",team-budget,2026-11-01\n"
          + "47,"
          + ROUTES_KEY
          + ",team-routes,2026-11-01\n";

  /** The policy file of the contract's configuration. */
  String POLICY =
      "default:\n"
          + "  models: ['*']\n"
          + "owners:\n"
          + "  team-routes: { routes: [anthropic] }\n"
          + "keys:\n"
          + "  '43': { models: ['gpt-4o-mini*'] }\n"
          + "  '44': { expires: 2020-01-31 }\n"
          + "  '45': { rpm: 1 }\n"
          + "  '46': { budget: { tokens: 10, per: day } }\n";

  // --- what the contract provides ---

  URI base();

  RawUpstream upstream();

  HttpClient client();

  List<JsonNode> newRecords();

  JsonNode awaitOnlyRecord() throws InterruptedException;

  // --- the promises ---

  @Test
  default void aModelOutsideTheCallersListIsRefusedRecordedAndNeverForwarded() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        send("openai/v1/chat/completions", "Authorization", "Bearer " + MODELS_KEY, chat("gpt-4o"));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).startsWith("{\"error\":\"model_not_allowed\",\"message\":\"");
    assertThat(response.body()).contains("gpt-4o");
    JsonNode record = awaitOnlyRecord();
    assertRefusalRecord(record, "43", 403, "model_not_allowed");
    assertThat(record.get("model").asText()).isEqualTo("gpt-4o");
    assertThat(upstream().received()).hasSize(before);
  }

  @Test
  default void aGeminiModelIsReadFromThePathAndRefused() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        send(
            "gemini/v1beta/models/gemini-2.5-pro:generateContent",
            "x-goog-api-key",
            MODELS_KEY,
            "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).startsWith("{\"error\":\"model_not_allowed\"");
    JsonNode record = awaitOnlyRecord();
    assertRefusalRecord(record, "43", 403, "model_not_allowed");
    assertThat(record.get("model").asText()).isEqualTo("gemini-2.5-pro");
    assertThat(upstream().received()).hasSize(before);
  }

  /**
   * The model comes after 300 KB of messages: the whole body is read ahead to find it and still
   * reaches the upstream byte for byte — over HTTP/1.1 with its length and chunked, and over HTTP/2
   * without a length.
   */
  @Test
  default void aBodyReadAheadForItsModelReachesTheUpstreamWhole() throws Exception {
    byte[] answer = fixture("openai/chat-nonstream.json");
    upstream()
        .script(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"é"
            + "z".repeat(300_000)
            + "\"}],\"stream\":false,\"model\":\"gpt-4o-mini\"}";
    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    // a first GET upgrades the connection to h2c (an upgrade request streaming a body is another
    // matter: see the design notes)
    h2.send(
        HttpRequest.newBuilder(base().resolve("openai/v1/models"))
            .header("Authorization", "Bearer " + MODELS_KEY)
            .build(),
        HttpResponse.BodyHandlers.discarding());
    awaitOnlyRecord();
    for (String way : List.of("http/1.1 with length", "http/1.1 chunked", "http/2 no length")) {
      HttpRequest.BodyPublisher publisher =
          way.endsWith("with length")
              ? HttpRequest.BodyPublishers.ofString(body)
              : HttpRequest.BodyPublishers.ofInputStream(
                  () -> new ByteArrayInputStream(body.getBytes(UTF_8)));
      HttpResponse<String> response =
          (way.startsWith("http/2") ? h2 : http1)
              .send(
                  HttpRequest.newBuilder(base().resolve("openai/v1/chat/completions"))
                      .header("Authorization", "Bearer " + MODELS_KEY)
                      .header("Content-Type", "application/json")
                      .POST(publisher)
                      .build(),
                  HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).as(way).isEqualTo(200);
      RawUpstream.Received received = upstream().received().get(upstream().received().size() - 1);
      assertThat(received.bodyText()).as(way).isEqualTo(body);
      JsonNode record = awaitOnlyRecord();
      assertThat(record.get("status").asInt()).isEqualTo(200);
      assertThat(record.get("input_tokens").asLong()).isEqualTo(2006);
    }
  }

  /** A body naming two models: refused, whichever the provider would have kept. */
  @Test
  default void aBodyNamingTwoModelsIsRefused() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        send(
            "openai/v1/chat/completions",
            "Authorization",
            "Bearer " + MODELS_KEY,
            "{\"model\":\"gpt-4o-mini\",\"messages\":[],\"model\":\"o3\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("{\"error\":\"bad_request\",\"message\":\"");
    assertRefusalRecord(awaitOnlyRecord(), "43", 400, "bad_request");
    assertThat(upstream().received()).hasSize(before);
  }

  @Test
  default void anExpiredKeyIsRefusedAndRecorded() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        send("anthropic/v1/messages", "x-api-key", EXPIRED_KEY, chat("claude-sonnet-4-5"));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).startsWith("{\"error\":\"key_expired\",\"message\":\"");
    assertRefusalRecord(awaitOnlyRecord(), "44", 403, "key_expired");
    assertThat(upstream().received()).hasSize(before);
  }

  @Test
  default void aRouteOutsideTheOwnersListIsRefused() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        send("openai/v1/chat/completions", "Authorization", "Bearer " + ROUTES_KEY, chat("gpt-4o"));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).startsWith("{\"error\":\"model_not_allowed\"");
    assertRefusalRecord(awaitOnlyRecord(), "47", 403, "model_not_allowed");
    assertThat(upstream().received()).hasSize(before);
  }

  @Test
  default void theRequestOverTheRateLimitIsRefused429WithRetryAfter() throws Exception {
    byte[] answer = fixture("openai/chat-nonstream.json");
    upstream()
        .script(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    HttpResponse<String> first =
        send("openai/v1/chat/completions", "Authorization", "Bearer " + RPM_KEY, chat("gpt-4o"));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
    int before = upstream().received().size();
    HttpResponse<String> second =
        send("openai/v1/chat/completions", "Authorization", "Bearer " + RPM_KEY, chat("gpt-4o"));
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.body()).startsWith("{\"error\":\"rate_limited\",\"message\":\"");
    long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertRefusalRecord(awaitOnlyRecord(), "45", 429, "rate_limited");
    assertThat(upstream().received()).hasSize(before);
  }

  @Test
  default void theRequestAfterTheBudgetIsSpentIsRefused429UntilThePeriodEnds() throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json"); // 217 + 419 tokens
    upstream()
        .script(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    HttpResponse<String> first =
        send("anthropic/v1/messages", "x-api-key", BUDGET_KEY, chat("claude-sonnet-4-5"));
    assertThat(first.statusCode()).isEqualTo(200); // the request that crosses the budget completes
    assertThat(awaitOnlyRecord().get("output_tokens").asLong()).isEqualTo(419);
    int before = upstream().received().size();
    HttpResponse<String> second =
        send("anthropic/v1/messages", "x-api-key", BUDGET_KEY, chat("claude-sonnet-4-5"));
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.body()).startsWith("{\"error\":\"budget_exceeded\",\"message\":\"");
    long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 86_400L);
    assertRefusalRecord(awaitOnlyRecord(), "46", 429, "budget_exceeded");
    assertThat(upstream().received()).hasSize(before);
  }

  // --- helpers ---

  private static void assertRefusalRecord(JsonNode record, String id, int status, String type) {
    assertThat(record.get("lmgate_id").asText()).isEqualTo(id);
    assertThat(record.get("status").asInt()).isEqualTo(status);
    assertThat(record.get("error_type").asText()).isEqualTo(type);
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("output_tokens").isNull()).isTrue();
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private HttpResponse<String> send(String path, String header, String value, String body)
      throws IOException, InterruptedException {
    return client()
        .send(
            HttpRequest.newBuilder(base().resolve(path))
                .header(header, value)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = PolicyContract.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }
}
