package ai.numio.lmgate;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes of a request body the core read ahead before admitting it (never more than {@code
 * policy.max_read_ahead_bytes}); the adapter sends them upstream first, then the rest of the body.
 * Empty when nothing was read ahead — the common case.
 */
public final class BodyPrefix {

  /** Nothing was read ahead. */
  public static final BodyPrefix EMPTY = new BodyPrefix(new byte[0], 0, false);

  private final byte[] bytes;
  private final int length;
  private final boolean complete;

  private BodyPrefix(byte[] bytes, int length, boolean complete) {
    this.bytes = bytes;
    this.length = length;
    this.complete = complete;
  }

  /**
   * The first {@code length} bytes of {@code bytes} (kept, not copied).
   *
   * @param complete whether the whole body was read (its end was seen)
   */
  public static BodyPrefix of(byte[] bytes, int length, boolean complete) {
    if (length < 0 || length > bytes.length) {
      throw new IllegalArgumentException("length " + length + " outside 0.." + bytes.length);
    }
    return length == 0 && !complete ? EMPTY : new BodyPrefix(bytes, length, complete);
  }

  /** How many bytes were read ahead. */
  public int length() {
    return length;
  }

  /** Whether nothing was read ahead. */
  public boolean isEmpty() {
    return length == 0 && !complete;
  }

  /** Whether the whole body was read ahead: nothing remains to read from the client. */
  public boolean complete() {
    return complete;
  }

  /** The bytes, as a read-only buffer. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes, 0, length).asReadOnlyBuffer();
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  /** The whole body: these bytes, then {@code rest} (the body still unread). */
  public InputStream followedBy(InputStream rest) {
    if (isEmpty()) {
      return rest;
    }
    return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, length), rest);
  }

  @Override
  public String toString() {
    return "BodyPrefix[" + length + " bytes" + (complete ? ", whole body" : "") + "]";
  }
}
