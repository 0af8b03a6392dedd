package ai.numio.lmgate.meter;

import ai.numio.lmgate.route.Format;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;

/**
 * Reads usage fields out of JSON text fed in arbitrary chunks, with Jackson's non-blocking parser.
 *
 * <p>The text is a sequence of root values. A root object is one document; a root array's object
 * elements are documents each (Gemini's streamed arrays). A document's values are applied to the
 * result only when the document closes, so a truncated or malformed document never contributes a
 * half-read value; only a document {@link #cut} at the event cap counts what it completed. Fields
 * are recognised by their path inside the document, whatever the route's format, so a body is
 * metered by what it is (Claude on Vertex speaks Anthropic on the google route): see {@link
 * #field}.
 */
final class UsageJsonReader {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final byte[] NEWLINE = {'\n'};

  /** Longest string prefix the parser sees; model names and error types are far shorter. */
  static final int KEEP_STRING_BYTES = 256;

  private static final int INPUT = 1;
  private static final int OUTPUT = 2;
  private static final int CACHE_READ = 3;
  private static final int CACHE_WRITE = 4;
  private static final int REASONING = 5;
  private static final int ANTHROPIC_CACHE_READ = 6;
  private static final int MODEL = 7;
  private static final int ERROR_TYPE = 8;
  private static final int ERROR_STATUS = 9;
  private static final int ERROR_CODE = 10;
  private static final int DOC_TYPE = 11;
  private static final int DOC_CODE = 12;

  private final UsageTally result;
  private final UsageTally doc = new UsageTally();
  private final StringElider elider = new StringElider(KEEP_STRING_BYTES);
  private final ByteSink parserInput = this::feedParser;
  private final String[] path = new String[4];

  private JsonParser parser;
  private ByteArrayFeeder feeder;
  private boolean broken;
  private int depth;
  private int docDepth;
  private boolean rootIsArray;
  private int documents;
  private boolean sawArrayRoot;

  UsageJsonReader(UsageTally result) {
    this.result = result;
    newParser();
  }

  /** Feeds the next bytes of JSON text. */
  void accept(byte[] bytes, int offset, int length) {
    if (!broken) {
      elider.filter(bytes, offset, length, parserInput);
    }
  }

  /**
   * Ends a value that must stand alone (an SSE event's data): if it is unfinished or was malformed,
   * it is dropped and the parser starts afresh for the next one.
   */
  void endValue() {
    if (!broken && depth == 0 && !elider.inString()) {
      feedParser(NEWLINE, 0, 1); // ends a bare scalar, so it cannot run into the next value
    }
    if (broken || depth != 0 || elider.inString()) {
      newParser();
    }
  }

  /**
   * Cuts the current value short (an SSE event at {@code stats.max_event_bytes}): the fields of its
   * open document that were complete count, as if the document had closed there; everything after,
   * up to {@link #endValue()}, is ignored. A value is complete once the parser has read its end: a
   * string's closing quote, the byte after a number. A value that was already malformed contributes
   * nothing.
   */
  void cut() {
    if (!broken && docDepth > 0) {
      result.applyDocument(doc);
      docDepth = 0;
    }
    broken = true;
  }

  /** Ends the input: a root value still open is incomplete and contributes nothing. */
  void endOfInput() {
    if (!broken) {
      feeder.endOfInput();
      drain();
    }
    close();
  }

  /** Releases the parser's buffers. */
  void close() {
    try {
      parser.close();
    } catch (IOException e) {
      // nothing held that matters
    }
    broken = true;
  }

  /** Whether the text was a stream of documents rather than one. */
  boolean sawStream() {
    return sawArrayRoot || documents > 1;
  }

  int longestStringKept() {
    return elider.longestKept();
  }

  private void newParser() {
    if (parser != null) {
      close();
    }
    try {
      parser = FACTORY.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException("Jackson cannot create a non-blocking parser", e);
    }
    feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    broken = false;
    depth = 0;
    docDepth = 0;
    rootIsArray = false;
    doc.clear();
    elider.reset();
  }

  private void feedParser(byte[] bytes, int offset, int length) {
    if (broken) {
      return;
    }
    try {
      feeder.feedInput(bytes, offset, offset + length);
    } catch (IOException e) {
      broken = true;
      return;
    }
    drain();
  }

  private void drain() {
    try {
      JsonToken token;
      while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
        onToken(token);
      }
    } catch (IOException | RuntimeException e) {
      // malformed, over Jackson's limits, or a number we cannot read: this value is lost
      broken = true;
    }
  }

  private void onToken(JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        depth++;
        if (depth == 1 || (depth == 2 && rootIsArray)) {
          docDepth = depth;
          doc.clear();
        }
        break;
      case START_ARRAY:
        depth++;
        if (depth == 1) {
          rootIsArray = true;
          sawArrayRoot = true;
        }
        break;
      case END_OBJECT:
        if (depth == docDepth) {
          result.applyDocument(doc);
          docDepth = 0;
          documents++;
        }
        depth--;
        break;
      case END_ARRAY:
        depth--;
        if (depth == 0) {
          rootIsArray = false;
        }
        break;
      case VALUE_NUMBER_INT:
        if (docDepth > 0) {
          onNumber();
        }
        break;
      case VALUE_STRING:
        if (docDepth > 0) {
          onString();
        }
        break;
      default:
        break;
    }
  }

  private void onNumber() throws IOException {
    int field = field();
    if (field == 0 || field >= MODEL) {
      return;
    }
    long value = parser.getLongValue();
    switch (field) {
      case INPUT -> doc.input = value;
      case OUTPUT -> doc.output = value;
      case CACHE_READ -> doc.cacheRead = value;
      case ANTHROPIC_CACHE_READ -> {
        doc.cacheRead = value;
        doc.shape = Format.ANTHROPIC;
      }
      case CACHE_WRITE -> {
        doc.cacheWrite = value;
        doc.shape = Format.ANTHROPIC;
      }
      default -> doc.reasoning = value;
    }
    if (doc.shape == null || field == INPUT || field == OUTPUT) {
      Format shape = shapeOf();
      if (shape != null && doc.shape != Format.ANTHROPIC) {
        doc.shape = shape;
      }
    }
  }

  /**
   * The format whose shape the current usage value's name betrays, or null when the name is shared
   * ({@code usage.input_tokens}, {@code usage.output_tokens}: both the Responses API and
   * Anthropic's). Anthropic's cache fields are recognised in {@link #onNumber()} itself.
   */
  private Format shapeOf() {
    String name = parser.getParsingContext().getCurrentName();
    if (name == null) {
      return null;
    }
    return switch (name) {
      case "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens" ->
          Format.OPENAI;
      case "promptTokenCount",
          "candidatesTokenCount",
          "cachedContentTokenCount",
          "thoughtsTokenCount" ->
          Format.GOOGLE;
      default -> null;
    };
  }

  private void onString() throws IOException {
    int field = field();
    if (field < MODEL) {
      return;
    }
    String value = parser.getText();
    switch (field) {
      case MODEL -> doc.model = value;
      case ERROR_TYPE -> doc.errorType = value;
      case ERROR_STATUS -> doc.errorStatus = value;
      case ERROR_CODE -> doc.errorCode = value;
      case DOC_TYPE -> doc.docType = value;
      default -> doc.docCode = value;
    }
  }

  /**
   * Which usage field the current value is, from its path inside the document; 0 for none.
   *
   * <p>Paths are read through an optional wrapper, {@code response} (Responses API stream events)
   * or {@code message} (Anthropic {@code message_start}): {@code model}, {@code usage.*} and {@code
   * error.*} count there too.
   */
  private int field() {
    JsonStreamContext context = parser.getParsingContext();
    if (!context.inObject()) {
      return 0;
    }
    int levels = depth - docDepth; // objects between the document and the value's object
    if (levels > 3) {
      return 0;
    }
    for (int i = levels; i >= 0; i--) {
      if (context == null || !context.inObject()) {
        return 0;
      }
      path[i] = context.getCurrentName();
      context = context.getParent();
    }
    int start = 0;
    if (levels > 0 && ("response".equals(path[0]) || "message".equals(path[0]))) {
      start = 1;
    }
    return match(start, levels, start == 0);
  }

  private int match(int from, int last, boolean topLevel) {
    String leaf = path[last];
    switch (last - from) {
      case 0:
        return switch (leaf) {
          case "model" -> MODEL;
          case "modelVersion", "type", "code", "input_tokens", "totalTokens" ->
              topLevel ? topLevelField(leaf) : 0;
          default -> 0;
        };
      case 1:
        return switch (path[from]) {
          case "usage" -> usageField(leaf);
          case "error" -> errorField(leaf);
          case "usageMetadata" -> topLevel ? geminiUsageField(leaf) : 0;
          default -> 0;
        };
      case 2:
        if (!"usage".equals(path[from])) {
          return 0;
        }
        return switch (path[from + 1]) {
          case "prompt_tokens_details", "input_tokens_details" ->
              "cached_tokens".equals(leaf) ? CACHE_READ : 0;
          case "completion_tokens_details", "output_tokens_details" ->
              "reasoning_tokens".equals(leaf) ? REASONING : 0;
          default -> 0;
        };
      default:
        return 0;
    }
  }

  private static int topLevelField(String leaf) {
    return switch (leaf) {
      case "modelVersion" -> MODEL;
      case "type" -> DOC_TYPE;
      case "code" -> DOC_CODE;
      default -> INPUT; // count_tokens: input_tokens, Gemini countTokens: totalTokens
    };
  }

  private static int usageField(String leaf) {
    return switch (leaf) {
      case "prompt_tokens", "input_tokens" -> INPUT;
      case "completion_tokens", "output_tokens" -> OUTPUT;
      case "cache_read_input_tokens" -> ANTHROPIC_CACHE_READ;
      case "cache_creation_input_tokens" -> CACHE_WRITE;
      default -> 0;
    };
  }

  private static int errorField(String leaf) {
    return switch (leaf) {
      case "type" -> ERROR_TYPE;
      case "status" -> ERROR_STATUS;
      case "code" -> ERROR_CODE;
      default -> 0;
    };
  }

  private static int geminiUsageField(String leaf) {
    return switch (leaf) {
      case "promptTokenCount" -> INPUT;
      case "candidatesTokenCount" -> OUTPUT;
      case "cachedContentTokenCount" -> CACHE_READ;
      case "thoughtsTokenCount" -> REASONING;
      default -> 0;
    };
  }
}
