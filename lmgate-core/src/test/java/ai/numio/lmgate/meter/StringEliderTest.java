package ai.numio.lmgate.meter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class StringEliderTest {

  private static String elide(int keep, String json, int chunkSize) {
    return elide(keep, json.getBytes(UTF_8), chunkSize);
  }

  private static String elide(int keep, byte[] json, int chunkSize) {
    StringElider elider = new StringElider(keep);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < json.length; i += chunkSize) {
      elider.filter(json, i, Math.min(chunkSize, json.length - i), out::write);
    }
    return out.toString(UTF_8);
  }

  @Test
  void shortAsciiStringsPassUnchanged() {
    String json = "{\"model\":\"gpt-4o\",\"n\":[1,2,{\"k\":\"v\\\"q\\\\\"}]}";
    for (int chunk = 1; chunk < 8; chunk++) {
      assertThat(elide(16, json, chunk)).isEqualTo(json);
    }
  }

  @Test
  void longStringsAreCutAndClosed() {
    String json = "{\"content\":\"abcdefghij\",\"model\":\"m\"}";
    for (int chunk = 1; chunk < 8; chunk++) {
      // field names are strings too; the meter's own names are far shorter than what it keeps
      assertThat(elide(4, json, chunk)).isEqualTo("{\"cont\":\"abcd\",\"mode\":\"m\"}");
    }
  }

  @Test
  void escapesAreNeverCutInHalfAndEscapedQuotesDoNotEndTheString() {
    String text = "[\"ab\\u00e9cd\\\"e\",\"x\"]";
    assertThat(elide(9, text, 1)).isEqualTo("[\"ab\\u00e9c\",\"x\"]");
    assertThat(elide(3, text, 1)).isEqualTo("[\"ab\",\"x\"]");
    assertThat(elide(8, "[\"a\\\\\",\"b\\\"\\\"\\\"\\\"\",1]", 1))
        .isEqualTo("[\"a\\\\\",\"b\\\"\",1]");
    // a string made only of escapes (ensure_ascii JSON) is cut like any other
    assertThat(elide(12, "[\"" + "\\u00e9".repeat(1000) + "\",2]", 5))
        .isEqualTo("[\"\\u00e9\\u00e9\",2]");
  }

  @Test
  void nonAsciiEndsTheKeptPartSoInvalidUtf8NeverReachesTheParser() {
    byte[] json = {'[', '"', 'o', 'k', (byte) 0xC3, (byte) 0x28, 'z', '"', ',', '1', ']'};
    assertThat(elide(100, json, 1)).isEqualTo("[\"ok\",1]");
  }

  @Test
  void anEscapeAtTheLimitIsDroppedWholeNotKeptPastIt() {
    // found by UsageMeterFuzzTest: a backslash at the limit let its escape past the cut
    String json = "[\"" + "a".repeat(6) + "\\u0041b\",1]";
    for (int chunk = 1; chunk < 9; chunk++) {
      assertThat(elide(8, json, chunk)).isEqualTo("[\"aaaaaa\",1]");
      assertThat(elide(12, json, chunk)).isEqualTo("[\"aaaaaa\\u0041\",1]");
    }
    StringElider elider = new StringElider(8);
    byte[] bytes = json.getBytes(UTF_8);
    elider.filter(bytes, 0, bytes.length, (b, o, l) -> {});
    assertThat(elider.longestKept()).isLessThanOrEqualTo(8);
  }

  @Test
  void tracksTheLongestKeptString() {
    StringElider elider = new StringElider(5);
    byte[] json = "[\"abc\",\"abcdefgh\"]".getBytes(UTF_8);
    elider.filter(json, 0, json.length, (b, o, l) -> {});
    assertThat(elider.longestKept()).isEqualTo(5);
  }
}
