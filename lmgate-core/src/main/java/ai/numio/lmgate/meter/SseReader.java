package ai.numio.lmgate.meter;

/**
 * Splits a server-sent event stream into fields as bytes arrive, holding no line and no event.
 *
 * <p>Lines end in LF, CR or CRLF (a CRLF split across chunks counts once). A {@code data:} line's
 * value (after one optional leading space) is streamed to the listener as it passes, then {@link
 * Listener#dataLineEnd()}; {@code event:} values are read only to know an {@code error} event;
 * comments ({@code :...}), {@code id:}, {@code retry:} and unknown fields are skipped; a blank line
 * ends the event. A UTF-8 byte order mark at the start is skipped.
 */
final class SseReader {

  /** Receives one event's data as it streams. */
  interface Listener {
    /** Part of a data line's value. */
    void data(byte[] bytes, int offset, int length);

    /** A data line ended (its value may have been empty). */
    void dataLineEnd();

    /** A blank line ended an event that had data or a type. */
    void eventEnd(boolean errorEvent);
  }

  private static final int LINE_START = 0;
  private static final int NAME = 1;
  private static final int VALUE_START = 2;
  private static final int DATA = 3;
  private static final int EVENT_TYPE = 4;
  private static final int SKIP_LINE = 5;

  private static final int FIELD_OTHER = 0;
  private static final int FIELD_DATA = 1;
  private static final int FIELD_EVENT = 2;

  private static final byte[] DATA_NAME = {'d', 'a', 't', 'a'};
  private static final byte[] EVENT_NAME = {'e', 'v', 'e', 'n', 't'};
  private static final byte[] ERROR_TYPE = {'e', 'r', 'r', 'o', 'r'};

  private final Listener listener;
  private int state = LINE_START;
  private boolean afterCr;
  private int bomBytesLeft = -1; // -1: not yet looked at the first byte
  private final byte[] token = new byte[8];
  private int tokenLength;
  private int field;
  private boolean eventStarted;
  private boolean errorEvent;

  SseReader(Listener listener) {
    this.listener = listener;
  }

  void accept(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = skipByteOrderMark(bytes, offset, end);
    int dataStart = state == DATA ? i : -1;
    for (; i < end; i++) {
      if (state == DATA || state == SKIP_LINE) { // fast path: run to the end of the line
        int eol = i;
        while (eol < end && bytes[eol] != '\n' && bytes[eol] != '\r') {
          eol++;
        }
        if (eol > i) {
          afterCr = false;
          i = eol;
          if (i == end) {
            break;
          }
        }
      }
      byte c = bytes[i];
      if (c == '\n' || c == '\r') {
        boolean crlf = c == '\n' && afterCr;
        afterCr = c == '\r';
        if (crlf) {
          continue;
        }
        if (state == DATA && i > dataStart) {
          listener.data(bytes, dataStart, i - dataStart);
        }
        endLine();
        continue;
      }
      afterCr = false;
      switch (state) {
        case LINE_START -> {
          if (c == ':') {
            state = SKIP_LINE;
          } else {
            tokenLength = 0;
            appendToken(c);
            state = NAME;
          }
        }
        case NAME -> {
          if (c == ':') {
            field = fieldOfToken();
            state = field == FIELD_OTHER ? SKIP_LINE : VALUE_START;
            tokenLength = 0;
          } else {
            appendToken(c);
          }
        }
        case VALUE_START -> {
          if (field == FIELD_DATA) {
            state = DATA;
            eventStarted = true;
            dataStart = c == ' ' ? i + 1 : i;
          } else {
            state = EVENT_TYPE;
            if (c != ' ') {
              appendToken(c);
            }
          }
        }
        case EVENT_TYPE -> appendToken(c);
        default -> {
          // DATA bytes are passed on as a range; SKIP_LINE bytes are dropped
        }
      }
    }
    if (state == DATA && end > dataStart) {
      listener.data(bytes, dataStart, end - dataStart);
    }
  }

  private int skipByteOrderMark(byte[] bytes, int i, int end) {
    if (bomBytesLeft == -1 && i < end) {
      bomBytesLeft = bytes[i] == (byte) 0xEF ? 2 : 0;
      if (bomBytesLeft > 0) {
        i++;
      }
    }
    while (bomBytesLeft > 0 && i < end) {
      byte expected = bomBytesLeft == 2 ? (byte) 0xBB : (byte) 0xBF;
      if (bytes[i] != expected) {
        bomBytesLeft = 0; // not a byte order mark after all: read on from here
        break;
      }
      bomBytesLeft--;
      i++;
    }
    return i;
  }

  private void endLine() {
    switch (state) {
      case LINE_START -> {
        if (eventStarted) {
          listener.eventEnd(errorEvent);
        }
        eventStarted = false;
        errorEvent = false;
      }
      case NAME -> {
        if (fieldOfToken() == FIELD_DATA) { // "data" alone: an empty data line
          eventStarted = true;
          listener.dataLineEnd();
        }
      }
      case VALUE_START -> {
        if (field == FIELD_DATA) {
          eventStarted = true;
          listener.dataLineEnd();
        }
      }
      case DATA -> listener.dataLineEnd();
      case EVENT_TYPE -> {
        eventStarted = true;
        errorEvent = tokenIs(ERROR_TYPE);
      }
      default -> {
        // comment or ignored field
      }
    }
    state = LINE_START;
    tokenLength = 0;
  }

  private void appendToken(byte c) {
    if (tokenLength < token.length) {
      token[tokenLength] = c;
    }
    tokenLength++; // past the buffer, the token matches nothing we look for
  }

  private int fieldOfToken() {
    if (tokenIs(DATA_NAME)) {
      return FIELD_DATA;
    }
    return tokenIs(EVENT_NAME) ? FIELD_EVENT : FIELD_OTHER;
  }

  private boolean tokenIs(byte[] expected) {
    if (tokenLength != expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (token[i] != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
