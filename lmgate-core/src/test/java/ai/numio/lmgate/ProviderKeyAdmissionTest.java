package ai.numio.lmgate;

import static ai.numio.lmgate.LMGateTest.headers;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.limit.LimitStoreFactory;
import ai.numio.lmgate.providerkey.ProviderKeyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's decision on the credential an admitted request carries upstream (SPEC-2 §15): the
 * caller's row's provider key, else the route's, else the client's own credentials as sent.
 */
class ProviderKeyAdmissionTest {

  private static final String LMG_KEY = "lmg-alpha-Zq3Xw8Ev5Rb2Tn7Ym4Uc1Io6Pa9Sd0Fg";
  private static final String LMG_OWN = "lmg-own-Hj2Kl5Zx8Cv1Bn4Mq7We0Rt3Yu6Io9Pa";
  private static final String OPENAI_KEY = "sk-proj-gateway-openai-key-000000000001";
  private static final String OPENAI_KEY_2 = "sk-proj-gateway-openai-key-000000000002";
  private static final String TEAM_KEY = "sk-proj-gateway-team-own-key-0000000003";
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(T0.plus(Duration.ofDays(1)));
  private LMGate gate;

  @AfterEach
  void close() {
    if (gate != null) {
      gate.close();
    }
  }

  @Test
  void aRouteKeyReplacesTheClientsCredentialsAndTheQueryKey() throws Exception {
    gate = start(rows(""), Map.of());
    Admission.Admitted admitted =
        admit("/gemini/v1beta/models/gemini-2.5-flash:generateContent", "alt=sse&key=" + LMG_KEY);
    assertThat(admitted.upstreamCredential().headerName()).isEqualTo("x-goog-api-key");
    assertThat(admitted.upstreamCredential().headerValue()).isEqualTo("AIza-gemini-held");
    assertThat(admitted.upstreamUri())
        .isEqualTo(
            "https://generativelanguage.googleapis.com/v1beta/models/"
                + "gemini-2.5-flash:generateContent?alt=sse");
    admitted.exchange().complete();

    Admission.Admitted openai = admit("/openai/v1/chat/completions", null);
    assertThat(openai.upstreamCredential().headerValue()).isEqualTo("Bearer " + OPENAI_KEY);
    openai.exchange().complete();
  }

  @Test
  void aRouteWithoutKeyPassesTheClientsCredentialsAsSent() throws Exception {
    gate = start(rows(""), Map.of());
    Admission.Admitted admitted = admit("/anthropic/v1/messages", "key=" + LMG_KEY);
    assertThat(admitted.upstreamCredential()).isSameAs(UpstreamCredential.PASS_THROUGH);
    assertThat(admitted.upstreamUri()).endsWith("/v1/messages?key=" + LMG_KEY);
    admitted.exchange().complete();
  }

  /** A row's own key overrides the route's, and holds for a route without one too. */
  @Test
  void aRowsKeyOverridesTheRoutesOnEveryRoute() throws Exception {
    gate = start(rows("env:TEAM_OWN_KEY"), Map.of("TEAM_OWN_KEY", TEAM_KEY));
    Admission.Admitted openai =
        (Admission.Admitted)
            gate.admit(
                new IncomingRequest(
                    "POST",
                    "/openai/v1/chat/completions",
                    null,
                    headers("Authorization", "Bearer " + LMG_OWN),
                    "c"),
                RouteMode.REQUIRED);
    assertThat(openai.upstreamCredential().headerValue()).isEqualTo("Bearer " + TEAM_KEY);
    openai.exchange().complete();
    Admission.Admitted anthropic =
        (Admission.Admitted)
            gate.admit(
                new IncomingRequest(
                    "POST", "/anthropic/v1/messages", null, headers("x-api-key", LMG_OWN), "c"),
                RouteMode.REQUIRED);
    assertThat(anthropic.upstreamCredential().headerName()).isEqualTo("x-api-key");
    assertThat(anthropic.upstreamCredential().headerValue()).isEqualTo(TEAM_KEY);
    anthropic.exchange().complete();
  }

  /** A filter's request under no route has no format to send a key in: credentials pass. */
  @Test
  void aFiltersRequestUnderNoRoutePassesItsCredentials() throws Exception {
    gate = start(rows("env:TEAM_OWN_KEY"), Map.of("TEAM_OWN_KEY", TEAM_KEY));
    Admission.Admitted admitted =
        (Admission.Admitted)
            gate.admit(
                new IncomingRequest("POST", "/app/ask", null, headers("x-api-key", LMG_OWN), "c"),
                RouteMode.OPTIONAL);
    assertThat(admitted.upstreamCredential()).isSameAs(UpstreamCredential.PASS_THROUGH);
    admitted.exchange().complete();
  }

  /** Rotation: the next request after the check carries the new key; no sleep. */
  @Test
  void aRotatedKeyFileIsUsedFromTheNextCheckAndKeptWhenTheFileGoes() throws Exception {
    gate = start(rows(""), Map.of());
    Path keyFile = dir.resolve("openai.key");
    write(keyFile, OPENAI_KEY_2 + "\n", T0.plusSeconds(60));
    assertThat(gate.reloadProviderKeys()).isTrue();
    Admission.Admitted admitted = admit("/openai/v1/chat/completions", null);
    assertThat(admitted.upstreamCredential().headerValue()).isEqualTo("Bearer " + OPENAI_KEY_2);
    admitted.exchange().complete();
    Files.delete(keyFile);
    assertThat(gate.reloadProviderKeys()).isFalse();
    Admission.Admitted after = admit("/openai/v1/chat/completions", null);
    assertThat(after.upstreamCredential().headerValue()).isEqualTo("Bearer " + OPENAI_KEY_2);
    after.exchange().complete();
  }

  @Test
  void anUnresolvableRouteKeyStopsTheStartNamingTheSetting() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("LMGATE_PROVIDERS__ANTHROPIC__UPSTREAM_KEY", "env:ANTHROPIC_API_KEY");
    assertThatThrownBy(() -> start(rows(""), env))
        .isInstanceOf(ProviderKeyException.class)
        .hasMessage(
            "providers.anthropic.upstream_key: env:ANTHROPIC_API_KEY: environment variable"
                + " ANTHROPIC_API_KEY is not set");
  }

  @Test
  void anUnresolvableRowKeyMakesTheAllowListInvalidAtStart() throws Exception {
    assertThatThrownBy(() -> start(rows("env:TEAM_OWN_KEY"), Map.of()))
        .isInstanceOfSatisfying(
            AllowListException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        dir.resolve("allowlist.csv")
                            + " line 3: upstream_key env:TEAM_OWN_KEY: environment variable"
                            + " TEAM_OWN_KEY is not set"));
  }

  @Test
  void aLiteralKeyInTheAllowListIsRefusedAndNeverShown() throws Exception {
    assertThatThrownBy(() -> start(rows(TEAM_KEY), Map.of()))
        .isInstanceOf(AllowListException.class)
        .hasMessageContaining("line 3: upstream_key is not a key reference")
        .message()
        .doesNotContain(TEAM_KEY)
        .doesNotContain("0003");
  }

  /** A reload that adds a row whose key cannot be found keeps the previous table. */
  @Test
  void anAllowListEditWithAnUnresolvableKeyKeepsThePreviousTable() throws Exception {
    gate = start(rows(""), Map.of());
    write(dir.resolve("allowlist.csv"), rows("file:" + dir.resolve("missing.key")), T0);
    Files.setLastModifiedTime(dir.resolve("allowlist.csv"), FileTime.from(T0.plusSeconds(90)));
    assertThat(gate.reloadAllowList()).isFalse();
    assertThat(gate.allowList().size()).isEqualTo(2);
    assertThat(gate.allowList().lookup(LMG_OWN).orElseThrow().upstreamKey()).isNull();
  }

  // --- helpers ---

  private Admission.Admitted admit(String path, String query) {
    return (Admission.Admitted)
        gate.admit(
            new IncomingRequest(
                "POST", path, query, headers("x-goog-api-key", LMG_KEY, "api-key", LMG_KEY), "c"),
            RouteMode.REQUIRED);
  }

  private String rows(String ownUpstreamKey) {
    return "id,api_key,owner,added,upstream_key\n"
        + "1,"
        + LMG_KEY
        + ",team-alpha,2026-01-15,\n"
        + "2,"
        + LMG_OWN
        + ",team-own,2026-01-15,"
        + ownUpstreamKey
        + "\n";
  }

  private LMGate start(String allowList, Map<String, String> extraEnv) throws Exception {
    write(dir.resolve("allowlist.csv"), allowList, T0);
    write(dir.resolve("openai.key"), OPENAI_KEY + "\n", T0);
    write(dir.resolve("gemini.key"), "AIza-gemini-held\n", T0);
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", dir.resolve("allowlist.csv").toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString());
    env.put("LMGATE_AUTH__POLL_INTERVAL_SECONDS", "3600");
    env.put("LMGATE_PROVIDERS__OPENAI__UPSTREAM_KEY", "file:" + dir.resolve("openai.key"));
    env.put("LMGATE_PROVIDERS__GEMINI__UPSTREAM_KEY", "file:" + dir.resolve("gemini.key"));
    LMGateConfig config = ConfigLoader.load(Optional.empty(), env, dir);
    return LMGate.start(config, time, LimitStoreFactory.standard(), env);
  }

  private static void write(Path file, String content, Instant modified) throws IOException {
    Files.write(file, content.getBytes(UTF_8));
    Files.setLastModifiedTime(file, FileTime.from(modified));
  }
}
