package ai.numio.lmgate.auth;

/** The hashed form of a key for the allow-list's {@code api_key} column. */
public final class Sha256 {

  /** Marks a hashed {@code api_key} value: {@code sha256:} followed by 64 hex digits. */
  public static final String PREFIX = "sha256:";

  private Sha256() {}

  /**
   * {@code sha256:<64 lower-case hex digits>} of the key's UTF-8 bytes, as {@code lmgate hash-key}
   * prints it. The key is hashed exactly as given: strip the line terminator before calling.
   */
  public static String allowListForm(String key) {
    return PREFIX + KeyDigest.of(key).toHex();
  }
}
