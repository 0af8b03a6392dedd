package ai.numio.lmgate.jetty.upstream;

import java.net.URI;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;

/**
 * One request as it goes upstream.
 *
 * @param method the method
 * @param origin the upstream's {@code scheme://host[:port]} (http or https); its host may be a name
 *     {@link URI} cannot parse (a Compose service {@code my_vllm}), so read its raw authority
 * @param target the request target, raw (still percent-encoded), with its query: {@code
 *     /v1/chat/completions?x=1}
 * @param headers the headers to send, final (credentials, {@code Accept-Encoding} and forwarded
 *     headers already applied, hop-by-hop ones removed); {@code Host} is set from {@code origin}
 *     when absent; {@code Content-Length} or chunked framing comes from {@code contentLength}
 * @param body the body, read on demand; null for a request without one
 * @param contentLength the body's length, or -1 when unknown (sent chunked)
 */
public record UpstreamRequest(
    String method,
    URI origin,
    String target,
    HttpFields headers,
    Content.Source body,
    long contentLength) {}
