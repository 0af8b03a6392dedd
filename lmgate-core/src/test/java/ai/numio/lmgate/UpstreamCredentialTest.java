package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.route.Format;
import org.junit.jupiter.api.Test;

/** The credential an admitted request carries upstream (SPEC-2 §15). */
class UpstreamCredentialTest {

  private static final String KEY = "sk-proj-held-by-the-gateway-0123456789";

  @Test
  void eachFormatHasItsHeader() {
    UpstreamCredential openai = UpstreamCredential.replacing(Format.OPENAI, KEY);
    assertThat(openai.headerName()).isEqualTo("Authorization");
    assertThat(openai.headerValue()).isEqualTo("Bearer " + KEY);
    UpstreamCredential anthropic = UpstreamCredential.replacing(Format.ANTHROPIC, KEY);
    assertThat(anthropic.headerName()).isEqualTo("x-api-key");
    assertThat(anthropic.headerValue()).isEqualTo(KEY);
    UpstreamCredential google = UpstreamCredential.replacing(Format.GOOGLE, KEY);
    assertThat(google.headerName()).isEqualTo("x-goog-api-key");
    assertThat(google.headerValue()).isEqualTo(KEY);
  }

  @Test
  void everyClientCredentialHeaderIsDroppedWhenReplacing() {
    UpstreamCredential held = UpstreamCredential.replacing(Format.OPENAI, KEY);
    for (String name :
        new String[] {
          "Authorization", "authorization", "X-Api-Key", "x-goog-api-key", "api-key", "x_api_key"
        }) {
      assertThat(held.isClientCredential(name)).as(name).isTrue();
      assertThat(UpstreamCredential.PASS_THROUGH.isClientCredential(name)).as(name).isFalse();
    }
    assertThat(held.isClientCredential("x-api-version")).isFalse();
    assertThat(held.isClientCredential("anthropic-version")).isFalse();
  }

  @Test
  void credentialParametersLeaveTheQueryTheRestByteForByte() {
    UpstreamCredential held = UpstreamCredential.replacing(Format.GOOGLE, KEY);
    assertThat(held.upstreamQuery("key=lmg-abc")).isNull();
    assertThat(held.upstreamQuery("alt=sse&key=lmg-abc")).isEqualTo("alt=sse");
    assertThat(held.upstreamQuery("key=lmg-abc&alt=sse")).isEqualTo("alt=sse");
    assertThat(held.upstreamQuery("a=1&KEY=lmg-abc;b=%2F&x_api_key=k&apiKey=k&c"))
        .isEqualTo("a=1;b=%2F&c");
    assertThat(held.upstreamQuery("%6Bey=lmg-abc&a=%zz")).isEqualTo("a=%zz");
    assertThat(held.upstreamQuery("monkey=1&key2=2&a=1")).isEqualTo("monkey=1&key2=2&a=1");
    assertThat(held.upstreamQuery("")).isEmpty();
    assertThat(held.upstreamQuery(null)).isNull();
  }

  @Test
  void passThroughKeepsTheQueryAsSent() {
    assertThat(UpstreamCredential.PASS_THROUGH.upstreamQuery("alt=sse&key=AIza"))
        .isEqualTo("alt=sse&key=AIza");
    assertThat(UpstreamCredential.PASS_THROUGH.replacesClientCredentials()).isFalse();
  }

  @Test
  void neverShowsTheKey() {
    assertThat(UpstreamCredential.replacing(Format.OPENAI, KEY).toString())
        .doesNotContain(KEY)
        .isEqualTo("UpstreamCredential[Authorization: …456789]");
  }
}
