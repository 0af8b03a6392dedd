package ai.numio.lmgate.policy;

import ai.numio.lmgate.BodyPrefix;
import ai.numio.lmgate.RequestBody;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Finds the model a request asks for before anything goes upstream (SPEC-2 §14): the top-level
 * {@code "model"} string of an OpenAI or Anthropic JSON body, read incrementally with Jackson's
 * non-blocking parser only until that field is complete, never beyond the cap ({@code
 * policy.max_read_ahead_bytes}); or, for the Google format, the path segment {@code
 * models/<model>:} ({@link #modelInPath}), no body read.
 *
 * <p>Memory is bounded by the cap: the bytes read are kept in one array that starts at 8 KiB and
 * doubles as needed up to the cap, never beyond (so about twice the cap is allocated over the
 * growth of a body that reaches it, at most the cap is held); the parser sees every string cut to
 * {@value #KEEP_STRING_BYTES} bytes, so its own buffers stay small whatever the body holds. A model
 * name of that length or more is refused as unreadable, never matched cut.
 */
public final class ModelReadAhead {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** Longest string the parser sees; a model name is far shorter. */
  static final int KEEP_STRING_BYTES = 512;

  static final int FIRST_BUFFER = 8192;

  /** How a read ahead ended. */
  public enum Outcome {
    /** The model was found; {@link Result#model()} holds it. */
    FOUND,
    /** The body is a JSON object without a top-level {@code model} string. */
    NOT_FOUND,
    /** The cap was reached before the model. */
    TOO_LARGE,
    /**
     * The object names two different top-level models: a provider that keeps the last of duplicate
     * keys would serve one the rule never checked.
     */
    CONFLICTING,
    /**
     * The body is not a JSON object (malformed, another JSON value, empty) or its model no string.
     */
    MALFORMED,
    /** The body could not be read (the client went away, a malformed chunk). */
    UNREADABLE
  }

  /**
   * What a read ahead found, and the bytes it read (forwarded first, byte for byte).
   *
   * @param model the model, for {@link Outcome#FOUND}; else null
   */
  public record Result(Outcome outcome, String model, BodyPrefix prefix) {}

  private ModelReadAhead() {}

  /**
   * Reads {@code body} until its top-level {@code model} is known, at most {@code cap} bytes: to
   * the end of the top-level object, so that a second {@code model} key later in the object (JSON
   * allows duplicates, and many parsers keep the last) is seen too; a body longer than the cap is
   * judged by the model found within the cap.
   *
   * @param cap at least 1
   */
  public static Result read(RequestBody body, int cap) {
    return new Reader(cap).read(body);
  }

  /**
   * The model named by a Google (Gemini, Vertex) path: the segment after {@code models/} up to
   * {@code :} — {@code /v1beta/models/gemini-2.5-flash:generateContent}, {@code
   * .../publishers/google/models/gemini-2.5-pro:streamGenerateContent} — percent-decoded; null when
   * the path names none (or an undecodable one).
   */
  public static String modelInPath(String rawPath) {
    int at = rawPath.lastIndexOf("/models/");
    if (at < 0) {
      return null;
    }
    int start = at + "/models/".length();
    int end = start;
    while (end < rawPath.length() && rawPath.charAt(end) != ':' && rawPath.charAt(end) != '/') {
      end++;
    }
    if (end == start) {
      return null;
    }
    return percentDecoded(rawPath.substring(start, end));
  }

  private static String percentDecoded(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    byte[] out = new byte[segment.length()];
    int n = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          return null;
        }
        int hi = Character.digit(segment.charAt(i + 1), 16);
        int lo = Character.digit(segment.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out[n++] = (byte) (hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        out[n++] = (byte) c;
      } else {
        return null;
      }
    }
    String decoded = new String(out, 0, n, StandardCharsets.UTF_8);
    return decoded.indexOf('\uFFFD') >= 0 || decoded.isEmpty() ? null : decoded;
  }

  /** One read ahead. */
  private static final class Reader {
    private static final byte[] CUT_MARK = "\\u0000".getBytes(StandardCharsets.US_ASCII);

    private final int cap;
    private byte[] bytes;
    private int filled;
    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private int depth;
    private boolean started;
    private boolean modelNext;
    private String model;
    private Outcome outcome;

    // the string cutter's state: where strings are, across reads
    private boolean inString;
    private boolean escape;
    private int stringBytes;
    private int unicodeDigitsLeft;
    private boolean dropping;

    Reader(int cap) {
      if (cap < 1) {
        throw new IllegalArgumentException("cap must be positive, got " + cap);
      }
      this.cap = cap;
      this.bytes = new byte[Math.min(cap, FIRST_BUFFER)];
      try {
        parser = FACTORY.createNonBlockingByteArrayParser();
      } catch (IOException e) {
        throw new IllegalStateException("Jackson cannot create a non-blocking parser", e);
      }
      feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    Result read(RequestBody body) {
      try {
        while (outcome == null) {
          if (filled == bytes.length) {
            if (bytes.length == cap) {
              return done(model != null ? Outcome.FOUND : Outcome.TOO_LARGE, false);
            }
            bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(cap, 2L * bytes.length));
          }
          int n;
          try {
            n = body.read(bytes, filled, bytes.length - filled);
          } catch (IOException e) {
            return done(Outcome.UNREADABLE, false);
          }
          if (n < 0) {
            feeder.endOfInput();
            drain();
            return done(outcome == null ? endOutcome() : outcome, true);
          }
          int start = filled;
          filled += n;
          cutAndFeed(start, filled);
        }
        return done(outcome, false);
      } finally {
        try {
          parser.close();
        } catch (IOException e) {
          // nothing held that matters
        }
      }
    }

    private Outcome endOutcome() {
      if (!started || depth != 0) {
        return Outcome.MALFORMED;
      }
      return model != null ? Outcome.FOUND : Outcome.NOT_FOUND;
    }

    private Result done(Outcome how, boolean complete) {
      BodyPrefix prefix = BodyPrefix.of(bytes, filled, complete);
      return new Result(how, how == Outcome.FOUND ? model : null, prefix);
    }

    /** Feeds {@code bytes[from, to)} to the parser, every string cut to its first bytes. */
    private void cutAndFeed(int from, int to) {
      int run = from;
      for (int i = from; i < to && outcome == null; i++) {
        byte c = bytes[i];
        if (!inString) {
          if (c == '"') {
            inString = true;
            stringBytes = 0;
            escape = false;
            unicodeDigitsLeft = 0;
          }
          continue;
        }
        if (dropping) {
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            dropping = false;
            inString = false;
            run = i; // the closing quote goes on
          }
          continue;
        }
        boolean safe = !escape && unicodeDigitsLeft == 0 && (c & 0xC0) != 0x80;
        if (unicodeDigitsLeft > 0) {
          unicodeDigitsLeft--;
        } else if (escape) {
          escape = false;
          unicodeDigitsLeft = c == 'u' ? 4 : 0;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          inString = false;
          continue;
        }
        stringBytes++;
        // cut before the byte that would pass the limit: at a character boundary, outside escapes
        if (stringBytes > KEEP_STRING_BYTES && safe) {
          feed(bytes, run, i);
          feed(CUT_MARK, 0, CUT_MARK.length);
          dropping = true;
        }
      }
      if (!dropping && outcome == null) {
        feed(bytes, run, to);
      }
    }

    private void feed(byte[] from, int start, int end) {
      if (start >= end || outcome != null) {
        return;
      }
      try {
        feeder.feedInput(from, start, end);
      } catch (IOException e) {
        outcome = Outcome.MALFORMED;
        return;
      }
      drain();
    }

    private void drain() {
      try {
        JsonToken token;
        while (outcome == null
            && (token = parser.nextToken()) != null
            && token != JsonToken.NOT_AVAILABLE) {
          onToken(token);
        }
      } catch (IOException | RuntimeException e) {
        outcome = Outcome.MALFORMED;
      }
    }

    private void onToken(JsonToken token) throws IOException {
      if (!started) {
        started = true;
        if (token != JsonToken.START_OBJECT) {
          outcome = Outcome.MALFORMED;
          return;
        }
      }
      if (modelNext) {
        modelNext = false;
        if (token == JsonToken.VALUE_STRING) {
          String text = parser.getText();
          if (text.isEmpty() || text.indexOf('\u0000') >= 0) {
            outcome = Outcome.MALFORMED;
          } else if (model == null) {
            model = text; // and on to the end of the object, for a second "model"
          } else if (!model.equals(text)) {
            outcome = Outcome.CONFLICTING;
          }
        } else {
          outcome = Outcome.MALFORMED;
        }
        return;
      }
      switch (token) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> {
          depth--;
          if (depth == 0) {
            outcome = model != null ? Outcome.FOUND : Outcome.NOT_FOUND;
          }
        }
        case FIELD_NAME -> modelNext = depth == 1 && "model".equals(parser.currentName());
        default -> {}
      }
    }
  }
}
