package ai.numio.lmgate.limit;

import java.time.LocalDate;
import java.time.ZoneOffset;

/** Budget periods in UTC: a day, or a calendar month. Public so other stores agree on them. */
public final class Periods {

  static final long DAY_MILLIS = 86_400_000L;

  private Periods() {}

  /** The start (epoch milliseconds) of the period that contains {@code millis}. */
  public static long start(Limit.Period period, long millis) {
    long dayStart = Math.floorDiv(millis, DAY_MILLIS) * DAY_MILLIS;
    if (period == Limit.Period.DAY) {
      return dayStart;
    }
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(millis, DAY_MILLIS));
    return day.withDayOfMonth(1).toEpochDay() * DAY_MILLIS;
  }

  /** The end (exclusive, epoch milliseconds) of the period that starts at {@code start}. */
  public static long end(Limit.Period period, long start) {
    if (period == Limit.Period.DAY) {
      return start + DAY_MILLIS;
    }
    LocalDate first = LocalDate.ofEpochDay(Math.floorDiv(start, DAY_MILLIS));
    return first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1000;
  }
}
