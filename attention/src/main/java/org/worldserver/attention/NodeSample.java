package org.worldserver.attention;

/**
 * One node's numbers over one interval.
 *
 * @param node the node's cluster address
 * @param endMillis when the interval ended, epoch ms
 * @param cpu the node process's share of the CPU it may use (its control group's quota, else the machine's
 *     processors) over the interval, 0 to 1
 * @param loadAverage the machine's one-minute load average divided by its cores (1 = every core busy)
 * @param capacity how much load the node takes, in the units of shard importance (its world.rebalancer.node-capacity,
 *     or with {@code auto} its capacity-per-core times the cores it may use); the re-balancer weighs nodes by it
 */
public record NodeSample(String node, long endMillis, double cpu, double loadAverage, double capacity) {}
