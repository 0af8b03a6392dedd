package ai.numio.lmgate.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link ApiKeys#extract}: the request's key, or why it has none. The failure
 * outcomes are shared constants, so only a found key allocates.
 */
public final class KeyExtraction {

  /** Why the request has, or has no, usable key. */
  public enum Reason {
    /** Exactly one key was presented (possibly in several headers). */
    FOUND,
    /** No credential header carries a key. */
    NO_CREDENTIAL,
    /** The credential headers carry different keys; which one the provider uses is unknown. */
    CONFLICTING_CREDENTIALS,
    /** A credential header holds control characters, or a key has whitespace inside it. */
    MALFORMED,
    /**
     * A credential LMGate cannot check: an {@code Authorization} scheme other than {@code Bearer},
     * or a credential header spelled with underscores; the provider might authenticate with it.
     */
    UNCHECKED_CREDENTIAL
  }

  static final KeyExtraction NO_CREDENTIAL = new KeyExtraction(null, Reason.NO_CREDENTIAL);
  static final KeyExtraction CONFLICTING_CREDENTIALS =
      new KeyExtraction(null, Reason.CONFLICTING_CREDENTIALS);
  static final KeyExtraction MALFORMED = new KeyExtraction(null, Reason.MALFORMED);
  static final KeyExtraction UNCHECKED_CREDENTIAL =
      new KeyExtraction(null, Reason.UNCHECKED_CREDENTIAL);

  private final Optional<String> key;
  private final Reason reason;

  private KeyExtraction(String key, Reason reason) {
    this.key = Optional.ofNullable(key);
    this.reason = reason;
  }

  static KeyExtraction found(String key) {
    return new KeyExtraction(Objects.requireNonNull(key), Reason.FOUND);
  }

  /** The key, present only when {@link #reason()} is {@link Reason#FOUND}. */
  public Optional<String> key() {
    return key;
  }

  /** Why there is or is not a key. */
  public Reason reason() {
    return reason;
  }

  /** Never shows the full key. */
  @Override
  public String toString() {
    return key.map(k -> "KeyExtraction[FOUND " + KeyMask.forLog(k) + "]")
        .orElseGet(() -> "KeyExtraction[" + reason + "]");
  }
}
