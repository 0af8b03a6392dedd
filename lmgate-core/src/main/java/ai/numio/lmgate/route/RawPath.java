package ai.numio.lmgate.route;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Checks and normalizes request paths exactly as the client sent them (still percent-encoded).
 *
 * <p>A path is accepted only if it cannot mean different things to LMGate and to the upstream (or
 * to a servlet container in front of LMGate), so that no request can leave its route:
 *
 * <ul>
 *   <li>it starts with {@code /} and has no empty segment ({@code //}); a trailing {@code /} is
 *       fine;
 *   <li>no segment is {@code .} or {@code ..}, with any dot literal or percent-encoded in any case
 *       ({@code %2e}, {@code .%2E}), nor such a segment followed by path parameters ({@code ..;x},
 *       which Tomcat-style containers read as {@code ..});
 *   <li>no encoded slash ({@code %2F}) or backslash ({@code %5C}), no literal backslash;
 *   <li>every {@code %} is followed by two hex digits; no encoded control character ({@code %00} to
 *       {@code %1F}, {@code %7F}); no {@code %C0}/{@code %C1}, which only ever start overlong UTF-8
 *       (the classic {@code %c0%ae} dot);
 *   <li>every other character is an RFC 3986 path character (unreserved, sub-delims, {@code :},
 *       {@code @}); so no space, control character, non-ASCII character, {@code ?} or {@code #}.
 * </ul>
 *
 * <p>{@code %25} is a literal percent and is allowed, so {@code %252e} is fine: upstreams decode a
 * path once, which yields the three characters {@code %2e}, a harmless segment name. Segments made
 * of three or more dots, or dots among other characters ({@code a.b.c}), are ordinary names.
 *
 * <p>Rejection messages name the rule and the offset, never echoing the path itself.
 */
final class RawPath {

  /** RFC 3986 {@code pchar} minus {@code %}, plus {@code /}: characters allowed as they are. */
  private static final boolean[] PLAIN = new boolean[128];

  /** RFC 3986 unreserved characters: percent-encoding them changes nothing. */
  private static final boolean[] UNRESERVED = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      UNRESERVED[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      UNRESERVED[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      UNRESERVED[c] = true;
    }
    for (char c : "-._~".toCharArray()) {
      UNRESERVED[c] = true;
    }
    System.arraycopy(UNRESERVED, 0, PLAIN, 0, 128);
    for (char c : "!$&'()*+,;=:@/".toCharArray()) {
      PLAIN[c] = true;
    }
  }

  private RawPath() {}

  /**
   * Returns why {@code path} must be rejected, or {@code null} if it is acceptable.
   *
   * @param path the raw path, without query
   */
  static String problem(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return "path must start with '/'";
    }
    int segmentStart = 1;
    int dots = 0; // dots (literal or %2e) at the start of the current segment
    boolean onlyDots = true; // the current segment so far is nothing but dots
    int i = 1;
    while (i < n) {
      char c = path.charAt(i);
      if (c == '/') {
        if (i == segmentStart) {
          return "path has an empty segment ('//') at offset " + (i - 1);
        }
        if (onlyDots && dots <= 2) { // dots >= 1 here: the segment is not empty
          return dotSegment(segmentStart);
        }
        i++;
        segmentStart = i;
        dots = 0;
        onlyDots = true;
        continue;
      }
      int decoded;
      int width;
      if (c == '%') {
        decoded = i + 2 < n ? hexByte(path.charAt(i + 1), path.charAt(i + 2)) : -1;
        if (decoded < 0) {
          return "path has a '%' at offset " + i + " that is not followed by two hex digits";
        }
        String bad = encodedProblem(decoded);
        if (bad != null) {
          return "path has " + bad + " at offset " + i;
        }
        width = 3;
      } else if (c < 128 && PLAIN[c]) {
        decoded = c;
        width = 1;
      } else {
        return "path has " + describe(c) + " at offset " + i;
      }
      if (onlyDots) {
        if (decoded == '.') {
          dots++;
        } else {
          if (decoded == ';' && dots >= 1 && dots <= 2) {
            return dotSegment(segmentStart);
          }
          onlyDots = false;
        }
      }
      i += width;
    }
    if (onlyDots && dots >= 1 && dots <= 2) {
      return dotSegment(segmentStart);
    }
    return null;
  }

  /**
   * Returns {@code path} up to and including its {@code slashes}-th {@code /} (or all of it), with
   * percent-encoded unreserved characters decoded and other escapes in upper case: the form in
   * which prefixes are compared. The path must have passed {@link #problem}.
   */
  static String normalizedHead(String path, int slashes) {
    StringBuilder out = new StringBuilder(path.length());
    int seen = 0;
    int n = path.length();
    for (int i = 0; i < n && seen < slashes; i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < n) {
        int b = hexByte(path.charAt(i + 1), path.charAt(i + 2));
        if (b >= 0 && b < 128 && UNRESERVED[b]) {
          out.append((char) b);
        } else {
          out.append('%').append(path.substring(i + 1, i + 3).toUpperCase(Locale.ROOT));
        }
        i += 2;
        continue;
      }
      if (c == '/') {
        seen++;
      }
      out.append(c);
    }
    return out.toString();
  }

  /** Index just past the {@code slashes}-th {@code /} of {@code path}, or -1 if it has fewer. */
  static int afterSlash(String path, int slashes) {
    int seen = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/' && ++seen == slashes) {
        return i + 1;
      }
    }
    return -1;
  }

  /** Number of {@code /} in {@code s}. */
  static int slashes(String s) {
    int count = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '/') {
        count++;
      }
    }
    return count;
  }

  private static String dotSegment(int offset) {
    return "path has a '.' or '..' segment (literal or percent-encoded) at offset " + offset;
  }

  private static String encodedProblem(int b) {
    if (b == '/') {
      return "an encoded slash (%2F)";
    }
    if (b == '\\') {
      return "an encoded backslash (%5C)";
    }
    if (b < 0x20 || b == 0x7f) {
      return "an encoded control character";
    }
    if (b == 0xc0 || b == 0xc1) {
      return "an overlong UTF-8 escape (%C0/%C1)";
    }
    return null;
  }

  private static String describe(char c) {
    if (c == '\\') {
      return "a backslash";
    }
    if (c == ' ') {
      return "a space";
    }
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
      return "a control character";
    }
    if (c >= 128) {
      return "a non-ASCII character (percent-encode it as UTF-8)";
    }
    return String.format(
        Locale.ROOT,
        "character U+%04X, which is not allowed in a URL path (percent-encode it)",
        (int) c);
  }

  /** The byte {@code %hi lo} stands for, or -1; ASCII hex digits only (not Unicode digits). */
  private static int hexByte(char hi, char lo) {
    int h = hexDigit(hi);
    int l = hexDigit(lo);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }

  private static int hexDigit(char c) {
    return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
  }
}
