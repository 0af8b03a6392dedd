package ai.numio.lmgate.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads one line of a stats file back into a {@link UsageRecord}: the counterpart of the writer's
 * {@code UsageRecordJson}, for whatever reads the files back in full (the dashboard's history).
 * Streaming and allocation-light, since a month of files is about a million lines. A line is a
 * record when it is a JSON object whose known fields have their SPEC §5 types (unknown fields are
 * skipped, a missing field reads as null, 0 or false); anything else reads as null. Not
 * thread-safe: one per reading thread.
 */
public final class UsageRecordReader {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** Why a line is not a record; thrown without a stack trace. */
  private static final class NotARecord extends Exception {
    private static final long serialVersionUID = 1L;
    static final NotARecord INSTANCE = new NotARecord();

    private NotARecord() {
      super("not a usage record", null, false, false);
    }
  }

  /** The record of a line (without its {@code \n}), or null when it is not one. */
  public UsageRecord read(byte[] bytes, int offset, int length) {
    try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
      UsageRecord record = object(p);
      return p.nextToken() == null ? record : null;
    } catch (IOException | NotARecord | RuntimeException e) {
      return null;
    }
  }

  private static UsageRecord object(JsonParser p) throws IOException, NotARecord {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw NotARecord.INSTANCE;
    }
    Instant timestamp = null;
    String lmgateId = null;
    String provider = null;
    String endpoint = null;
    String model = null;
    int status = 0;
    Long inputTokens = null;
    Long outputTokens = null;
    String maskedKey = null;
    String errorType = null;
    String owner = null;
    String method = null;
    boolean stream = false;
    long durationMs = 0;
    Long ttfbMs = null;
    Long cacheReadTokens = null;
    Long cacheWriteTokens = null;
    Long reasoningTokens = null;
    String upstreamRequestId = null;
    Double costUsd = null;
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken value = p.nextToken();
      switch (name) {
        case "timestamp":
          String text = text(p, value);
          timestamp = text == null ? null : instant(text);
          break;
        case "lmgate_id":
          lmgateId = text(p, value);
          break;
        case "provider":
          provider = text(p, value);
          break;
        case "endpoint":
          endpoint = text(p, value);
          break;
        case "model":
          model = text(p, value);
          break;
        case "status":
          Long s = count(p, value);
          status = s == null || s > 999 ? 0 : s.intValue();
          break;
        case "input_tokens":
          inputTokens = count(p, value);
          break;
        case "output_tokens":
          outputTokens = count(p, value);
          break;
        case "masked_key":
          maskedKey = text(p, value);
          break;
        case "error_type":
          errorType = text(p, value);
          break;
        case "owner":
          owner = text(p, value);
          break;
        case "method":
          method = text(p, value);
          break;
        case "stream":
          stream = value == JsonToken.VALUE_TRUE;
          if (value != JsonToken.VALUE_TRUE
              && value != JsonToken.VALUE_FALSE
              && value != JsonToken.VALUE_NULL) {
            throw NotARecord.INSTANCE;
          }
          break;
        case "duration_ms":
          Long d = count(p, value);
          durationMs = d == null ? 0 : d;
          break;
        case "ttfb_ms":
          ttfbMs = count(p, value);
          break;
        case "cache_read_tokens":
          cacheReadTokens = count(p, value);
          break;
        case "cache_write_tokens":
          cacheWriteTokens = count(p, value);
          break;
        case "reasoning_tokens":
          reasoningTokens = count(p, value);
          break;
        case "upstream_request_id":
          upstreamRequestId = text(p, value);
          break;
        case "cost_usd":
          costUsd = cost(p, value);
          break;
        default:
          p.skipChildren();
      }
    }
    return new UsageRecord(
        timestamp,
        lmgateId,
        provider,
        endpoint,
        model,
        status,
        inputTokens,
        outputTokens,
        maskedKey,
        errorType,
        owner,
        method,
        stream,
        durationMs,
        ttfbMs,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        upstreamRequestId,
        costUsd);
  }

  private static String text(JsonParser p, JsonToken value) throws IOException, NotARecord {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw NotARecord.INSTANCE;
    }
    return p.getText();
  }

  private static Long count(JsonParser p, JsonToken value) throws IOException, NotARecord {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw NotARecord.INSTANCE;
    }
    long n = p.getLongValue();
    if (n < 0) {
      throw NotARecord.INSTANCE;
    }
    return n;
  }

  private static Double cost(JsonParser p, JsonToken value) throws IOException, NotARecord {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
      throw NotARecord.INSTANCE;
    }
    double d = p.getDoubleValue();
    if (!(d >= 0) || Double.isInfinite(d)) {
      throw NotARecord.INSTANCE;
    }
    return d;
  }

  /**
   * The writer's form {@code 2026-02-16T12:00:00.000Z} read without a formatter (a million of them
   * per month of files); any other ISO-8601 instant through {@link Instant#parse}.
   */
  static Instant instant(String t) throws NotARecord {
    if (t.length() == 24
        && t.charAt(4) == '-'
        && t.charAt(7) == '-'
        && t.charAt(10) == 'T'
        && t.charAt(13) == ':'
        && t.charAt(16) == ':'
        && t.charAt(19) == '.'
        && t.charAt(23) == 'Z') {
      int year = digits(t, 0, 4);
      int month = digits(t, 5, 2);
      int day = digits(t, 8, 2);
      int hour = digits(t, 11, 2);
      int minute = digits(t, 14, 2);
      int second = digits(t, 17, 2);
      int milli = digits(t, 20, 3);
      if (year >= 0
          && month >= 1
          && month <= 12
          && day >= 1
          && day <= lengthOfMonth(year, month)
          && hour <= 23
          && minute <= 59
          && second <= 59
          && milli >= 0) {
        long epochDay = epochDay(year, month, day);
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, milli * 1_000_000L);
      }
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw NotARecord.INSTANCE;
    }
  }

  /** The decimal number of {@code width} digits at {@code from}, or -1 if one is not a digit. */
  private static int digits(String t, int from, int width) {
    int n = 0;
    for (int i = from; i < from + width; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static int lengthOfMonth(int year, int month) {
    if (month == 2) {
      boolean leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
      return leap ? 29 : 28;
    }
    return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (as {@code LocalDate.toEpochDay}). */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long m = month;
    long total = 365 * y;
    total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    total += (367 * m - 362) / 12;
    total += day - 1;
    if (m > 2) {
      total--;
      boolean leap = (y & 3) == 0 && (y % 100 != 0 || y % 400 == 0);
      if (!leap) {
        total--;
      }
    }
    return total - 719_528L; // days from 0000-01-01 to 1970-01-01
  }
}
