package ai.numio.lmgate.filter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import org.junit.jupiter.api.Test;

/** The response writer's encoder: every write is bytes on the stream when it returns. */
class UnbufferedWriterTest {

  /** Records what reached it, flushes and closing. */
  static final class Sink extends ByteArrayOutputStream {
    int flushes;
    boolean closed;

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void everyWriteReachesTheStreamBeforeItReturns() {
    Sink sink = new Sink();
    PrintWriter writer = new PrintWriter(new UnbufferedWriter(sink, UTF_8));

    writer.print("héllo");
    assertThat(sink.toByteArray()).isEqualTo("héllo".getBytes(UTF_8));

    String large = "é".repeat(10_000); // 20,000 bytes: more than any internal buffer
    writer.print(large);
    assertThat(sink.size()).isEqualTo(6 + 20_000);
    writer.write("data: x\n\n", 6, 3);
    assertThat(new String(sink.toByteArray(), UTF_8)).isEqualTo("héllo" + large + "x\n\n");
    assertThat(sink.flushes).isZero();
    assertThat(writer.checkError()).isFalse();
  }

  @Test
  void aSurrogatePairSplitAcrossWritesIsEncodedWhenComplete() throws IOException {
    Sink sink = new Sink();
    UnbufferedWriter writer = new UnbufferedWriter(sink, UTF_8);

    writer.write("a\uD83D");
    assertThat(sink.toByteArray()).isEqualTo(new byte[] {'a'});
    writer.write("\uDE00b");
    assertThat(sink.toByteArray())
        .isEqualTo(new byte[] {'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, 'b'});
  }

  @Test
  void unencodableCharactersBecomeTheReplacement() throws IOException {
    Sink sink = new Sink();
    UnbufferedWriter writer = new UnbufferedWriter(sink, ISO_8859_1);

    writer.write("café ☕ ok");
    assertThat(new String(sink.toByteArray(), ISO_8859_1)).isEqualTo("café ? ok");
  }

  @Test
  void flushReachesTheStreamAndCloseEndsALoneSurrogate() throws IOException {
    Sink sink = new Sink();
    UnbufferedWriter writer = new UnbufferedWriter(sink, UTF_8);

    writer.write("x\uD83D");
    writer.flush();
    assertThat(sink.flushes).isEqualTo(1);
    writer.close();
    writer.close();
    assertThat(new String(sink.toByteArray(), UTF_8)).isEqualTo("x?");
    assertThat(sink.closed).isTrue();
    assertThatThrownBy(() -> writer.write("late")).isInstanceOf(IOException.class);
  }
}
