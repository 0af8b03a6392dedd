/**
 * The gateway's upstream side: one request forwarded, one response streamed back, behind {@link
 * ai.numio.lmgate.jetty.upstream.Upstream}. The standalone gateway's {@code lean} engine talks to
 * it; what sends the bytes (LMGate's own HTTP/1.1 connections, {@link
 * ai.numio.lmgate.jetty.upstream.LeanUpstream}, or Jetty's {@code HttpClient}) is chosen by
 * measurement. {@code docs/design.md}, "The lean upstream engine", has its pool and retry rules.
 */
package ai.numio.lmgate.jetty.upstream;
