package ai.numio.lmgate.stats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  /** Each line as text, or "<too long>", with its number. */
  private static List<String> lines(InputStream in, int max) throws IOException {
    LineReader reader = new LineReader(in, max);
    List<String> lines = new ArrayList<>();
    while (reader.next()) {
      String text =
          reader.tooLong() ? "<too long>" : new String(reader.bytes(), 0, reader.length(), UTF_8);
      lines.add(reader.lineNumber() + ":" + text);
    }
    return lines;
  }

  private static List<String> lines(String text, int max) throws IOException {
    return lines(new ByteArrayInputStream(text.getBytes(UTF_8)), max);
  }

  @Test
  void splitsOnNewlineKeepingCarriageReturnAndEmptyLines() throws IOException {
    assertThat(lines("a\r\n\nbc\n", 100)).containsExactly("1:a\r", "2:", "3:bc");
  }

  @Test
  void unterminatedLastLineIsALine() throws IOException {
    assertThat(lines("a\n{\"trunc", 100)).containsExactly("1:a", "2:{\"trunc");
  }

  @Test
  void emptyStreamHasNoLines() throws IOException {
    assertThat(lines("", 100)).isEmpty();
  }

  @Test
  void lineOverTheLimitIsSkippedToItsEnd() throws IOException {
    assertThat(lines("12345\n123456\nok\n1234567", 5))
        .containsExactly("1:12345", "2:<too long>", "3:ok", "4:<too long>");
  }

  @Test
  void linesSpanningManyReadsAndTrickledBytes() throws IOException {
    String longLine = "x".repeat(200_000);
    String text = "first\n" + longLine + "\nlast";
    InputStream trickle =
        new ByteArrayInputStream(text.getBytes(UTF_8)) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 7)); // a pipe delivering a few bytes at a time
          }
        };
    assertThat(lines(trickle, 300_000)).containsExactly("1:first", "2:" + longLine, "3:last");
  }
}
