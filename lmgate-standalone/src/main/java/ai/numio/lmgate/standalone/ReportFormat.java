package ai.numio.lmgate.standalone;

import ai.numio.lmgate.standalone.UsageReport.Counts;
import ai.numio.lmgate.standalone.UsageReport.Row;
import ai.numio.lmgate.standalone.UsageReport.Summary;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@code lmgate report} prints its result: a text table, CSV rows, or one JSON document. The
 * column names of CSV and JSON are stable: the {@code --by} dimensions, then {@link #COUNT_KEYS}.
 */
enum ReportFormat {
  TABLE("table") {
    @Override
    void print(Result result, PrintStream out, PrintStream err) {
      TextTable.print(result, out);
    }
  },
  CSV("csv") {
    @Override
    void print(Result result, PrintStream out, PrintStream err) {
      out.print(CsvRows.of(result.summary()));
      warnAboutSkippedLines(result, err);
    }
  },
  JSON("json") {
    @Override
    void print(Result result, PrintStream out, PrintStream err) {
      out.print(JsonDocument.of(result));
      out.print('\n');
    }
  };

  /** The count columns of every row, after the dimensions, in CSV and JSON. */
  static final List<String> COUNT_KEYS =
      List.of(
          "requests",
          "errors",
          "input_tokens",
          "output_tokens",
          "cache_read_tokens",
          "cache_write_tokens",
          "reasoning_tokens",
          "cost_usd",
          "unpriced_records");

  /** Where the first malformed line is: a file as the report names it, and a 1-based line. */
  record Location(String file, long line) {}

  /**
   * What one report run found.
   *
   * @param files the files read, in order, as named to the operator
   * @param summary the totals
   * @param firstMalformed the first malformed line, or null if there was none
   */
  record Result(List<String> files, Summary summary, Location firstMalformed) {}

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** Decimal places of a cost in the text table (micro-dollars); CSV and JSON are exact. */
  static final int TABLE_COST_SCALE = 6;

  private final String optionValue;

  ReportFormat(String optionValue) {
    this.optionValue = optionValue;
  }

  /** The value of {@code --format} that selects this format. */
  String optionValue() {
    return optionValue;
  }

  /** The format {@code --format value} names ({@code text} is the table's older name), or null. */
  static ReportFormat forOption(String value) {
    if ("text".equals(value)) {
      return TABLE;
    }
    for (ReportFormat f : values()) {
      if (f.optionValue.equals(value)) {
        return f;
      }
    }
    return null;
  }

  /** Prints the result on {@code out}; CSV tells of skipped lines on {@code err}. */
  abstract void print(Result result, PrintStream out, PrintStream err);

  private static String timestamp(Instant t) {
    return t == null ? null : TIMESTAMP.format(t);
  }

  /** CSV rows carry only the groups: what was skipped goes to standard error. */
  private static void warnAboutSkippedLines(Result result, PrintStream err) {
    Summary s = result.summary();
    if (s.malformedLines() > 0) {
      Location first = result.firstMalformed();
      err.println(
          "lmgate report: "
              + s.malformedLines()
              + " malformed lines skipped"
              + (first == null ? "" : " (first: " + first.file() + " line " + first.line() + ")"));
    }
  }

  /** The exact cost as JSON and CSV write it: a plain decimal, never in exponent form. */
  private static String plain(BigDecimal cost) {
    return cost == null ? null : cost.stripTrailingZeros().toPlainString();
  }

  /** The plain-text table: rows, subtotals, grand total, then the counts. */
  private static final class TextTable {

    private static final String[] COUNT_HEADER = {
      "requests",
      "errors",
      "input tokens",
      "output tokens",
      "cache read tokens",
      "cache write tokens",
      "reasoning tokens",
      "cost usd",
      "unpriced"
    };
    private static final String NONE = "-";
    private static final String TOTAL = "(total)";
    private static final String ALL = "(all)";

    static void print(Result result, PrintStream out) {
      Summary s = result.summary();
      int textColumns = s.by().size();
      StringBuilder text = new StringBuilder();
      if (s.rows().isEmpty()) {
        text.append("No usage records.\n");
      } else {
        String[] header = new String[textColumns + COUNT_HEADER.length];
        for (int i = 0; i < textColumns; i++) {
          header[i] = s.by().get(i).optionValue();
        }
        System.arraycopy(COUNT_HEADER, 0, header, textColumns, COUNT_HEADER.length);
        List<String[]> rows = new ArrayList<>();
        for (Row r : s.rows()) {
          String[] keys = new String[textColumns];
          for (int i = 0; i < textColumns; i++) {
            keys[i] = shown(r.keys().get(i));
          }
          rows.add(cells(keys, r.counts()));
        }
        List<String[]> subtotals = new ArrayList<>();
        for (Row r : s.subtotals()) {
          subtotals.add(cells(totalKeys(shown(r.keys().get(0)), textColumns), r.counts()));
        }
        String[] grand =
            cells(textColumns == 1 ? new String[] {TOTAL} : totalKeys(ALL, textColumns), s.total());
        int[] widths = widths(header, rows, subtotals, grand);
        String[] rule = new String[header.length];
        for (int c = 0; c < rule.length; c++) {
          rule[c] = "-".repeat(widths[c]);
        }
        line(text, header, widths, textColumns);
        rows.forEach(r -> line(text, r, widths, textColumns));
        if (!subtotals.isEmpty()) {
          line(text, rule, widths, textColumns);
          subtotals.forEach(r -> line(text, r, widths, textColumns));
        }
        line(text, rule, widths, textColumns);
        line(text, grand, widths, textColumns);
      }
      text.append('\n');
      text.append("files read:      ").append(result.files().size()).append('\n');
      text.append("records:         ").append(s.records()).append('\n');
      if (s.outsidePeriod() > 0) {
        text.append("outside period:  ").append(s.outsidePeriod()).append('\n');
      }
      text.append("unpriced:        ").append(s.total().unpricedRecords());
      if (s.total().unpricedRecords() > 0) {
        text.append(" (no cost_usd: a model without a price, or a file older than cost_usd)");
      }
      text.append('\n');
      text.append("malformed lines: ").append(s.malformedLines());
      Location first = result.firstMalformed();
      if (first != null) {
        text.append(" (first: ")
            .append(printable(first.file()))
            .append(" line ")
            .append(first.line())
            .append(')');
      }
      text.append('\n');
      text.append("time span:       ");
      if (s.firstTimestamp() == null) {
        text.append(NONE);
      } else {
        text.append(timestamp(s.firstTimestamp()))
            .append(" .. ")
            .append(timestamp(s.lastTimestamp()));
      }
      text.append('\n');
      out.print(text);
    }

    /** {@code first}, then {@code (total)}, then empty cells. */
    private static String[] totalKeys(String first, int columns) {
      String[] keys = new String[columns];
      keys[0] = first;
      keys[1] = TOTAL;
      for (int i = 2; i < columns; i++) {
        keys[i] = "";
      }
      return keys;
    }

    private static String[] cells(String[] keys, Counts c) {
      String[] cells = new String[keys.length + COUNT_HEADER.length];
      System.arraycopy(keys, 0, cells, 0, keys.length);
      int i = keys.length;
      cells[i++] = Long.toString(c.requests());
      cells[i++] = Long.toString(c.errors());
      cells[i++] = Long.toString(c.inputTokens());
      cells[i++] = Long.toString(c.outputTokens());
      cells[i++] = Long.toString(c.cacheReadTokens());
      cells[i++] = Long.toString(c.cacheWriteTokens());
      cells[i++] = Long.toString(c.reasoningTokens());
      cells[i++] =
          c.costUsd() == null
              ? NONE
              : c.costUsd().setScale(TABLE_COST_SCALE, RoundingMode.HALF_EVEN).toPlainString();
      cells[i] = Long.toString(c.unpricedRecords());
      return cells;
    }

    private static int[] widths(
        String[] header, List<String[]> rows, List<String[]> subtotals, String[] grand) {
      int[] widths = new int[header.length];
      List<String[]> all = new ArrayList<>(rows);
      all.addAll(subtotals);
      all.add(grand);
      all.add(header);
      for (String[] cells : all) {
        for (int c = 0; c < cells.length; c++) {
          widths[c] = Math.max(widths[c], cells[c].length());
        }
      }
      return widths;
    }

    /** Text columns left-aligned, numbers right-aligned, two spaces apart; no trailing spaces. */
    private static void line(StringBuilder text, String[] cells, int[] widths, int textColumns) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cells.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(widths[c] - cells[c].length());
        if (c < textColumns) {
          line.append(cells[c]).append(pad);
        } else {
          line.append(pad).append(cells[c]);
        }
      }
      int end = line.length();
      while (end > 0 && line.charAt(end - 1) == ' ') {
        end--;
      }
      text.append(line, 0, end).append('\n');
    }

    private static String shown(String value) {
      return value == null ? NONE : printable(value);
    }
  }

  /**
   * The value with control characters written as {@code \}{@code uXXXX}: a model name comes from a
   * provider's response and must not drive the operator's terminal.
   */
  static String printable(String value) {
    StringBuilder b = null;
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (Character.isISOControl(ch)) {
        if (b == null) {
          b = new StringBuilder(value.length() + 8).append(value, 0, i);
        }
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
      } else if (b != null) {
        b.append(ch);
      }
    }
    return b == null ? value : b.toString();
  }

  /** One header line and one line per group, RFC 4180 quoting; an unknown value is empty. */
  private static final class CsvRows {

    private static final CsvMapper MAPPER = new CsvMapper();

    static String of(Summary s) {
      CsvSchema.Builder schema = CsvSchema.builder();
      s.by().forEach(d -> schema.addColumn(d.optionValue()));
      COUNT_KEYS.forEach(schema::addColumn);
      StringWriter text = new StringWriter();
      try (var writer =
          MAPPER.writer(schema.build().withHeader().withLineSeparator("\n")).writeValues(text)) {
        for (Row r : s.rows()) {
          List<String> cells = new ArrayList<>();
          r.keys().forEach(k -> cells.add(k == null ? "" : k));
          Counts c = r.counts();
          cells.add(Long.toString(c.requests()));
          cells.add(Long.toString(c.errors()));
          cells.add(Long.toString(c.inputTokens()));
          cells.add(Long.toString(c.outputTokens()));
          cells.add(Long.toString(c.cacheReadTokens()));
          cells.add(Long.toString(c.cacheWriteTokens()));
          cells.add(Long.toString(c.reasoningTokens()));
          cells.add(c.costUsd() == null ? "" : plain(c.costUsd()));
          cells.add(Long.toString(c.unpricedRecords()));
          writer.write(cells);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return text.toString();
    }
  }

  /**
   * One JSON document: the files read, the counts, then {@code rows}, {@code subtotals} and {@code
   * total}, every row an object with the same keys (the dimensions, then {@link #COUNT_KEYS});
   * non-ASCII is escaped.
   */
  private static final class JsonDocument {

    private static final ObjectMapper MAPPER =
        JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    static String of(Result result) {
      Summary s = result.summary();
      ObjectNode doc = MAPPER.createObjectNode();
      ArrayNode files = doc.putArray("files");
      result.files().forEach(files::add);
      ArrayNode by = doc.putArray("by");
      s.by().forEach(d -> by.add(d.optionValue()));
      doc.put("records", s.records());
      doc.put("outside_period", s.outsidePeriod());
      doc.put("malformed_lines", s.malformedLines());
      Location first = result.firstMalformed();
      if (first == null) {
        doc.putNull("first_malformed");
      } else {
        doc.putObject("first_malformed").put("file", first.file()).put("line", first.line());
      }
      doc.put("first_timestamp", timestamp(s.firstTimestamp()));
      doc.put("last_timestamp", timestamp(s.lastTimestamp()));
      ArrayNode rows = doc.putArray("rows");
      for (Row r : s.rows()) {
        ObjectNode row = rows.addObject();
        for (int i = 0; i < s.by().size(); i++) {
          row.put(s.by().get(i).optionValue(), r.keys().get(i));
        }
        counts(row, r.counts());
      }
      ArrayNode subtotals = doc.putArray("subtotals");
      for (Row r : s.subtotals()) {
        counts(subtotals.addObject().put(s.by().get(0).optionValue(), r.keys().get(0)), r.counts());
      }
      counts(doc.putObject("total"), s.total());
      try {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static void counts(ObjectNode node, Counts c) {
      node.put("requests", c.requests())
          .put("errors", c.errors())
          .put("input_tokens", c.inputTokens())
          .put("output_tokens", c.outputTokens())
          .put("cache_read_tokens", c.cacheReadTokens())
          .put("cache_write_tokens", c.cacheWriteTokens())
          .put("reasoning_tokens", c.reasoningTokens());
      if (c.costUsd() == null) {
        node.putNull("cost_usd");
      } else {
        node.put("cost_usd", new BigDecimal(plain(c.costUsd())));
      }
      node.put("unpriced_records", c.unpricedRecords());
    }
  }
}
