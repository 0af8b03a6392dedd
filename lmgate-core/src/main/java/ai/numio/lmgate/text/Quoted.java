package ai.numio.lmgate.text;

/** A value as operator messages show it: in double quotes, escaped, long values shortened. */
public final class Quoted {

  private static final int MAX_LENGTH = 120;

  private Quoted() {}

  /** The value in double quotes, control characters escaped and values over 120 chars cut. */
  public static String of(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_LENGTH) + 8);
    out.append('"');
    int shown = Math.min(value.length(), MAX_LENGTH);
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (shown < value.length()) {
      out.append("...");
    }
    return out.append('"').toString();
  }
}
