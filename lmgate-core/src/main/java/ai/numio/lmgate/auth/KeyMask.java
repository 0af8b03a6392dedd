package ai.numio.lmgate.auth;

/** Shortened forms of an API key, for usage records and for logs; neither is ever the full key. */
public final class KeyMask {

  private static final int RECORD_TAIL = 6;
  private static final int LOG_TAIL = 6;
  private static final int LOG_SHORT_KEY = 12;
  private static final String ELLIPSIS = "…";

  private KeyMask() {}

  /**
   * The {@code masked_key} of a usage record (SPEC §5): the last 6 characters, or the whole key if
   * it is shorter than that.
   */
  public static String forRecord(String key) {
    int length = key.codePointCount(0, key.length());
    return length <= RECORD_TAIL ? key : tail(key, RECORD_TAIL);
  }

  /**
   * A form safe for logs and error messages: {@code …} followed by the last 6 characters when the
   * key is longer than 12 characters, else by its last third (so even a short key is never shown in
   * full). Control characters are shown as {@code ?} so a key cannot forge log lines.
   */
  public static String forLog(String key) {
    int length = key.codePointCount(0, key.length());
    int keep = length > LOG_SHORT_KEY ? LOG_TAIL : length / 3;
    return ELLIPSIS + withoutControlCharacters(tail(key, keep));
  }

  /** The last {@code count} code points of {@code key}, which has at least that many. */
  private static String tail(String key, int count) {
    return key.substring(key.offsetByCodePoints(key.length(), -count));
  }

  private static String withoutControlCharacters(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        StringBuilder safe = new StringBuilder(text.length());
        for (int j = 0; j < text.length(); j++) {
          char c = text.charAt(j);
          safe.append(Character.isISOControl(c) ? '?' : c);
        }
        return safe.toString();
      }
    }
    return text;
  }
}
