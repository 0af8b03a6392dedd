package ai.numio.lmgate.limit;

/**
 * The store could not answer (Redis unreachable, a timeout, an unexpected reply); {@code
 * limits.on_store_error} says whether the request then passes or is refused 503.
 */
public final class LimitStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public LimitStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
