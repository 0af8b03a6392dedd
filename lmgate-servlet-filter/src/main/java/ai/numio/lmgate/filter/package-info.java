/** LMGate as a servlet filter for an existing webapp's LLM egress. */
package ai.numio.lmgate.filter;
