package ai.numio.lmgate;

import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.config.OnStoreError;
import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.LimitStore;
import ai.numio.lmgate.limit.LimitStoreException;
import ai.numio.lmgate.limit.Verdict;
import ai.numio.lmgate.policy.CallerPolicy;
import ai.numio.lmgate.policy.ModelReadAhead;
import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.stats.UsageRecord;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy steps of {@link LMGate#admit} for a caller a policy restricts (SPEC-2 §14), in order:
 * expiry, route, model (from the path or read ahead in the body), limits. A refusal is answered and
 * recorded here; nothing of it reaches the upstream. Also charges what a finished exchange used to
 * the caller's limits.
 */
final class Policing {

  private static final Logger log = LoggerFactory.getLogger(Policing.class);

  /** Store failures are logged at most this often. */
  static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Methods whose requests carry a body that names the model. */
  private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

  /**
   * What the policy steps decided.
   *
   * @param refusal the answer, already recorded; null when the request may go on
   * @param readAhead what was read of the body
   */
  record Decision(ErrorResponse refusal, BodyPrefix readAhead) {
    static final Decision PASS = new Decision(null, BodyPrefix.EMPTY);
  }

  private final LimitStore store;
  private final OnStoreError onStoreError;
  private final int maxReadAhead;
  private final TimeSource time;
  private final RecordSink records;
  private final Denials denials;
  private final Charges charges;
  private final AtomicLong storeErrors = new AtomicLong();
  private final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE);

  Policing(
      LimitStore store,
      OnStoreError onStoreError,
      int maxReadAhead,
      TimeSource time,
      RecordSink records,
      Denials denials) {
    this.store = store;
    this.onStoreError = onStoreError;
    this.maxReadAhead = maxReadAhead;
    this.time = time;
    this.records = records;
    this.denials = denials;
    this.charges = store.remote() ? Charges.background() : Charges.inline();
  }

  /** The steps for a restricted caller; {@code startNanos} is when admission began. */
  Decision check(
      CallerPolicy policy, IncomingRequest request, Route route, Caller caller, long startNanos) {
    java.time.Instant arrival = time.now();
    long now = arrival.toEpochMilli();
    String routeName = route == null ? null : route.name();
    Refused at = new Refused(request, caller, routeName, arrival, startNanos);
    if (policy.expired(now)) {
      return refuse(PolicyRefusals.expired(policy.expires()), null, at);
    }
    if (!policy.routeAllowed(routeName)) {
      return refuse(PolicyRefusals.routeNotAllowed(routeName), null, at);
    }
    String model = null;
    BodyPrefix readAhead = BodyPrefix.EMPTY;
    if (policy.hasModelRule()) {
      Format format = route == null ? null : route.format();
      if (format == Format.GOOGLE) {
        model = ModelReadAhead.modelInPath(request.rawPath());
        if (model == null && BODY_METHODS.contains(request.method())) {
          return refuse(PolicyRefusals.NO_MODEL_IN_PATH, null, at);
        }
      } else if (BODY_METHODS.contains(request.method())) {
        ModelReadAhead.Result read = ModelReadAhead.read(request.body(), maxReadAhead);
        readAhead = read.prefix();
        if (read.outcome() == ModelReadAhead.Outcome.UNREADABLE) {
          ErrorResponse answer = ErrorResponse.of(Failure.MALFORMED_REQUEST_BODY);
          record(answer, Failure.MALFORMED_REQUEST_BODY.errorType(), null, at);
          return new Decision(answer, readAhead);
        }
        if (read.outcome() != ModelReadAhead.Outcome.FOUND) {
          return refuse(PolicyRefusals.modelUnknown(read.outcome(), maxReadAhead), null, at);
        }
        model = read.model();
      }
      if (model != null && !policy.modelAllowed(model)) {
        return refuse(PolicyRefusals.modelNotAllowed(model), model, at);
      }
    }
    List<Limit> limits = policy.limits();
    if (!limits.isEmpty()) {
      Verdict verdict;
      try {
        verdict = store.acquire(limits, now);
      } catch (LimitStoreException | RuntimeException e) {
        storeFailed("checking", e);
        if (onStoreError == OnStoreError.DENY) {
          return refuse(PolicyRefusals.STORE_DOWN, model, at);
        }
        verdict = Verdict.ADMITTED;
      }
      if (!verdict.admitted()) {
        return refuse(
            PolicyRefusals.limited(verdict.refusedBy(), verdict.retryAfterSeconds()), model, at);
      }
    }
    return readAhead.isEmpty() ? Decision.PASS : new Decision(null, readAhead);
  }

  /**
   * Where an exchange of a limited caller sends its record: to the stats, then charged (tokens =
   * input + output, unknown counts 0; USD = the record's cost) to the caller's limits — at once for
   * a store in this process, from the charging thread for a remote one ({@link Charges}).
   */
  RecordSink charging(List<Limit> limits) {
    return (record, overheadNanos) -> {
      records.accept(record, overheadNanos);
      charges.submit(() -> charge(limits, record));
    };
  }

  /** Runs every charge still queued; called once no exchange is open any more. */
  void closeCharges() {
    charges.close();
  }

  /** Charges a finished record; never throws. */
  void charge(List<Limit> limits, UsageRecord record) {
    long tokens = orZero(record.inputTokens()) + orZero(record.outputTokens());
    Double usd = record.costUsd();
    if (tokens <= 0 && (usd == null || !(usd > 0))) {
      return;
    }
    try {
      store.charge(
          limits, tokens, usd, record.timestamp().toEpochMilli(), time.now().toEpochMilli());
    } catch (LimitStoreException | RuntimeException e) {
      storeFailed("charging", e);
    }
  }

  /** Failures of the limit store since start. */
  long storeErrors() {
    return storeErrors.get();
  }

  private void storeFailed(String doing, Exception e) {
    storeErrors.incrementAndGet();
    long now = time.nanoTime();
    long last = lastLogged.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_NANOS)
        && lastLogged.compareAndSet(last, now)) {
      log.error(
          "The limit store failed while {} limits ({} failures so far); requests are {} while it"
              + " fails (limits.on_store_error: {}): {}",
          doing,
          storeErrors.get(),
          onStoreError == OnStoreError.ALLOW ? "let through unlimited" : "refused 503",
          onStoreError.name().toLowerCase(java.util.Locale.ROOT),
          e.toString());
    }
  }

  /** The request a refusal is about. */
  private record Refused(
      IncomingRequest request,
      Caller caller,
      String routeName,
      java.time.Instant arrival,
      long startNanos) {}

  private Decision refuse(ErrorResponse answer, String model, Refused at) {
    record(answer, answer.error(), model, at);
    return new Decision(answer, BodyPrefix.EMPTY);
  }

  /** The one usage record of a refused request: status as answered, tokens null. */
  private void record(ErrorResponse answer, String errorType, String model, Refused at) {
    IncomingRequest request = at.request();
    Caller caller = at.caller();
    denials.count(errorType);
    try {
      records.accept(
          new UsageRecord(
              at.arrival(),
              caller.id(),
              at.routeName() == null ? LMGate.UNKNOWN_PROVIDER : at.routeName(),
              request.rawPath(),
              model,
              answer.status(),
              null,
              null,
              KeyMask.forRecord(caller.apiKey()),
              errorType,
              caller.owner(),
              request.method(),
              false,
              (time.nanoTime() - at.startNanos()) / 1_000_000,
              null,
              null,
              null,
              null,
              null,
              null),
          -1);
    } catch (RuntimeException e) {
      log.error(
          "Could not write the usage record of a refused {} {}",
          request.method(),
          request.rawPath(),
          e);
    }
  }

  private static long orZero(Long count) {
    return count == null ? 0 : Math.max(0, count);
  }
}
