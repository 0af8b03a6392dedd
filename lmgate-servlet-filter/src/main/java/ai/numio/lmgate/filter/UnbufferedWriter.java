package ai.numio.lmgate.filter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * A writer that encodes each write at once onto its stream, holding back at most the high half of a
 * surrogate pair until its low half comes. Unlike {@link java.io.OutputStreamWriter}, which keeps
 * up to 8 KiB until flushed, it adds no buffer of its own, so the application's characters are in
 * the container's response buffer (and in the meter) as soon as a {@link java.io.PrintWriter} on
 * top returns. Unencodable characters become the charset's replacement, as with a servlet writer.
 * Not thread-safe on its own; {@link java.io.PrintWriter} serializes calls.
 */
final class UnbufferedWriter extends Writer {

  private static final int BYTES = 1024;

  private final OutputStream out;
  private final CharsetEncoder encoder;
  private final ByteBuffer bytes = ByteBuffer.allocate(BYTES);
  private char pendingHighSurrogate;
  private boolean pending;
  private boolean closed;

  UnbufferedWriter(OutputStream out, Charset charset) {
    this.out = out;
    this.encoder =
        charset
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
  }

  @Override
  public void write(char[] chars, int offset, int length) throws IOException {
    write(CharBuffer.wrap(chars, offset, length));
  }

  @Override
  public void write(String text, int offset, int length) throws IOException {
    write(CharBuffer.wrap(text, offset, offset + length));
  }

  private void write(CharBuffer chars) throws IOException {
    ensureOpen();
    if (!chars.hasRemaining()) {
      return;
    }
    CharBuffer in = chars;
    if (pending) {
      in = CharBuffer.allocate(chars.remaining() + 1);
      in.put(pendingHighSurrogate).put(chars).flip();
      pending = false;
    }
    encode(in, false);
    if (in.hasRemaining()) { // only a high surrogate waiting for its pair
      pendingHighSurrogate = in.get();
      pending = true;
    }
    drain();
  }

  @Override
  public void write(int c) throws IOException {
    write(new char[] {(char) c}, 0, 1);
  }

  @Override
  public void flush() throws IOException {
    ensureOpen();
    out.flush();
  }

  /** Ends the text (a lone high surrogate becomes the replacement) and closes the stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      CharBuffer rest = pending ? CharBuffer.wrap(new char[] {pendingHighSurrogate}) : null;
      pending = false;
      encode(rest == null ? CharBuffer.allocate(0) : rest, true);
      while (encoder.flush(bytes).isOverflow()) {
        drain();
      }
      drain();
    } finally {
      out.close();
    }
  }

  private void encode(CharBuffer in, boolean endOfInput) throws IOException {
    while (true) {
      CoderResult result = encoder.encode(in, bytes, endOfInput);
      if (result.isOverflow()) {
        drain();
      } else if (result.isUnderflow()) {
        return;
      } else {
        result.throwException(); // not reached: errors are replaced
      }
    }
  }

  private void drain() throws IOException {
    if (bytes.position() > 0) {
      out.write(bytes.array(), 0, bytes.position());
      bytes.clear();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("writer closed");
    }
  }
}
