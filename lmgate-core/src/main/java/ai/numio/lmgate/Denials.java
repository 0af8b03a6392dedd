package ai.numio.lmgate;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests refused at admission, by reason: a key refused 403 (no key, unknown key …) or a policy
 * refusal (its {@code error}, which is also its record's {@code error_type}). The reasons are a
 * fixed set, so the counts never grow; each count is one {@link LongAdder}.
 */
final class Denials {

  static final String NO_KEY = "no_key";
  static final String CONFLICTING_KEYS = "conflicting_keys";
  static final String MALFORMED_KEY = "malformed_key";
  static final String UNCHECKED_CREDENTIAL = "unchecked_credential";
  static final String QUERY_KEY_MISMATCH = "query_key_mismatch";
  static final String UNKNOWN_KEY = "unknown_key";
  static final String INTERNAL_ERROR = "internal_error";

  private final Map<String, LongAdder> counts;

  Denials() {
    Map<String, LongAdder> all = new TreeMap<>();
    for (String reason :
        new String[] {
          NO_KEY,
          CONFLICTING_KEYS,
          MALFORMED_KEY,
          UNCHECKED_CREDENTIAL,
          QUERY_KEY_MISMATCH,
          UNKNOWN_KEY,
          INTERNAL_ERROR,
          PolicyRefusals.KEY_EXPIRED,
          PolicyRefusals.MODEL_NOT_ALLOWED,
          PolicyRefusals.BAD_REQUEST,
          PolicyRefusals.RATE_LIMITED,
          PolicyRefusals.BUDGET_EXCEEDED,
          PolicyRefusals.STORE_UNAVAILABLE,
          Failure.MALFORMED_REQUEST_BODY.errorType()
        }) {
      all.put(reason, new LongAdder());
    }
    counts = Map.copyOf(all);
  }

  /** One more refusal; a reason outside the set counts as {@code internal_error}. */
  void count(String reason) {
    LongAdder count = counts.get(reason);
    (count != null ? count : counts.get(INTERNAL_ERROR)).increment();
  }

  /** Every reason with its count so far, zeros included, by name. */
  Map<String, Long> snapshot() {
    Map<String, Long> snapshot = new TreeMap<>();
    counts.forEach((reason, count) -> snapshot.put(reason, count.sum()));
    return snapshot;
  }
}
