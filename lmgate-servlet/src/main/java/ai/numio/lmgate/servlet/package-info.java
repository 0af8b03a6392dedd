/**
 * The servlet side of the core, shared by every adapter that runs in a servlet container — the
 * gateway's proxy servlet, the filter and the WAR's forwarder: the request as the core sees it
 * ({@link ai.numio.lmgate.servlet.ServletRequests}), the one writer of LMGate's JSON answers
 * ({@link ai.numio.lmgate.servlet.ErrorReplies}), and the typed holder of an admitted request
 * ({@link ai.numio.lmgate.servlet.GatedRequest}).
 */
package ai.numio.lmgate.servlet;
