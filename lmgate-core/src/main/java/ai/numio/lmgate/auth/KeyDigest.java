package ai.numio.lmgate.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of a key as four longs: cheap {@code equals}/{@code hashCode} for the hashed
 * rows' lookup map, with no hex strings on the request path.
 */
final class KeyDigest {

  /** Hex digits of a SHA-256 digest. */
  static final int HEX_LENGTH = 64;

  private final long w0;
  private final long w1;
  private final long w2;
  private final long w3;

  private KeyDigest(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  /** Cloned for each use: cheaper than looking the algorithm up through the providers again. */
  private static final MessageDigest PROTOTYPE = newSha256();

  /** The digest of the key's UTF-8 bytes. */
  static KeyDigest of(String key) {
    return of(key, copyOfPrototype());
  }

  /** The digest of the key's UTF-8 bytes, computed with {@code sha256} (which is reset first). */
  static KeyDigest of(String key, MessageDigest sha256) {
    sha256.reset();
    return fromBytes(sha256.digest(key.getBytes(UTF_8)));
  }

  /**
   * The digest written as exactly 64 hex digits (ASCII, either case), or {@code null} if {@code
   * hex} is anything else.
   */
  static KeyDigest parseHex(String hex) {
    if (hex.length() != HEX_LENGTH) {
      return null;
    }
    long[] words = new long[4];
    for (int w = 0; w < 4; w++) {
      long value = 0;
      for (int i = w * 16; i < w * 16 + 16; i++) {
        int digit = hexDigit(hex.charAt(i));
        if (digit < 0) {
          return null;
        }
        value = (value << 4) | digit;
      }
      words[w] = value;
    }
    return new KeyDigest(words[0], words[1], words[2], words[3]);
  }

  /** The 64 lower-case hex digits. */
  String toHex() {
    HexFormat hex = HexFormat.of();
    return hex.toHexDigits(w0) + hex.toHexDigits(w1) + hex.toHexDigits(w2) + hex.toHexDigits(w3);
  }

  private static MessageDigest copyOfPrototype() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  private static KeyDigest fromBytes(byte[] digest) {
    ByteBuffer bytes = ByteBuffer.wrap(digest);
    return new KeyDigest(bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong());
  }

  /** The value of an ASCII hex digit, or -1 (Unicode digits are not hex digits here). */
  private static int hexDigit(char c) {
    return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyDigest that
        && w0 == that.w0
        && w1 == that.w1
        && w2 == that.w2
        && w3 == that.w3;
  }

  @Override
  public int hashCode() {
    // The words of a SHA-256 digest are uniformly distributed: one of them is a perfect hash.
    return Long.hashCode(w0);
  }

  @Override
  public String toString() {
    return "sha256:" + toHex();
  }
}
