package ai.numio.lmgate.stats;

import java.time.Instant;

/**
 * One line of the usage file: what one forwarded request cost. Field order and JSON names are those
 * of SPEC §5; the first ten are the original LMGate's.
 *
 * @param timestamp when the request arrived
 * @param lmgateId allow-list {@code id} of the key
 * @param provider route name
 * @param endpoint request path including the route prefix, without the query string
 * @param model model reported by the response, or null
 * @param status HTTP status the client received
 * @param inputTokens input tokens, or null if not reported
 * @param outputTokens output tokens, or null if not reported
 * @param maskedKey last six characters of the key (whole key if shorter)
 * @param errorType null on success, else the provider's or the gateway's error class
 * @param owner allow-list {@code owner}
 * @param method HTTP method
 * @param stream whether the response was streamed (SSE or a streamed JSON array)
 * @param durationMs arrival to response complete
 * @param ttfbMs arrival to first response byte from upstream, or null if none came
 * @param cacheReadTokens cached input tokens, or null
 * @param cacheWriteTokens cache-creation input tokens, or null
 * @param reasoningTokens reasoning tokens, or null
 * @param upstreamRequestId the provider's request id header, or null
 * @param costUsd the exchange's cost in USD by the price table in force (SPEC-2 §13), unrounded;
 *     null when unknown (no route, a model without a price entry, or a token count it needs is
 *     null)
 */
public record UsageRecord(
    Instant timestamp,
    String lmgateId,
    String provider,
    String endpoint,
    String model,
    int status,
    Long inputTokens,
    Long outputTokens,
    String maskedKey,
    String errorType,
    String owner,
    String method,
    boolean stream,
    long durationMs,
    Long ttfbMs,
    Long cacheReadTokens,
    Long cacheWriteTokens,
    Long reasoningTokens,
    String upstreamRequestId,
    Double costUsd) {}
