package ai.numio.lmgate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What every form of LMGate promises about provider keys held by the gateway (SPEC-2 §15), mixed
 * into {@link GatewayContract}, whose configuration carries {@link #routes} and {@link
 * #allowListRows}: a caller authenticates with its LMGate key, and the upstream sees the provider
 * key only — in the header of the route's format — never the caller's key, whichever credential
 * style the caller used.
 */
interface ProviderKeyContract {

  /** An LMGate key (id 48): worthless at any provider. */
  String LMG_KEY = "lmg-contract-7Hq2xVb9Lm4Pz8Rt6Wc3Ny5Kd1Fs0GjA";

  /** An LMGate key (id 49) whose allow-list row names its own provider key. */
  String LMG_OWN_KEY = "lmg-contract-own-3Jx8Qw2Er5Ty7Ui9Op1As4Df6Gh";

  /** The keys the gateway holds, one file each. */
  String OPENAI_PROVIDER_KEY = "sk-proj-held-by-the-gateway-openai-000000000001";

  String ANTHROPIC_PROVIDER_KEY = "sk-ant-api03-held-by-the-gateway-anthropic-0002";
  String GOOGLE_PROVIDER_KEY = "AIzaSyHeldByTheGatewayGoogle000000000003";
  String OWN_PROVIDER_KEY = "sk-proj-held-by-the-gateway-team-own-000000004";

  /** The files holding the keys above, in {@code dir}. */
  static List<String[]> keyFiles() {
    return List.of(
        new String[] {"openai.key", OPENAI_PROVIDER_KEY},
        new String[] {"anthropic.key", ANTHROPIC_PROVIDER_KEY},
        new String[] {"google.key", GOOGLE_PROVIDER_KEY},
        new String[] {"own.key", OWN_PROVIDER_KEY});
  }

  /** Routes holding a provider key, one per format, as YAML lines under {@code providers:}. */
  static String routes(Path dir, URI upstream) {
    StringBuilder yaml = new StringBuilder();
    for (String[] route :
        new String[][] {
          {"keyed-openai", "openai", "openai.key"},
          {"keyed-anthropic", "anthropic", "anthropic.key"},
          {"keyed-gemini", "google", "google.key"}
        }) {
      yaml.append("  ")
          .append(route[0])
          .append(": { upstream: '")
          .append(upstream)
          .append("', format: ")
          .append(route[1])
          .append(", upstream_key: 'file:")
          .append(dir.resolve(route[2]))
          .append("' }\n");
    }
    return yaml.toString();
  }

  /**
   * Rows for the keys above (ids 48, 49), in a file whose header ends with {@code upstream_key}.
   */
  static String allowListRows(Path dir) {
    return "48,"
        + LMG_KEY
        + ",team-keys,2026-12-01,\n"
        + "49,"
        + LMG_OWN_KEY
        + ",team-own,2026-12-01,file:"
        + dir.resolve("own.key")
        + "\n";
  }

  // --- what the contract provides ---

  URI base();

  RawUpstream upstream();

  HttpClient client();

  JsonNode awaitOnlyRecord() throws InterruptedException;

  // --- the promises ---

  @Test
  default void aBearerKeyIsReplacedByTheOpenAiKeyTheGatewayHolds() throws Exception {
    RawUpstream.Received received =
        forward("keyed-openai/v1/chat/completions", "Authorization", "Bearer " + LMG_KEY);
    assertOnlyCredential(received, "authorization", "Bearer " + OPENAI_PROVIDER_KEY);
  }

  @Test
  default void anXApiKeyIsReplacedByTheAnthropicKeyTheGatewayHolds() throws Exception {
    RawUpstream.Received received = forward("keyed-anthropic/v1/messages", "x-api-key", LMG_KEY);
    assertOnlyCredential(received, "x-api-key", ANTHROPIC_PROVIDER_KEY);
  }

  @Test
  default void anXGoogApiKeyIsReplacedByTheGoogleKeyTheGatewayHolds() throws Exception {
    RawUpstream.Received received =
        forward(
            "keyed-gemini/v1beta/models/gemini-2.5-flash:generateContent",
            "x-goog-api-key",
            LMG_KEY);
    assertOnlyCredential(received, "x-goog-api-key", GOOGLE_PROVIDER_KEY);
  }

  /** Azure's {@code api-key} header, sent to an OpenAI-format route. */
  @Test
  default void anAzureApiKeyHeaderIsReplacedToo() throws Exception {
    RawUpstream.Received received = forward("keyed-openai/v1/chat/completions", "api-key", LMG_KEY);
    assertOnlyCredential(received, "authorization", "Bearer " + OPENAI_PROVIDER_KEY);
  }

  /** The Gemini {@code key} parameter leaves the query; the others go on byte for byte. */
  @Test
  default void aGeminiKeyQueryParameterIsStrippedAndTheRestOfTheQueryKept() throws Exception {
    RawUpstream.Received received =
        forward(
            "keyed-gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key="
                + LMG_KEY
                + "&trace=a%2Fb;x=1",
            "x-goog-api-key",
            LMG_KEY);
    assertThat(received.requestLine())
        .isEqualTo(
            "POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&trace=a%2Fb;x=1"
                + " HTTP/1.1");
    assertOnlyCredential(received, "x-goog-api-key", GOOGLE_PROVIDER_KEY);
  }

  /** Every credential style at once, the same LMGate key in each: only the provider key goes on. */
  @Test
  default void everyCredentialStyleAtOnceLeavesOnlyTheProviderKey() throws Exception {
    HttpResponse<String> response =
        client()
            .send(
                HttpRequest.newBuilder(base().resolve("keyed-anthropic/v1/messages?key=" + LMG_KEY))
                    .header("Authorization", "Bearer " + LMG_KEY)
                    .header("x-api-key", LMG_KEY)
                    .header("x-goog-api-key", LMG_KEY)
                    .header("api-key", LMG_KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    RawUpstream.Received received = last();
    assertThat(received.requestLine()).isEqualTo("POST /v1/messages HTTP/1.1");
    assertOnlyCredential(received, "x-api-key", ANTHROPIC_PROVIDER_KEY);
    assertRecord("48", LMG_KEY);
  }

  /** A row's own {@code upstream_key} overrides the route's. */
  @Test
  default void anAllowListRowsOwnProviderKeyOverridesTheRoutes() throws Exception {
    RawUpstream.Received received =
        forward("keyed-openai/v1/chat/completions", "Authorization", "Bearer " + LMG_OWN_KEY, "49");
    assertOnlyCredential(received, "authorization", "Bearer " + OWN_PROVIDER_KEY);
    assertThat(String.join("\n", received.headerLines())).doesNotContain(LMG_OWN_KEY);
  }

  /** The allow-list check is unchanged: a key not on the list never reaches a keyed route. */
  @Test
  default void aKeyNotOnTheListIsRefusedOnAKeyedRoute() throws Exception {
    int before = upstream().received().size();
    HttpResponse<String> response =
        client()
            .send(
                HttpRequest.newBuilder(base().resolve("keyed-openai/v1/chat/completions"))
                    .header("Authorization", "Bearer lmg-not-on-the-list-0123456789")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(upstream().received()).hasSize(before);
  }

  // --- helpers ---

  private RawUpstream.Received forward(String path, String header, String value) throws Exception {
    return forward(path, header, value, "48");
  }

  private RawUpstream.Received forward(String path, String header, String value, String id)
      throws Exception {
    byte[] answer = "{\"ok\":true}".getBytes(UTF_8);
    upstream()
        .script(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out, 200, answer, "Content-Type", "application/json", "Connection", "close"));
    int before = upstream().received().size();
    HttpResponse<String> response =
        client()
            .send(
                HttpRequest.newBuilder(base().resolve(path))
                    .header(header, value)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"ok\":true}");
    assertThat(upstream().received()).hasSize(before + 1);
    assertRecord(id, id.equals("49") ? LMG_OWN_KEY : LMG_KEY);
    return last();
  }

  private RawUpstream.Received last() {
    List<RawUpstream.Received> all = upstream().received();
    return all.get(all.size() - 1);
  }

  private void assertRecord(String id, String key) throws InterruptedException {
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("lmgate_id").asText()).isEqualTo(id);
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("masked_key").asText()).isEqualTo(key.substring(key.length() - 6));
  }

  /** The one credential header upstream is {@code name: value}; no LMGate key anywhere. */
  private static void assertOnlyCredential(
      RawUpstream.Received received, String name, String value) {
    List<String> credentialHeaders =
        received.headerNames().stream()
            .filter(
                n ->
                    List.of("authorization", "x-api-key", "x-goog-api-key", "api-key")
                        .contains(n.toLowerCase(Locale.ROOT)))
            .toList();
    assertThat(credentialHeaders).containsExactly(name);
    assertThat(received.headers(name)).containsExactly(value);
    assertThat(received.requestLine()).doesNotContain("lmg-").doesNotContain("key=");
    for (String line : received.headerLines()) {
      assertThat(line).doesNotContain(LMG_KEY).doesNotContain(LMG_OWN_KEY);
    }
  }
}
