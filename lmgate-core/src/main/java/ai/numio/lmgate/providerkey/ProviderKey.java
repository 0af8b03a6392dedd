package ai.numio.lmgate.providerkey;

import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.text.StrictUtf8;
import java.util.Objects;

/**
 * A provider key's value, as read from its environment variable or file. {@link #toString()} masks
 * it, so that no log line or exception message shows it by accident.
 */
final class ProviderKey {

  private final String value;

  private ProviderKey(String value) {
    this.value = Objects.requireNonNull(value);
  }

  /**
   * The key in {@code text}: surrounding whitespace (a file's trailing newline) is dropped; what is
   * left must be one non-empty token without whitespace or control characters.
   *
   * @throws IllegalArgumentException saying what is wrong, never showing the text
   */
  static ProviderKey of(String text) {
    String key = text.strip();
    if (key.isEmpty()) {
      throw new IllegalArgumentException("is empty; it must hold the provider key");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= 0x20 || c == 0x7F || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "holds whitespace or a control character inside the key (content not shown); it must"
                + " hold the key alone, a trailing newline is fine");
      }
    }
    return new ProviderKey(key);
  }

  /** The key in a file's bytes, which must be UTF-8. */
  static ProviderKey of(byte[] content) {
    try {
      return of(StrictUtf8.decode(content));
    } catch (StrictUtf8.MalformedException e) {
      throw new IllegalArgumentException("is not UTF-8 text (content not shown)");
    }
  }

  String value() {
    return value;
  }

  /** Never the key: its last characters only, as LMGate masks every key. */
  @Override
  public String toString() {
    return "ProviderKey[" + KeyMask.forLog(value) + "]";
  }
}
