/** The standalone gateway's command line. */
package ai.numio.lmgate.standalone;
