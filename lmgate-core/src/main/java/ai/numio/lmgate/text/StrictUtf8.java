package ai.numio.lmgate.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the operator's files (configuration, allow-list) as strict UTF-8: a malformed byte is
 * reported with its line, never silently replaced.
 */
public final class StrictUtf8 {

  private StrictUtf8() {}

  /** A file that is not valid UTF-8: where the first bad byte is. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final long byteOffset;

    MalformedException(int line, long byteOffset) {
      super("not valid UTF-8 at line " + line + " (byte " + byteOffset + ")");
      this.line = line;
      this.byteOffset = byteOffset;
    }

    /** The 1-based line of the first malformed byte. */
    public int line() {
      return line;
    }

    /** The 1-based offset of the first malformed byte in the file. */
    public long byteOffset() {
      return byteOffset;
    }
  }

  /** The text of {@code bytes}, without a leading byte order mark. */
  public static String decode(byte[] bytes) throws MalformedException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // never more chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new MalformedException(line, in.position() + 1L);
    }
    String text = out.flip().toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
