package ai.numio.lmgate.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A valid allow-list file as text that {@code lmgate keys} edits: its rows with the lines they
 * span, and new text with a row added or one removed — everything else (comments, blank lines,
 * quoting, column order, line endings) kept as it was. Every edit is validated by {@link
 * AllowListLoader} before it is returned, so an edit never produces a file the gateway would
 * refuse.
 */
public final class AllowListText {

  private static final CsvMapper CSV =
      CsvMapper.builder()
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
          .enable(CsvParser.Feature.ALLOW_COMMENTS)
          .enable(CsvParser.Feature.TRIM_SPACES)
          .build();

  /**
   * One row of the file.
   *
   * @param line the 1-based line it starts on
   * @param lines how many lines it spans (more than one when a quoted value holds line breaks)
   * @param values by lower-case column name
   */
  public record Row(int line, int lines, Map<String, String> values) {
    public String id() {
      return values.getOrDefault("id", "");
    }

    public String apiKey() {
      return values.getOrDefault("api_key", "");
    }

    public String owner() {
      return values.getOrDefault("owner", "");
    }

    public String added() {
      return values.getOrDefault("added", "");
    }

    public String expires() {
      return values.getOrDefault(AllowListLoader.EXPIRES_COLUMN, "");
    }
  }

  private final String text;
  private final String source;
  private final List<String> columns;
  private final Row header;
  private final List<Row> rows;

  private AllowListText(
      String text, String source, List<String> columns, Row header, List<Row> rows) {
    this.text = text;
    this.source = source;
    this.columns = columns;
    this.header = header;
    this.rows = rows;
  }

  /**
   * Reads the text of an allow-list file.
   *
   * @throws AllowListException when the file is not a valid allow-list (every problem listed)
   */
  public static AllowListText parse(String text, String source) throws AllowListException {
    AllowListLoader.parse(text, source);
    String body = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    List<Row> found = new ArrayList<>();
    try (JsonParser parser = CSV.createParser(body)) {
      List<String> fields = new ArrayList<>();
      int line = 0;
      int depth = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.START_ARRAY) {
          depth++;
          fields = new ArrayList<>();
          line = 0;
        } else if (token == JsonToken.VALUE_STRING) {
          if (line == 0) {
            line = parser.currentTokenLocation().getLineNr();
          }
          fields.add(parser.getText());
        } else if (token == JsonToken.END_ARRAY) {
          depth--;
          if (depth == 1 && line > 0 && fields.stream().anyMatch(f -> !f.isBlank())) {
            found.add(
                new Row(line, 1 + lineBreaks(fields), Map.of("", String.join("\u0000", fields))));
          }
          line = 0;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading CSV from a String", e);
    }
    Row headerRow = found.get(0); // a valid file has a header
    List<String> columns = List.of(headerRow.values().get("").split("\u0000", -1));
    List<String> names = columns.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList();
    List<Row> rows = new ArrayList<>();
    for (Row raw : found.subList(1, found.size())) {
      String[] fields = raw.values().get("").split("\u0000", -1);
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        values.putIfAbsent(names.get(i), i < fields.length ? fields[i].strip() : "");
      }
      rows.add(new Row(raw.line(), raw.lines(), Map.copyOf(values)));
    }
    return new AllowListText(text, source, names, headerRow, List.copyOf(rows));
  }

  /** The rows in file order. */
  public List<Row> rows() {
    return rows;
  }

  /** The column names, lower case, in file order. */
  public List<String> columns() {
    return columns;
  }

  /** The file's text. */
  public String text() {
    return text;
  }

  /**
   * The text with a row appended: {@code values} by column name (lower case); a column the header
   * lacks is added to the header (earlier rows leave it empty, which the loader reads as empty).
   *
   * @throws AllowListException when the result would not be a valid allow-list (a duplicate id or
   *     key, say)
   */
  public String withRow(Map<String, String> values) throws AllowListException {
    List<String> header = new ArrayList<>(columns);
    String headerText = headerText();
    for (String name : values.keySet()) {
      if (!header.contains(name)) {
        header.add(name);
        headerText = headerText + "," + name;
      }
    }
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < header.size(); i++) {
      if (i > 0) {
        row.append(',');
      }
      row.append(csvField(values.getOrDefault(header.get(i), "")));
    }
    String newline = text.contains("\r\n") ? "\r\n" : "\n";
    List<String> lines = splitLines(text);
    lines.set(header().line() - 1, headerText + terminator(lines.get(header().line() - 1)));
    StringBuilder out = new StringBuilder();
    lines.forEach(out::append);
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append(newline);
    }
    out.append(row).append(newline);
    String result = out.toString();
    AllowListLoader.parse(result, source);
    return result;
  }

  /** The text without the row of this id, or null when no row has it. */
  public String withoutRow(String id) throws AllowListException {
    for (Row row : rows) {
      if (row.id().equals(id)) {
        List<String> lines = splitLines(text);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
          int line = i + 1;
          if (line < row.line() || line >= row.line() + row.lines()) {
            out.append(lines.get(i));
          }
        }
        String result = out.toString();
        AllowListLoader.parse(result, source);
        return result;
      }
    }
    return null;
  }

  private Row header() {
    return header;
  }

  /** The header's line without its line break (a header is one line: names hold no breaks). */
  private String headerText() {
    String line = splitLines(text).get(header.line() - 1);
    return line.substring(0, line.length() - terminator(line).length());
  }

  private static String terminator(String line) {
    if (line.endsWith("\r\n")) {
      return "\r\n";
    }
    if (line.endsWith("\n") || line.endsWith("\r")) {
      return line.substring(line.length() - 1);
    }
    return "";
  }

  /** The lines of the text, each with its line break (the last one may have none). */
  private static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
        lines.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  private static int lineBreaks(List<String> fields) {
    int count = 0;
    for (String field : fields) {
      for (int i = 0; i < field.length(); i++) {
        char c = field.charAt(i);
        if (c == '\n' || (c == '\r' && (i + 1 == field.length() || field.charAt(i + 1) != '\n'))) {
          count++;
        }
      }
    }
    return count;
  }

  private static String csvField(String value) {
    Objects.requireNonNull(value);
    boolean quote =
        value.indexOf(',') >= 0
            || value.indexOf('"') >= 0
            || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0
            || value.startsWith("#")
            || !value.equals(value.strip());
    return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }
}
