package ai.numio.lmgate.meter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseReaderTest {

  /** Records events as the listener sees them: data lines joined by newline, per SSE rules. */
  private static final class Events implements SseReader.Listener {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();

    @Override
    public void data(byte[] bytes, int offset, int length) {
      data.write(bytes, offset, length);
    }

    @Override
    public void dataLineEnd() {
      data.write('\n');
    }

    @Override
    public void eventEnd(boolean errorEvent) {
      events.add((errorEvent ? "error:" : "") + data.toString(UTF_8));
      data.reset();
    }
  }

  private static List<String> read(String stream, int chunkSize) {
    Events events = new Events();
    SseReader reader = new SseReader(events);
    byte[] bytes = stream.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i += chunkSize) {
      reader.accept(bytes, i, Math.min(chunkSize, bytes.length - i));
    }
    return events.events;
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r", "\r\n"})
  void everyLineEndingSplitsTheSameWay(String eol) {
    String stream =
        String.join(
            eol,
            ": comment",
            "event: message_start",
            "data: {\"a\":1}",
            "",
            "id: 7",
            "retry: 1000",
            "data:{\"b\":2}",
            "data",
            "data: second line",
            "",
            "event: error",
            "data: {\"type\":\"error\"}",
            "",
            "");
    List<String> expected =
        List.of("{\"a\":1}\n", "{\"b\":2}\n\nsecond line\n", "error:{\"type\":\"error\"}\n");
    for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
      assertThat(read(stream, chunk)).as("chunks of %d", chunk).isEqualTo(expected);
    }
  }

  @Test
  void onlyOneLeadingSpaceIsRemovedAndColonsInValuesStay() {
    assertThat(read("data:  a: b\n\n", 1)).containsExactly(" a: b\n");
  }

  @Test
  void byteOrderMarkAtTheStartIsSkipped() {
    assertThat(read("\uFEFFdata: x\n\n", 1)).containsExactly("x\n");
  }

  @Test
  void aLeadingEfThatIsNoByteOrderMarkSwallowsNothingElse() {
    Events events = new Events();
    SseReader reader = new SseReader(events);
    byte[] stream = {(byte) 0xEF, '\n', 'd', 'a', 't', 'a', ':', 'x', '\n', '\n'};
    for (int i = 0; i < stream.length; i++) {
      reader.accept(stream, i, 1);
    }
    assertThat(events.events).containsExactly("x\n");
  }

  @Test
  void unknownFieldsAndLongNamesAreIgnored() {
    assertThat(read("datadata: x\nfoo: y\ndata: z\n\n", 2)).containsExactly("z\n");
  }

  @Test
  void eventWithoutDataStillEndsAndCommentsAloneDoNot() {
    assertThat(read(": ping\n\nevent: ping\n\n\n\n", 1)).containsExactly("");
  }

  @Test
  void unterminatedEventIsNotDispatched() {
    assertThat(read("data: {\"a\":1}\n\ndata: {\"b\"", 4)).containsExactly("{\"a\":1}\n");
  }
}
