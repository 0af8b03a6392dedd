package ai.numio.lmgate;

import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.policy.ModelReadAhead;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;

/** The answers of SPEC-2 §14's refusals; each is recorded with its {@code error} as error type. */
final class PolicyRefusals {

  static final String MODEL_NOT_ALLOWED = "model_not_allowed";
  static final String KEY_EXPIRED = "key_expired";
  static final String RATE_LIMITED = "rate_limited";
  static final String BUDGET_EXCEEDED = "budget_exceeded";
  static final String STORE_UNAVAILABLE = "limit_store_unavailable";
  static final String BAD_REQUEST = "bad_request";

  static final ErrorResponse STORE_DOWN =
      new ErrorResponse(
          503,
          STORE_UNAVAILABLE,
          "Rate limits and budgets cannot be checked right now (limit store unavailable); retry"
              + " later",
          Map.of("Retry-After", "1"));

  private PolicyRefusals() {}

  static ErrorResponse expired(LocalDate expires) {
    return new ErrorResponse(
        403, KEY_EXPIRED, "API key expired at the end of " + expires + " (UTC)");
  }

  static ErrorResponse routeNotAllowed(String route) {
    return new ErrorResponse(
        403,
        MODEL_NOT_ALLOWED,
        route == null
            ? "This API key may use only some routes; this path is under none"
            : "This API key may not use route '" + route + "'");
  }

  static ErrorResponse modelNotAllowed(String model) {
    return new ErrorResponse(
        403, MODEL_NOT_ALLOWED, "Model '" + model + "' is not allowed for this API key");
  }

  /** The model could not be found where a model rule needs it. */
  static ErrorResponse modelUnknown(ModelReadAhead.Outcome outcome, int cap) {
    String why =
        switch (outcome) {
          case TOO_LARGE ->
              "its \"model\" is not within the first "
                  + cap
                  + " bytes of the body (send \"model\" earlier in the JSON)";
          case NOT_FOUND -> "the JSON body has no top-level \"model\" string";
          case CONFLICTING -> "the JSON body names two different models (\"model\" twice)";
          case MALFORMED -> "the body is not a JSON object with a top-level \"model\" string";
          case UNREADABLE, FOUND -> "the body could not be read";
        };
    return new ErrorResponse(400, BAD_REQUEST, "This API key may use only some models, and " + why);
  }

  /** A Google request whose path names no model. */
  static final ErrorResponse NO_MODEL_IN_PATH =
      new ErrorResponse(
          400,
          BAD_REQUEST,
          "This API key may use only some models, and the path names none (.../models/<model>:...)");

  /** A rate or budget limit refused the request for {@code seconds}. */
  static ErrorResponse limited(Limit limit, long seconds) {
    Map<String, String> retry = Map.of("Retry-After", Long.toString(seconds));
    String whose = limit.scope().startsWith("owner:") ? "this API key's owner" : "this API key";
    if (limit instanceof Limit.Rate rate) {
      String what =
          rate.counted() == Limit.Counted.REQUESTS ? " requests per minute" : " tokens per minute";
      return new ErrorResponse(
          429,
          RATE_LIMITED,
          "Rate limit of "
              + rate.perMinute()
              + what
              + " reached for "
              + whose
              + "; retry after "
              + seconds
              + " s",
          retry);
    }
    Limit.Budget budget = (Limit.Budget) limit;
    String amount =
        budget.unit() == Limit.Unit.USD
            ? java.math.BigDecimal.valueOf(budget.amount()).stripTrailingZeros().toPlainString()
                + " USD"
            : (long) budget.amount() + " tokens";
    return new ErrorResponse(
        429,
        BUDGET_EXCEEDED,
        "Budget of "
            + amount
            + " per "
            + budget.period().name().toLowerCase(Locale.ROOT)
            + " (UTC) spent for "
            + whose
            + "; retry after "
            + seconds
            + " s",
        retry);
  }
}
