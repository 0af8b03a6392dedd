/** The gateway on Jetty 12: a proxy servlet delegating to lmgate-core, and an embeddable server. */
package ai.numio.lmgate.jetty;
