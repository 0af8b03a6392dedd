package ai.numio.lmgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.auth.KeyExtraction.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  private static final String OPENAI_KEY = "sk-proj-4f8Q2mXbZr7TcW1nYk0aLpE9";
  private static final String ANTHROPIC_KEY = "sk-ant-api03-Hc81jPq0ZsWm3xRt6VbN";
  private static final String GEMINI_KEY = "AIzaSyD4-9kTq1Rm8sXwZpLc2VbNe7Yh";

  /** Header lines as a client sends them: name, value, name, value ... (names in any case). */
  private static KeyExtraction extract(String... nameValuePairs) {
    Map<String, List<String>> headers = new HashMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      headers
          .computeIfAbsent(nameValuePairs[i].toLowerCase(Locale.ROOT), n -> new ArrayList<>())
          .add(nameValuePairs[i + 1]);
    }
    return ApiKeys.extract(name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
  }

  private static void assertKey(KeyExtraction extraction, String key) {
    assertThat(extraction.reason()).isEqualTo(Reason.FOUND);
    assertThat(extraction.key()).isEqualTo(Optional.of(key));
  }

  private static void assertNoKey(KeyExtraction extraction, Reason reason) {
    assertThat(extraction.reason()).isEqualTo(reason);
    assertThat(extraction.key()).isEmpty();
  }

  @Test
  void bearerTokenIsTheKey() {
    assertKey(extract("Authorization", "Bearer " + OPENAI_KEY), OPENAI_KEY);
  }

  @Test
  void bearerSchemeIsCaseInsensitive() {
    assertKey(extract("Authorization", "bearer " + OPENAI_KEY), OPENAI_KEY);
    assertKey(extract("authorization", "BEARER " + OPENAI_KEY), OPENAI_KEY);
    assertKey(extract("AUTHORIZATION", "BeArEr " + OPENAI_KEY), OPENAI_KEY);
  }

  @Test
  void surroundingSpacesAreTrimmed() {
    assertKey(extract("Authorization", "  Bearer    " + OPENAI_KEY + "   "), OPENAI_KEY);
    assertKey(extract("x-api-key", "  " + ANTHROPIC_KEY + " "), ANTHROPIC_KEY);
    assertKey(extract("x-goog-api-key", " " + GEMINI_KEY), GEMINI_KEY);
  }

  @Test
  void emptyBearerGivesNoKey() {
    assertNoKey(extract("Authorization", "Bearer"), Reason.NO_CREDENTIAL);
    assertNoKey(extract("Authorization", "Bearer    "), Reason.NO_CREDENTIAL);
    assertNoKey(extract("Authorization", ""), Reason.NO_CREDENTIAL);
  }

  @Test
  void emptyBearerLeavesTheNextHeaderToDecide() {
    assertKey(extract("Authorization", "Bearer ", "x-api-key", ANTHROPIC_KEY), ANTHROPIC_KEY);
  }

  @Test
  void otherAuthorizationSchemesAreCredentialsLMGateCannotCheck() {
    for (String value :
        new String[] {
          "Basic dXNlcjpwYXNzd29yZA==",
          "Token " + OPENAI_KEY,
          OPENAI_KEY,
          "Bearer" + OPENAI_KEY,
          "Bearer:" + OPENAI_KEY,
          "Bearer\u00a0" + OPENAI_KEY
        }) {
      assertNoKey(extract("Authorization", value), Reason.UNCHECKED_CREDENTIAL);
    }
  }

  /** An upstream that splits on any whitespace would authenticate with the key never checked. */
  @Test
  void anotherSchemeBesideAValidKeyIsRefused() {
    assertNoKey(
        extract("Authorization", "Basic dXNlcjpwYXNzd29yZA==", "x-api-key", ANTHROPIC_KEY),
        Reason.UNCHECKED_CREDENTIAL);
    assertNoKey(
        extract("x-api-key", ANTHROPIC_KEY, "Authorization", "Bearer\u00a0" + OPENAI_KEY),
        Reason.UNCHECKED_CREDENTIAL);
  }

  @Test
  void aCredentialHeaderSpelledWithUnderscoresIsRefused() {
    for (String name : new String[] {"x_api_key", "X_Api-Key", "x-goog_api_key", "api_key"}) {
      KeyExtraction extraction =
          ApiKeys.extract(
              header -> header.equals("x-api-key") ? List.of(ANTHROPIC_KEY) : List.of(),
              List.of("x-api-key", name));
      assertNoKey(extraction, Reason.UNCHECKED_CREDENTIAL);
    }
    assertKey(
        ApiKeys.extract(
            header -> header.equals("x-api-key") ? List.of(ANTHROPIC_KEY) : List.of(),
            List.of("x-api-key", "x_request_id", "anthropic_version")),
        ANTHROPIC_KEY);
  }

  @Test
  void xApiKeyIsTheKey() {
    assertKey(extract("x-api-key", ANTHROPIC_KEY), ANTHROPIC_KEY);
    assertKey(extract("X-Api-Key", ANTHROPIC_KEY), ANTHROPIC_KEY);
  }

  @Test
  void xGoogApiKeyIsTheKey() {
    assertKey(extract("x-goog-api-key", GEMINI_KEY), GEMINI_KEY);
  }

  @Test
  void azureApiKeyHeaderIsTheKey() {
    assertKey(
        extract("api-key", "3f1c9a7e0b2d4c6e8a0b1c2d3e4f5a6b"), "3f1c9a7e0b2d4c6e8a0b1c2d3e4f5a6b");
  }

  @Test
  void noCredentialHeaders() {
    assertNoKey(extract(), Reason.NO_CREDENTIAL);
    assertNoKey(extract("Content-Type", "application/json"), Reason.NO_CREDENTIAL);
    assertNoKey(extract("x-api-key", "   "), Reason.NO_CREDENTIAL);
  }

  @Test
  void sameKeyInBearerAndXApiKeyIsAccepted() {
    assertKey(
        extract("Authorization", "Bearer " + OPENAI_KEY, "x-api-key", OPENAI_KEY), OPENAI_KEY);
  }

  @Test
  void sameKeyInEveryCredentialHeaderIsAccepted() {
    assertKey(
        extract(
            "Authorization",
            "Bearer " + GEMINI_KEY,
            "x-api-key",
            GEMINI_KEY,
            "x-goog-api-key",
            " " + GEMINI_KEY,
            "api-key",
            GEMINI_KEY),
        GEMINI_KEY);
  }

  @Test
  void bearerAndADifferentXApiKeyConflict() {
    // Precedence would pick the Bearer key, but an Anthropic upstream would use x-api-key.
    assertNoKey(
        extract("Authorization", "Bearer " + OPENAI_KEY, "x-api-key", ANTHROPIC_KEY),
        Reason.CONFLICTING_CREDENTIALS);
  }

  @Test
  void differentKeysInAnyTwoCredentialHeadersConflict() {
    assertNoKey(
        extract("x-api-key", ANTHROPIC_KEY, "x-goog-api-key", GEMINI_KEY),
        Reason.CONFLICTING_CREDENTIALS);
    assertNoKey(
        extract("Authorization", "Bearer " + OPENAI_KEY, "api-key", GEMINI_KEY),
        Reason.CONFLICTING_CREDENTIALS);
  }

  @Test
  void duplicateAuthorizationLinesWithDifferentKeysConflict() {
    assertNoKey(
        extract("Authorization", "Bearer " + OPENAI_KEY, "Authorization", "Bearer " + GEMINI_KEY),
        Reason.CONFLICTING_CREDENTIALS);
  }

  @Test
  void duplicateXApiKeyLinesWithDifferentKeysConflict() {
    assertNoKey(
        extract("x-api-key", ANTHROPIC_KEY, "x-api-key", OPENAI_KEY),
        Reason.CONFLICTING_CREDENTIALS);
  }

  @Test
  void duplicateLinesWithTheSameKeyAreAccepted() {
    assertKey(
        extract("Authorization", "Bearer " + OPENAI_KEY, "Authorization", "bearer " + OPENAI_KEY),
        OPENAI_KEY);
  }

  @Test
  void caseMattersWhenComparingKeys() {
    assertNoKey(
        extract("x-api-key", "sk-abcdef", "x-goog-api-key", "sk-ABCDEF"),
        Reason.CONFLICTING_CREDENTIALS);
  }

  @Test
  void controlCharactersMakeTheRequestMalformed() {
    assertNoKey(extract("x-api-key", ANTHROPIC_KEY + "\r\nx-evil: 1"), Reason.MALFORMED);
    assertNoKey(extract("Authorization", "Bearer\t" + OPENAI_KEY), Reason.MALFORMED);
    assertNoKey(extract("x-goog-api-key", GEMINI_KEY + "\u0000"), Reason.MALFORMED);
    assertNoKey(extract("api-key", "abc\u007fdef"), Reason.MALFORMED);
  }

  @Test
  void controlCharactersInABasicHeaderAlsoMakeTheRequestMalformed() {
    assertNoKey(
        extract("Authorization", "Basic a\u0001b", "x-api-key", ANTHROPIC_KEY), Reason.MALFORMED);
  }

  @Test
  void whitespaceInsideAKeyMakesTheRequestMalformed() {
    assertNoKey(extract("Authorization", "Bearer sk-proj one two"), Reason.MALFORMED);
    assertNoKey(extract("x-api-key", "sk-ant one"), Reason.MALFORMED);
    assertNoKey(extract("x-api-key", "sk-ant\u00a0one"), Reason.MALFORMED);
  }

  @Test
  void commaJoinedValuesAreOneStrangeKeyNotTwo() {
    // Some containers join repeated header lines with ", ": that has whitespace inside.
    assertNoKey(extract("x-api-key", ANTHROPIC_KEY + ", " + OPENAI_KEY), Reason.MALFORMED);
  }

  @Test
  void failureOutcomesAreSharedAndToStringNeverShowsTheKey() {
    assertThat(extract()).isSameAs(KeyExtraction.NO_CREDENTIAL);
    assertThat(extract("x-api-key", ANTHROPIC_KEY).toString())
        .isEqualTo("KeyExtraction[FOUND …Rt6VbN]");
    assertThat(extract("x-api-key", "a", "x-api-key", "b").toString())
        .isEqualTo("KeyExtraction[CONFLICTING_CREDENTIALS]");
  }
}
