package ai.numio.lmgate.dashboard;

/**
 * How far the aggregate has read the stats files written before start: the page says "loading
 * history" until it is {@link State#DONE}. Written by the one seeding thread, read by any.
 */
public final class History {

  /** Where reading the files stands. */
  public enum State {
    /** Nothing to read was asked for. */
    NONE,
    LOADING,
    DONE,
    /** Listing the files failed; what was read still counts. */
    FAILED
  }

  /** What the page is told. */
  record View(State state, long records, long malformed, int files, long millis) {}

  private volatile State state = State.NONE;
  private volatile long records;
  private volatile long malformed;
  private volatile int files;
  private volatile long millis;

  void loading(int fileCount) {
    files = fileCount;
    state = State.LOADING;
  }

  void progress(long recordCount, long malformedCount) {
    records = recordCount;
    malformed = malformedCount;
  }

  void finished(State end, long elapsedMillis) {
    millis = elapsedMillis;
    state = end;
  }

  /** The state now. */
  public State state() {
    return state;
  }

  /** Records read from the files so far. */
  public long records() {
    return records;
  }

  /** Lines of the files that were not records. */
  public long malformed() {
    return malformed;
  }

  View view() {
    return new View(state, records, malformed, files, millis);
  }
}
