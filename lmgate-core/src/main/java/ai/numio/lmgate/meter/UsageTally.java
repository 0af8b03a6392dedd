package ai.numio.lmgate.meter;

import ai.numio.lmgate.route.Format;

/**
 * Usage values of one JSON document (an SSE event's data, a streamed array element, or a whole
 * body), and the running result they are applied to. Longs use {@link #UNSET} to avoid boxing on
 * the hot path.
 */
final class UsageTally {

  static final long UNSET = Long.MIN_VALUE;

  long input = UNSET;
  long output = UNSET;
  long cacheRead = UNSET;
  long cacheWrite = UNSET;
  long reasoning = UNSET;
  String model;
  String errorType;
  String errorStatus;
  String errorCode;
  String docType;
  String docCode;

  /** The format whose usage shape the body showed, or null when nothing told the formats apart. */
  Format shape;

  void clear() {
    input = UNSET;
    output = UNSET;
    cacheRead = UNSET;
    cacheWrite = UNSET;
    reasoning = UNSET;
    model = null;
    errorType = null;
    errorStatus = null;
    errorCode = null;
    docType = null;
    docCode = null;
    shape = null;
  }

  /**
   * Applies a finished document's values over this running result: a value reported later wins
   * (streams report cumulative counts, never increments).
   */
  void applyDocument(UsageTally doc) {
    if (doc.input != UNSET) {
      input = doc.input;
    }
    if (doc.output != UNSET) {
      output = doc.output;
    }
    if (doc.cacheRead != UNSET) {
      cacheRead = doc.cacheRead;
    }
    if (doc.cacheWrite != UNSET) {
      cacheWrite = doc.cacheWrite;
    }
    if (doc.reasoning != UNSET) {
      reasoning = doc.reasoning;
    }
    if (doc.model != null) {
      model = doc.model;
    }
    if (doc.shape != null) {
      shape = doc.shape;
    }
    String error = doc.providerError();
    if (error != null) {
      errorType = error;
    }
  }

  /**
   * The error a document reports: OpenAI and Anthropic {@code error.type}, Google {@code
   * error.status}, else OpenAI {@code error.code}; a Responses API {@code error} event's {@code
   * code}; {@code upstream_error} for an error event naming no type.
   */
  private String providerError() {
    if (errorType != null) {
      return errorType;
    }
    if (errorStatus != null) {
      return errorStatus;
    }
    if (errorCode != null) {
      return errorCode;
    }
    if ("error".equals(docType)) {
      return docCode != null ? docCode : UsageMeter.UPSTREAM_ERROR;
    }
    return null;
  }

  static Long boxed(long value) {
    return value == UNSET ? null : value;
  }
}
