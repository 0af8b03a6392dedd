/**
 * The WAR's upstream client: {@link ai.numio.lmgate.forward.ForwardingServlet} forwards each
 * request to its route's upstream exactly as the standalone gateway does, behind {@code
 * LMGateFilter}, which authorizes and meters. It reports how forwarding failed to the filter
 * through {@link ai.numio.lmgate.servlet.FailureReports}.
 */
package ai.numio.lmgate.forward;
