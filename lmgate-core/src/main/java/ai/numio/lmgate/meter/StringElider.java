package ai.numio.lmgate.meter;

/**
 * Passes JSON text on while dropping the tail of every string that grows long or leaves ASCII.
 *
 * <p>The meter needs only short ASCII strings (model names, error types, field names), while a
 * response may hold megabytes of generated text or base64 inside one string. A JSON parser keeps a
 * whole string token in memory, so this filter cuts each string to at most {@code keep} bytes and
 * at its first non-ASCII byte, and forwards the closing quote. The parser's memory is then bounded
 * by {@code keep} whatever the response, and invalid UTF-8 inside strings never reaches it.
 *
 * <p>It works because in JSON an unescaped {@code "} always opens or closes a string: tracking
 * quotes and backslash escapes is enough to know where strings are, across chunk boundaries.
 */
final class StringElider {

  private final int keep;
  private boolean inString;
  private boolean dropping;
  private boolean escape;
  private int unicodeDigitsLeft;
  private int stringBytes;
  private int longestKept;

  StringElider(int keep) {
    this.keep = keep;
  }

  /** Forwards {@code bytes[offset, offset+length)} minus elided string tails to {@code sink}. */
  void filter(byte[] bytes, int offset, int length, ByteSink sink) {
    int end = offset + length;
    int start = offset;
    for (int i = offset; i < end; i++) {
      if (!inString && !dropping) { // fast path: skip to the next quote
        while (i < end && bytes[i] != '"') {
          i++;
        }
        if (i == end) {
          break;
        }
      }
      byte c = bytes[i];
      if (dropping) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          dropping = false;
          inString = false;
          start = i; // the closing quote goes on
        }
      } else if (!inString) {
        if (c == '"') {
          inString = true;
          stringBytes = 0;
        }
      } else if (unicodeDigitsLeft > 0) {
        unicodeDigitsLeft--;
        stringBytes++;
      } else if (escape) {
        escape = false;
        if (c == 'u') {
          unicodeDigitsLeft = 4;
        }
        stringBytes++;
      } else if (c == '"') {
        inString = false;
        longestKept = Math.max(longestKept, stringBytes);
      } else if (c < 0 || stringBytes >= keep || (c == '\\' && stringBytes + 6 > keep)) {
        // an escape is kept whole or not at all: "\\uXXXX" is six bytes
        if (i > start) {
          sink.accept(bytes, start, i - start);
        }
        longestKept = Math.max(longestKept, stringBytes);
        dropping = true;
        escape = c == '\\'; // a dropped backslash still escapes the next byte
      } else {
        escape = c == '\\';
        stringBytes++;
      }
    }
    if (!dropping && end > start) {
      sink.accept(bytes, start, end - start);
    }
  }

  /** Forgets any open string, for a parser that starts over. */
  void reset() {
    inString = false;
    dropping = false;
    escape = false;
    unicodeDigitsLeft = 0;
    stringBytes = 0;
  }

  boolean inString() {
    return inString;
  }

  /** The longest string content (in bytes) ever passed on: what the parser may have held. */
  int longestKept() {
    return Math.max(longestKept, stringBytes);
  }
}
