package ai.numio.lmgate.standalone;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The arithmetic of {@code lmgate report}: totals of usage records (SPEC §5, SPEC-2 §13) per group
 * of the chosen {@link ReportDimension dimensions} (by default owner, provider and model), with
 * subtotals per value of the first dimension when there are several, and a grand total. Fed one
 * line at a time, it keeps only the totals, so its memory grows with the number of distinct groups,
 * never with the number of records.
 *
 * <p>A line is a record when it is a JSON object whose fields the report reads have their SPEC §5
 * types: {@code timestamp} an ISO-8601 instant string; {@code owner}, {@code provider}, {@code
 * model}, {@code lmgate_id} and {@code error_type} strings; the token counts non-negative integers;
 * {@code cost_usd} a non-negative number. Any of them may be null or absent (a null token count
 * adds nothing; a record without {@code cost_usd}, from an older file or an unpriced model, is
 * counted as unpriced, never as free). Every other line is malformed and counted, except a blank
 * one, which is skipped. Records outside the {@code --since}/{@code --until} period, and records
 * without a timestamp when a period is given, are counted as outside and left out. Not thread-safe.
 */
final class UsageReport {

  /** What became of one line. */
  enum LineResult {
    RECORD,
    OUTSIDE_PERIOD,
    BLANK,
    MALFORMED
  }

  /**
   * Totals of a group of records; token counts a record did not report add nothing.
   *
   * @param costUsd the sum of the priced records' {@code cost_usd}, exact in decimal; null when no
   *     record of the group was priced
   * @param unpricedRecords records without a {@code cost_usd}
   */
  record Counts(
      long requests,
      long errors,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      long reasoningTokens,
      BigDecimal costUsd,
      long unpricedRecords) {}

  /**
   * Totals of one group.
   *
   * @param keys the group's value of each dimension, in {@link Summary#by()} order; null when the
   *     records had none
   */
  record Row(List<String> keys, Counts counts) {}

  /**
   * Everything the report shows.
   *
   * @param by the dimensions, in the order given
   * @param rows per group, sorted by the dimensions in order, nulls first
   * @param subtotals per value of the first dimension (one key each), sorted, nulls first; empty
   *     when there is one dimension
   * @param total all records in the period
   * @param records lines that were records in the period
   * @param outsidePeriod records left out by {@code --since} / {@code --until}
   * @param malformedLines lines that were neither records nor blank
   * @param firstTimestamp the earliest timestamp of a record in the period, or null
   * @param lastTimestamp the latest timestamp of a record in the period, or null
   */
  record Summary(
      List<ReportDimension> by,
      List<Row> rows,
      List<Row> subtotals,
      Counts total,
      long records,
      long outsidePeriod,
      long malformedLines,
      Instant firstTimestamp,
      Instant lastTimestamp) {}

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final Comparator<String> NULLS_FIRST =
      Comparator.nullsFirst(Comparator.naturalOrder());

  private static final Comparator<List<String>> KEY_ORDER =
      (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
          int c = NULLS_FIRST.compare(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return 0;
      };

  private final List<ReportDimension> by;
  private final Instant since;
  private final Instant until;
  private final Map<List<String>, Tally> groups = new HashMap<>();
  private final Tally total = new Tally();
  private long records;
  private long outsidePeriod;
  private long malformedLines;
  private Instant firstTimestamp;
  private Instant lastTimestamp;

  /** A report per owner, provider and model, of every record. */
  UsageReport() {
    this(ReportDimension.DEFAULT, null, null);
  }

  /**
   * A report grouped by {@code by}, of the records whose timestamp is at or after {@code since} and
   * before {@code until} (each null for no bound).
   */
  UsageReport(List<ReportDimension> by, Instant since, Instant until) {
    if (by.isEmpty()) {
      throw new IllegalArgumentException("at least one dimension");
    }
    this.by = List.copyOf(by);
    this.since = since;
    this.until = until;
  }

  /**
   * Adds one line of a stats file, given without its line terminator (a trailing {@code \r} is
   * tolerated as whitespace).
   */
  LineResult addLine(byte[] bytes, int offset, int length) {
    if (isBlank(bytes, offset, length)) {
      return LineResult.BLANK;
    }
    Entry entry;
    try {
      entry = Entry.of(JSON.readTree(bytes, offset, length));
    } catch (IOException | InvalidRecord e) {
      entry = null;
    }
    if (entry == null || !total.canAdd(entry)) {
      malformedLines++;
      return LineResult.MALFORMED;
    }
    if (!inPeriod(entry.timestamp)) {
      outsidePeriod++;
      return LineResult.OUTSIDE_PERIOD;
    }
    groups.computeIfAbsent(key(entry), k -> new Tally()).add(entry);
    total.add(entry);
    records++;
    if (entry.timestamp != null) {
      if (firstTimestamp == null || entry.timestamp.isBefore(firstTimestamp)) {
        firstTimestamp = entry.timestamp;
      }
      if (lastTimestamp == null || entry.timestamp.isAfter(lastTimestamp)) {
        lastTimestamp = entry.timestamp;
      }
    }
    return LineResult.RECORD;
  }

  private boolean inPeriod(Instant timestamp) {
    if (since == null && until == null) {
      return true;
    }
    if (timestamp == null) {
      return false;
    }
    return (since == null || !timestamp.isBefore(since))
        && (until == null || timestamp.isBefore(until));
  }

  private List<String> key(Entry e) {
    String[] key = new String[by.size()];
    for (int i = 0; i < key.length; i++) {
      key[i] =
          switch (by.get(i)) {
            case OWNER -> e.owner;
            case MODEL -> e.model;
            case PROVIDER -> e.provider;
            case KEY -> e.lmgateId;
            case DAY ->
                e.timestamp == null
                    ? null
                    : e.timestamp.atOffset(ZoneOffset.UTC).toLocalDate().toString();
          };
    }
    return Arrays.asList(key); // fixed size, nulls allowed
  }

  /** Counts a line that could not even be read as one (longer than the reader's limit). */
  void addMalformedLine() {
    malformedLines++;
  }

  /** The totals so far. */
  Summary summary() {
    List<List<String>> keys = new ArrayList<>(groups.keySet());
    keys.sort(KEY_ORDER);
    List<Row> rows = new ArrayList<>(keys.size());
    Map<String, Tally> firsts = new TreeMap<>(NULLS_FIRST);
    for (List<String> key : keys) {
      Tally tally = groups.get(key);
      rows.add(new Row(key, tally.counts()));
      firsts.computeIfAbsent(key.get(0), o -> new Tally()).add(tally);
    }
    List<Row> subtotals = new ArrayList<>();
    if (by.size() > 1) {
      firsts.forEach(
          (first, tally) -> subtotals.add(new Row(Arrays.asList(first), tally.counts())));
    }
    return new Summary(
        by,
        List.copyOf(rows),
        List.copyOf(subtotals),
        total.counts(),
        records,
        outsidePeriod,
        malformedLines,
        firstTimestamp,
        lastTimestamp);
  }

  private static boolean isBlank(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** A field of the wrong type: the line is not a record. */
  private static final class InvalidRecord extends Exception {
    private static final long serialVersionUID = 1L;
    static final InvalidRecord INSTANCE = new InvalidRecord();

    private InvalidRecord() {
      super("not a usage record", null, false, false);
    }
  }

  /** The fields of one record that the report reads. */
  private static final class Entry {
    Instant timestamp;
    String owner;
    String provider;
    String model;
    String lmgateId;
    boolean error;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    BigDecimal cost;

    static Entry of(JsonNode node) throws InvalidRecord {
      if (node == null || !node.isObject()) {
        throw InvalidRecord.INSTANCE;
      }
      Entry e = new Entry();
      String timestamp = text(node, "timestamp");
      if (timestamp != null) {
        try {
          e.timestamp = Instant.parse(timestamp);
        } catch (DateTimeParseException bad) {
          throw InvalidRecord.INSTANCE;
        }
      }
      e.owner = text(node, "owner");
      e.provider = text(node, "provider");
      e.model = text(node, "model");
      e.lmgateId = text(node, "lmgate_id");
      e.error = text(node, "error_type") != null;
      e.inputTokens = count(node, "input_tokens");
      e.outputTokens = count(node, "output_tokens");
      e.cacheReadTokens = count(node, "cache_read_tokens");
      e.cacheWriteTokens = count(node, "cache_write_tokens");
      e.reasoningTokens = count(node, "reasoning_tokens");
      e.cost = cost(node);
      return e;
    }

    private static String text(JsonNode record, String field) throws InvalidRecord {
      JsonNode value = record.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isTextual()) {
        throw InvalidRecord.INSTANCE;
      }
      return value.textValue();
    }

    private static long count(JsonNode record, String field) throws InvalidRecord {
      JsonNode value = record.get(field);
      if (value == null || value.isNull()) {
        return 0;
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
        throw InvalidRecord.INSTANCE;
      }
      return value.longValue();
    }

    /** The cost as written (its decimal digits, not a double's), or null when unknown. */
    private static BigDecimal cost(JsonNode record) throws InvalidRecord {
      JsonNode value = record.get("cost_usd");
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isNumber()) {
        throw InvalidRecord.INSTANCE;
      }
      BigDecimal cost =
          value.isBigDecimal() ? value.decimalValue() : new BigDecimal(value.asText());
      if (cost.signum() < 0) {
        throw InvalidRecord.INSTANCE;
      }
      return cost;
    }
  }

  /** Running totals of a group. */
  private static final class Tally {
    long requests;
    long errors;
    long inputTokens;
    long outputTokens;
    long cacheReadTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    BigDecimal cost;
    long unpriced;

    /**
     * False if adding the entry would overflow a total. Every group's totals are at most the grand
     * total's (all values are non-negative), so checking the grand total guards them all.
     */
    boolean canAdd(Entry e) {
      return inputTokens <= Long.MAX_VALUE - e.inputTokens
          && outputTokens <= Long.MAX_VALUE - e.outputTokens
          && cacheReadTokens <= Long.MAX_VALUE - e.cacheReadTokens
          && cacheWriteTokens <= Long.MAX_VALUE - e.cacheWriteTokens
          && reasoningTokens <= Long.MAX_VALUE - e.reasoningTokens;
    }

    void add(Entry e) {
      requests++;
      if (e.error) {
        errors++;
      }
      inputTokens += e.inputTokens;
      outputTokens += e.outputTokens;
      cacheReadTokens += e.cacheReadTokens;
      cacheWriteTokens += e.cacheWriteTokens;
      reasoningTokens += e.reasoningTokens;
      if (e.cost == null) {
        unpriced++;
      } else {
        cost = cost == null ? e.cost : cost.add(e.cost);
      }
    }

    void add(Tally t) {
      requests += t.requests;
      errors += t.errors;
      inputTokens += t.inputTokens;
      outputTokens += t.outputTokens;
      cacheReadTokens += t.cacheReadTokens;
      cacheWriteTokens += t.cacheWriteTokens;
      reasoningTokens += t.reasoningTokens;
      unpriced += t.unpriced;
      if (t.cost != null) {
        cost = cost == null ? t.cost : cost.add(t.cost);
      }
    }

    Counts counts() {
      return new Counts(
          requests,
          errors,
          inputTokens,
          outputTokens,
          cacheReadTokens,
          cacheWriteTokens,
          reasoningTokens,
          cost,
          unpriced);
    }
  }
}
