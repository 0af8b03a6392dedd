package ai.numio.lmgate;

/**
 * What the core needs to know of a request as it arrives, whatever the container.
 *
 * @param method the HTTP method
 * @param rawPath the path as sent (still percent-encoded), without query, inside the webapp for a
 *     filter; the record's {@code endpoint}
 * @param rawQuery the query string as sent, or null
 * @param headers the request headers
 * @param clientAddress the peer address, for the denial log
 * @param body the body, which the core reads ahead only when a policy needs the requested model;
 *     {@link RequestBody#NONE} for none
 */
public record IncomingRequest(
    String method,
    String rawPath,
    String rawQuery,
    Headers headers,
    String clientAddress,
    RequestBody body) {

  /** A request whose body the core will not read. */
  public IncomingRequest(
      String method, String rawPath, String rawQuery, Headers headers, String clientAddress) {
    this(method, rawPath, rawQuery, headers, clientAddress, RequestBody.NONE);
  }
}
