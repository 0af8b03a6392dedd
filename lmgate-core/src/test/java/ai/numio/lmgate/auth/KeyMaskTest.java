package ai.numio.lmgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyMaskTest {

  @Test
  void recordFormIsTheLastSixCharacters() {
    assertThat(KeyMask.forRecord("sk-proj-4f8Q2mXbZr7TcW1nYk0aLpE9")).isEqualTo("0aLpE9");
    assertThat(KeyMask.forRecord("1234567")).isEqualTo("234567");
  }

  @Test
  void recordFormOfAShortKeyIsTheWholeKey() {
    assertThat(KeyMask.forRecord("abc")).isEqualTo("abc");
    assertThat(KeyMask.forRecord("abcdef")).isEqualTo("abcdef");
    assertThat(KeyMask.forRecord("")).isEqualTo("");
  }

  @Test
  void recordFormCountsCharactersNotUtf16Units() {
    // U+1F511 (key emoji) is two UTF-16 units; it must not be cut in half.
    assertThat(KeyMask.forRecord("k-\uD83D\uDD11abcde")).isEqualTo("\uD83D\uDD11abcde");
  }

  @Test
  void logFormOfALongKeyIsAnEllipsisAndTheLastSix() {
    assertThat(KeyMask.forLog("sk-proj-4f8Q2mXbZr7TcW1nYk0aLpE9")).isEqualTo("…0aLpE9");
    assertThat(KeyMask.forLog("abcdefghijklm")).isEqualTo("…hijklm");
  }

  @Test
  void logFormOfAShortKeyShowsOnlyItsLastThird() {
    assertThat(KeyMask.forLog("abcdefghijkl")).isEqualTo("…ijkl");
    assertThat(KeyMask.forLog("abcdef")).isEqualTo("…ef");
    assertThat(KeyMask.forLog("abc")).isEqualTo("…c");
    assertThat(KeyMask.forLog("ab")).isEqualTo("…");
    assertThat(KeyMask.forLog("")).isEqualTo("…");
  }

  @Test
  void logFormNeverCarriesControlCharacters() {
    assertThat(KeyMask.forLog("sk-proj-0000000000\nFAKE")).isEqualTo("…0?FAKE");
  }
}
