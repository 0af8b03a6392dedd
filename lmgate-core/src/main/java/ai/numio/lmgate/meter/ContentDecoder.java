package ai.numio.lmgate.meter;

import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the meter's copy of a response body as it arrives: identity, gzip (several members
 * allowed) or deflate (zlib-wrapped or raw). Output goes through one fixed buffer, so memory stays
 * bounded whatever the compression ratio. A corrupt stream stops decoding; it is never an error the
 * caller sees.
 */
abstract class ContentDecoder {

  /** Thrown when the encoded bytes are corrupt. */
  static final class CorruptContentException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptContentException(String message) {
      super(message);
    }
  }

  /** Decodes {@code bytes[offset, offset+length)}, passing decoded bytes to {@code sink}. */
  abstract void decode(byte[] bytes, int offset, int length, ByteSink sink)
      throws CorruptContentException;

  /** Frees native resources; further input is ignored. */
  void end() {}

  /**
   * The decoder for a {@code Content-Encoding} header value, or null for an encoding the meter
   * cannot read (br, zstd, chains of codings).
   */
  static ContentDecoder forEncoding(String contentEncoding) {
    if (contentEncoding == null) {
      return IDENTITY;
    }
    String coding = contentEncoding.trim().toLowerCase(Locale.ROOT);
    return switch (coding) {
      case "", "identity" -> IDENTITY;
      case "gzip", "x-gzip" -> new Gzip();
      case "deflate" -> new Deflate();
      default -> null;
    };
  }

  private static final ContentDecoder IDENTITY =
      new ContentDecoder() {
        @Override
        void decode(byte[] bytes, int offset, int length, ByteSink sink) {
          sink.accept(bytes, offset, length);
        }
      };

  /** Shared inflate loop: feeds input and drains output until the inflater wants more input. */
  abstract static class Inflating extends ContentDecoder {
    private static final int OUTPUT_BYTES = 8192;
    private final byte[] output = new byte[OUTPUT_BYTES];
    Inflater inflater;

    /**
     * Inflates as much of the input as belongs to the current deflate stream; returns how many
     * input bytes were consumed.
     */
    int inflate(byte[] bytes, int offset, int length, ByteSink sink)
        throws CorruptContentException {
      inflater.setInput(bytes, offset, length);
      try {
        while (true) {
          int n = inflater.inflate(output);
          if (n > 0) {
            sink.accept(output, 0, n);
          }
          if (inflater.finished() || inflater.needsDictionary()) {
            break;
          }
          if (n == 0 && inflater.needsInput()) {
            break;
          }
        }
      } catch (DataFormatException e) {
        throw new CorruptContentException(e.getMessage());
      }
      return length - inflater.getRemaining();
    }

    @Override
    void end() {
      if (inflater != null) {
        inflater.end();
        inflater = null;
      }
    }
  }

  /** RFC 1952: header, raw deflate data, 8-byte trailer; members may follow each other. */
  static final class Gzip extends Inflating {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private static final int FIXED_HEADER = 0;
    private static final int EXTRA_LENGTH = 1;
    private static final int EXTRA = 2;
    private static final int NAME = 3;
    private static final int COMMENT = 4;
    private static final int HEADER_CRC = 5;
    private static final int BODY = 6;
    private static final int TRAILER = 7;
    private static final int DONE = 8;

    private int state = FIXED_HEADER;
    private int position; // bytes read of the current header part
    private int flags;
    private int extraLength;

    @Override
    void decode(byte[] bytes, int offset, int length, ByteSink sink)
        throws CorruptContentException {
      int i = offset;
      int end = offset + length;
      while (i < end && state != DONE) {
        if (state == BODY) {
          i += inflate(bytes, i, end - i, sink);
          if (inflater.finished()) {
            inflater.reset();
            state = TRAILER;
            position = 0;
          } else if (inflater.needsDictionary()) {
            throw new CorruptContentException("gzip member asks for a preset dictionary");
          }
          continue;
        }
        int b = bytes[i++] & 0xFF;
        header(b);
      }
    }

    private void header(int b) throws CorruptContentException {
      switch (state) {
        case FIXED_HEADER -> {
          if ((position == 0 && b != 0x1F) || (position == 1 && b != 0x8B)) {
            throw new CorruptContentException("not gzip data");
          }
          if (position == 2 && b != 8) {
            throw new CorruptContentException("gzip compression method " + b + " is not deflate");
          }
          if (position == 3) {
            flags = b;
          }
          if (++position == 10) {
            nextHeaderPart(EXTRA_LENGTH);
          }
        }
        case EXTRA_LENGTH -> {
          extraLength |= b << (8 * position);
          if (++position == 2) {
            nextHeaderPart(extraLength == 0 ? NAME : EXTRA);
          }
        }
        case EXTRA -> {
          if (++position == extraLength) {
            nextHeaderPart(NAME);
          }
        }
        case NAME, COMMENT -> {
          if (b == 0) {
            nextHeaderPart(state + 1);
          }
        }
        case HEADER_CRC -> {
          if (++position == 2) {
            nextHeaderPart(BODY);
          }
        }
        case TRAILER -> {
          if (++position == 8) {
            state = FIXED_HEADER; // another member may follow
            position = 0;
            flags = 0;
            extraLength = 0;
          }
        }
        default -> throw new IllegalStateException("gzip state " + state);
      }
    }

    /** Moves to {@code next}, skipping header parts the flags say are absent. */
    private void nextHeaderPart(int next) {
      position = 0;
      int part = next;
      while (true) {
        boolean present =
            switch (part) {
              case EXTRA_LENGTH, EXTRA -> (flags & FEXTRA) != 0;
              case NAME -> (flags & FNAME) != 0;
              case COMMENT -> (flags & FCOMMENT) != 0;
              case HEADER_CRC -> (flags & FHCRC) != 0;
              default -> true;
            };
        if (present) {
          break;
        }
        part++;
      }
      state = part;
      if (state == BODY && inflater == null) {
        inflater = new Inflater(true);
      }
    }

    @Override
    void end() {
      super.end();
      state = DONE;
    }
  }

  /**
   * HTTP {@code deflate}: RFC 1950 zlib data, though some servers send raw RFC 1951 data; the first
   * two bytes tell which.
   */
  static final class Deflate extends Inflating {
    private int firstByte = -1;
    private boolean ended;

    @Override
    void decode(byte[] bytes, int offset, int length, ByteSink sink)
        throws CorruptContentException {
      if (ended || length == 0) {
        return;
      }
      if (inflater == null) {
        if (firstByte < 0) {
          firstByte = bytes[offset] & 0xFF;
          if (length == 1) {
            return;
          }
          offset++;
          length--;
        }
        int second = bytes[offset] & 0xFF;
        boolean zlib = (firstByte & 0x0F) == 8 && ((firstByte << 8) | second) % 31 == 0;
        inflater = new Inflater(!zlib);
        inflate(new byte[] {(byte) firstByte}, 0, 1, sink);
      }
      if (!inflater.finished()) {
        inflate(bytes, offset, length, sink);
      }
    }

    @Override
    void end() {
      super.end();
      ended = true;
    }
  }
}
